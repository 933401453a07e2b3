import Foundation

/// Reads the `YYYY-MM-DD HH:MM:SS` times FreeSWITCH's mod_cdr_csv (`start_stamp`...) and Asterisk's cdr_csv write: the
/// switch's local wall clock (`strftime("%Y-%m-%d %T")` of `localtime`), to the second, without an offset. The zone is
/// the switch's, which the file does not say: the operator names it (`tandem import cdrs --time-zone`).
///
/// A wall-clock time skipped when clocks go forward is no time the switch wrote, and is refused. One repeated when they
/// go back reads as its first occurrence, unless that would put it before the time it follows in the record (an answer
/// before the setup, an end before the answer): a call across the change ends in the repeated hour's second pass.
struct LocalTime {
    let timeZone: TimeZone
    private let calendar: Calendar

    init(_ timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// A call's times in Unix milliseconds, in order: its start, its answer (`nil` for an empty text) and its end, each
    /// given with its column's name for the errors.
    func call(
        start: (text: String, column: String), answer: (text: String, column: String),
        end: (text: String, column: String)
    ) throws(CDRLineError) -> (start: Int64, answer: Int64?, end: Int64) {
        let started = try milliseconds(start.text, column: start.column)
        let answered = try answer.text.isEmpty ? nil : milliseconds(answer.text, column: answer.column, after: started)
        if let answered, answered < started { throw CDRLineError("\(answer.column) is before \(start.column)") }
        let ended = try milliseconds(end.text, column: end.column, after: answered ?? started)
        guard ended >= answered ?? started else {
            throw CDRLineError("\(end.column) is before \(answered == nil ? start.column : answer.column)")
        }
        return (started, answered, ended)
    }

    /// `text` in Unix milliseconds. With `after`, a time repeated by a change back to standard time that would read
    /// before `after` reads as its second occurrence.
    private func milliseconds(_ text: String, column: String, after: Int64? = nil) throws(CDRLineError) -> Int64 {
        guard let wanted = Self.components(text), let date = calendar.date(from: wanted),
              Self.same(calendar, date, wanted)
        else { throw CDRLineError("\(column) is not a YYYY-MM-DD HH:MM:SS time in \(timeZone.identifier)") }
        guard let after, Self.milliseconds(date) < after else { return Self.milliseconds(date) }
        // A repeated hour's second pass is later by the offsets' difference, and reads the same on the wall clock.
        let shift = timeZone.secondsFromGMT(for: date) - timeZone.secondsFromGMT(for: date.addingTimeInterval(86_400))
        let second = date.addingTimeInterval(TimeInterval(shift))
        return Self.milliseconds(shift > 0 && Self.same(calendar, second, wanted) ? second : date)
    }

    /// A column of whole seconds, from 0 to 30 days (a duration, `billsec`).
    static func seconds(_ text: String, column: String) throws(CDRLineError) -> Int64 {
        guard let seconds = Int64(text), (0...(30 * 86_400)).contains(seconds) else {
            throw CDRLineError("\(column) is not a whole number of seconds up to 30 days")
        }
        return seconds
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded())
    }

    /// Whether `date` reads as `wanted` on the zone's wall clock: false for a date `Calendar` moved (February 30th, a
    /// time skipped by a change to summer time).
    private static func same(_ calendar: Calendar, _ date: Date, _ wanted: DateComponents) -> Bool {
        let read = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return read.year == wanted.year && read.month == wanted.month && read.day == wanted.day
            && read.hour == wanted.hour && read.minute == wanted.minute && read.second == wanted.second
    }

    /// The fields of `YYYY-MM-DD HH:MM:SS`, digits exactly where the pattern has them.
    private static func components(_ text: String) -> DateComponents? {
        let bytes = Array(text.utf8)
        let separators: [(Int, Unicode.Scalar)] = [(4, "-"), (7, "-"), (10, " "), (13, ":"), (16, ":")]
        guard bytes.count == 19, separators.allSatisfy({ bytes[$0.0] == UInt8(ascii: $0.1) }) else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        return DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
