import Foundation
import SQLKit
import Synchronization

/// The months of the PostgreSQL `cdrs` table's partitions: named `cdrs_yYYYYmMM`, holding the calls that started in
/// that month (UTC). A month is the number `year × 12 + month − 1`.
final class Partitions: Sendable {
    private let known = Mutex<Set<Int>>([])

    /// Of `months`, those this process has not yet made or seen.
    func missing(_ months: Set<Int>) -> Set<Int> {
        known.withLock { months.subtracting($0) }
    }

    func made(_ months: Set<Int>) {
        known.withLock { $0.formUnion(months) }
    }

    /// Forgets `months`: their partitions may be gone.
    func forget(_ months: Set<Int>) {
        known.withLock { $0.subtract(months) }
    }

    func dropped(_ month: Int) {
        _ = known.withLock { $0.remove(month) }
    }

    static func month(ofUnixMilliseconds ms: Int64) -> Int {
        let components = Calendar.utc.dateComponents([.year, .month], from: Date(timeIntervalSince1970: Double(ms) / 1_000))
        return components.year! * 12 + components.month! - 1
    }

    static func start(of month: Int) -> Int64 {
        let date = Calendar.utc.date(from: DateComponents(year: month / 12, month: month % 12 + 1, day: 1))!
        return date.unixMilliseconds
    }

    static func end(of month: Int) -> Int64 { start(of: month + 1) }

    static func name(of month: Int) -> String {
        "cdrs_y\(month / 12)m" + (month % 12 + 1 < 10 ? "0" : "") + "\(month % 12 + 1)"
    }

    /// Makes the month's partition unless it exists. The advisory lock serializes makers (two nodes, two
    /// transactions) so that neither fails on the other's table.
    static func make(_ month: Int, in database: any SQLDatabase) async throws {
        try await database.raw("SELECT pg_advisory_xact_lock(7342001)").run()
        try await database.raw("""
            CREATE TABLE IF NOT EXISTS \(unsafeRaw: name(of: month)) PARTITION OF cdrs
                FOR VALUES FROM (\(literal: start(of: month))) TO (\(literal: end(of: month)))
            """).run()
    }

    /// The months whose partitions exist.
    static func existing(in database: any SQLDatabase) async throws -> [Int] {
        try await database.raw("""
            SELECT child.relname AS name FROM pg_inherits
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE pg_inherits.inhparent = 'cdrs'::regclass
            """).all().compactMap { row in
            let name = try row.decode(column: "name", as: String.self)
            guard name.count == 13, name.hasPrefix("cdrs_y"),
                  let year = Int(name.dropFirst(6).prefix(4)), let month = Int(name.suffix(2)), (1...12).contains(month)
            else { return nil }
            return year * 12 + month - 1
        }
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
