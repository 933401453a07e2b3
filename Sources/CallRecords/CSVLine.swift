/// One line of a switch's CSV CDR file split into its fields: RFC 4180 quoting (`"a ""quoted"" word"`), read
/// leniently where switches write loosely.
///
/// `Platform`'s `CSVReader` frames records across a whole file (a quoted field may hold a line end); CDR files are read
/// a line at a time by ``CDRFileLines`` (bounded, resumable, each line named in errors), so the line's fields are split
/// here. The leniencies, each from a switch's own writer:
/// - blanks before an opening quote and after a closing one are dropped: FreeSWITCH's built-in `default` template has
///   `, "${accountcode}"` (mod_cdr_csv.c);
/// - a quote inside a quoted field that is neither doubled nor followed by a comma is kept as a character:
///   mod_cdr_csv expands `"${caller_id_name}"` without doubling the quotes a name holds;
/// - an unquoted field is taken as written (Asterisk writes `duration` and `billsec` bare, and an unset time as
///   nothing between two commas).
enum CSVLine {
    /// The fields of `line` (its bytes, without the line end); a quoted field left open is an error.
    static func fields(of line: some Collection<UInt8>) throws(CDRLineError) -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        /// Blanks after a closing quote, kept in case the quote turns out to be a character.
        var blanks: [UInt8] = []
        var state = State.start
        for byte in line {
            switch (state, byte) {
            case (.start, Self.quote):
                field.removeAll()
                state = .quoted
            case (.start, Self.comma), (.unquoted, Self.comma), (.closed, Self.comma), (.blanksAfterQuote, Self.comma):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll()
                blanks.removeAll()
                state = .start
            case (.start, Self.space), (.start, Self.tab):
                field.append(byte)
            case (.start, _), (.unquoted, _):
                field.append(byte)
                state = .unquoted
            case (.quoted, Self.quote):
                state = .closed
            case (.quoted, _):
                field.append(byte)
            case (.closed, Self.quote):
                field.append(Self.quote)
                state = .quoted
            case (.closed, Self.space), (.closed, Self.tab), (.blanksAfterQuote, Self.space),
                 (.blanksAfterQuote, Self.tab):
                blanks.append(byte)
                state = .blanksAfterQuote
            case (.closed, _), (.blanksAfterQuote, _):
                field.append(Self.quote)
                field.append(contentsOf: blanks)
                field.append(byte)
                blanks.removeAll()
                state = .quoted
            }
        }
        guard state != .quoted else { throw CDRLineError("a quoted field is not closed before the end of the line") }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    private enum State {
        /// At a field's start, before anything but blanks.
        case start
        case unquoted
        case quoted
        /// Just after a quote that closes the field, or starts a doubled one.
        case closed
        case blanksAfterQuote
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
}

extension CDRLineError {
    /// Refuses a line longer than ``KamailioCDR/maximumLineBytes`` or holding a control character (a tab aside: blanks
    /// may pad a CSV field), before it is split.
    static func checkLine(_ line: some Collection<UInt8>) throws(CDRLineError) {
        guard line.count <= KamailioCDR.maximumLineBytes else {
            throw CDRLineError("the line is longer than \(KamailioCDR.maximumLineBytes) bytes")
        }
        guard line.allSatisfy({ ($0 >= 0x20 && $0 != 0x7F) || $0 == 0x09 }) else {
            throw CDRLineError("the line holds a control character")
        }
    }
}
