import Foundation

/// One call as the reference SBC reports it (`Interop/kamailio/sbc.cfg`, docs/sbc.md): a line of its CDR file
/// (Kamailio's acc module with db_flatstore, table `cdrs`: `|`-separated), or the JSON object acc_json pushes to
/// `POST /v1/cdrs/kamailio` (the same names, every value a string). Times are Unix seconds: whole in the file, to
/// the millisecond in the JSON.
public struct KamailioCDR: Sendable, Hashable {
    /// When the call was confirmed (the caller's ACK): billing starts here.
    public var startedAt: Double
    /// When the BYE came.
    public var endedAt: Double
    /// From confirmation to the BYE, to the millisecond.
    public var duration: Double
    /// The caller's Call-ID, as the SBC passed it to Tandem and to every Contact.
    public var callID: String
    /// When the INVITE reached the SBC, to the microsecond.
    public var setupAt: Double
    /// When the answer (the 200 OK) reached the SBC, to the microsecond.
    public var answeredAt: Double
    /// The address the call came from.
    public var source: String
    /// The From URI's user.
    public var caller: String
    /// The Request-URI's user, as the caller sent it.
    public var dialed: String
    /// The Contact that answered: a SIP URI from Tandem's 302.
    public var gateway: String
    /// Tandem's `X-Tandem-Decision`, when the 302 carried one.
    public var decision: String?
    /// The caller's From tag: with the Call-ID, the dialog. Empty in records of an earlier configuration, which wrote
    /// no `from_tag` column.
    public var fromTag: String

    /// The columns, in order. A line of the first eleven (a configuration before `from_tag`) is read too.
    public static let columns = [
        "start_time", "end_time", "duration", "callid", "setup_time", "answer_time", "src_ip", "caller", "dialed", "gateway",
        "decision", "from_tag",
    ]
    /// The longest line read.
    public static let maximumLineBytes = 8_192

    /// Seconds a call is billed from: its duration, a started second counting whole (0.2 s → 1 s, 0 s → 0).
    public var billableSeconds: Int64 {
        Int64(duration.rounded(.up))
    }

    /// Parses one line of the file, as bytes without its line end. Values are kept as written: db_flatstore writes
    /// a `|` inside a value as `%7C` but leaves `%` alone, so the escape cannot be undone (a Call-ID may hold `%7C`).
    public init(line: some Collection<UInt8>) throws(CDRLineError) {
        guard line.count <= Self.maximumLineBytes else { throw CDRLineError("the line is longer than \(Self.maximumLineBytes) bytes") }
        guard line.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else { throw CDRLineError("the line holds a control character") }
        let fields = line.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == Self.columns.count || fields.count == Self.columns.count - 1 else {
            throw CDRLineError("\(fields.count) columns, not \(Self.columns.count) (\(Self.columns.joined(separator: "|")))")
        }
        try self.init(fields: fields.count == Self.columns.count ? fields : fields + [""])
    }

    /// Reads acc_json's object: each column by its name, a string; `decision` and `from_tag` may be missing or null.
    public init(json object: [String: String?]) throws(CDRLineError) {
        var fields: [String] = []
        for column in Self.columns {
            switch object[column] {
            case let value??: fields.append(value)
            case .some(nil) where ["decision", "from_tag"].contains(column), nil where ["decision", "from_tag"].contains(column):
                fields.append("")
            default: throw CDRLineError("\(column) is missing")
            }
        }
        guard fields.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F } }) else {
            throw CDRLineError("a value holds a control character")
        }
        try self.init(fields: fields)
    }

    /// The record from its columns' values, in ``columns``' order.
    private init(fields: [String]) throws(CDRLineError) {
        func seconds(_ index: Int) throws(CDRLineError) -> Double {
            guard let value = Double(fields[index]), value.isFinite, value > 0 else {
                throw CDRLineError("\(Self.columns[index]) is not a Unix time")
            }
            return value
        }
        func exact(_ index: Int) throws(CDRLineError) -> Double {
            guard let value = Double(fields[index]), value.isFinite, value >= 0 else {
                throw CDRLineError("\(Self.columns[index]) is not a number of seconds")
            }
            return value
        }
        startedAt = try seconds(0)
        endedAt = try seconds(1)
        guard endedAt >= startedAt else { throw CDRLineError("end_time is before start_time") }
        duration = try exact(2)
        guard duration <= 30 * 86_400 else { throw CDRLineError("duration is more than 30 days") }
        callID = fields[3]
        guard !callID.isEmpty else { throw CDRLineError("callid is empty") }
        setupAt = try exact(4)
        answeredAt = try exact(5)
        guard setupAt <= answeredAt else { throw CDRLineError("answer_time is before setup_time") }
        (source, caller, dialed, gateway) = (fields[6], fields[7], fields[8], fields[9])
        guard !gateway.isEmpty else { throw CDRLineError("gateway is empty") }
        decision = fields[10].isEmpty ? nil : fields[10]
        fromTag = fields[11]
    }
}

/// Why a line of a CDR file was not read: a phrase naming the column at fault.
public struct CDRLineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The phrase.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}

/// Reads a file of lines as bytes, a chunk at a time (memory bounded by the longest line), with `\n` or `\r\n` line
/// ends; a last line without its `\n` is still being written and is left out.
public struct CDRFileLines: Sendable {
    let path: String

    public init(path: String) {
        self.path = path
    }

    /// The file's size in bytes, when it can be read.
    public var size: Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }

    /// Calls `body` with each complete line (its number, from 1, its bytes, and the bytes of the file read through
    /// its end); a line longer than `limit` bytes is handed over cut to `limit + 1` bytes, for the parser to refuse.
    /// A last line without its line end is handed over too when `unterminatedLastLine` is `.read` (a finished file);
    /// with `.leave` (a log still being written) it is left out. Returns whether a last line was left out.
    @discardableResult
    public func forEach(
        limit: Int = KamailioCDR.maximumLineBytes, unterminatedLastLine: UnterminatedLine = .leave,
        _ body: (_ number: Int, _ line: ArraySlice<UInt8>, _ offset: Int64) async throws -> Void
    ) async throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CDRLineError("cannot open \(path)") }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var overlong = false
        var number = 0
        var offset: Int64 = 0
        while let chunk = try handle.read(upToCount: 65_536), !chunk.isEmpty {
            // The chunk's bytes, scanned a line at a time: iterating `Data` byte by byte was a tenth of reading a file.
            let bytes = [UInt8](chunk)
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A)
                let piece = bytes[start..<(end ?? bytes.count)]
                if pending.count + piece.count <= limit + 1 {
                    pending.append(contentsOf: piece)
                } else {
                    pending.append(contentsOf: piece.prefix(max(0, limit + 1 - pending.count)))
                    overlong = true
                }
                guard let end else {
                    offset += Int64(piece.count)
                    break
                }
                offset += Int64(piece.count + 1)
                number += 1
                if pending.last == 0x0D && !overlong { pending.removeLast() }
                if !pending.isEmpty { try await body(number, pending[...], offset) }
                pending.removeAll(keepingCapacity: true)
                overlong = false
                start = end + 1
            }
        }
        guard !pending.isEmpty else { return false }
        guard unterminatedLastLine == .read else { return true }
        try await body(number + 1, pending[...], offset)
        return false
    }

    /// What to do with a last line that has no line end.
    public enum UnterminatedLine: Sendable {
        /// Read it: the file is finished.
        case read
        /// Leave it out: it is still being written.
        case leave
    }
}
