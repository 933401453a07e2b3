import Foundation
import Platform
import Routing
import SQLKit
import Store
import Telephony
import Timekeeping

/// Ported numbers and their location routing numbers (LRN): the table an LRN dip reads.
///
/// A number ported away from the carrier that holds its NPA-NXX is reached through the LRN of the switch now
/// serving it (RFC 4694 `rn`). Both are stored as their ten national digits in `BIGINT` columns (2025550143),
/// 16 bytes a row before the index, so tens of millions of rows stay compact.
public struct PortedNumbers: Sendable {
    /// The columns an LRN file must have.
    public static let requiredColumns = ["tn", "lrn"]
    /// Rows per INSERT statement.
    static let batchSize = 2_000
    /// How long our own ports stay over imported feeds, which may have been cut before them: a week, in seconds.
    static let changesOutliveImports: TimeInterval = 7 * 86_400

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Replaces every ported number with the rows of a `tn,lrn` CSV file, atomically.
    ///
    /// The file streams through one transaction in batches, in memory bounded by a batch whatever the file's
    /// size. Duplicate numbers are found by the table's primary key rather than a set of every number: when a
    /// batch fails, the import reads the file again up to that batch looking only for that batch's numbers, and
    /// reports each duplicate with the line of its first occurrence. Bad rows, duplicates or an interruption
    /// leave the previous table exactly as it was; success bumps the routing epoch.
    ///
    /// - Returns: the number of rows imported.
    public func importLRN(from path: String, progress: (ImportProgress) -> Void = { _ in }) async throws -> Int {
        let started = ContinuousClock.now
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        var reader = try CSVReader.opening(path)
        let columns = try reader.header()
        try columns.require(Self.requiredColumns)
        do {
            return try await store.transaction { database in
                try await database.raw("DELETE FROM ported_numbers").run()
                // A feed is cut some time before it is imported: our own ports of the last days may not be in it yet,
                // so they stay over it; older ones are in it, or have been overtaken.
                let settled = clock.now().addingTimeInterval(-Self.changesOutliveImports).unixSeconds
                try await database.raw("DELETE FROM lnp_changes WHERE changed_at < \(bind: settled)").run()
                var errors: [ImportError.RowError] = []
                var badRows = 0
                var rows = 0
                var batch = Batch()
                var failed: FailedBatch?
                func report(finished: Bool) {
                    progress(ImportProgress(
                        rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                        elapsed: ContinuousClock.now - started, finished: finished
                    ))
                }
                func flush() async throws {
                    guard !batch.isEmpty, failed == nil else { return }
                    do {
                        try await Self.insert(batch, into: database)
                    } catch {
                        // The transaction cannot go on (PostgreSQL aborts it); the rest of the file is only checked.
                        failed = FailedBatch(numbers: Set(batch.numbers), lastLine: batch.lastLine, error: error)
                    }
                    batch.removeAll()
                    if failed == nil { try await ImportPauseHook.rowsWritten(rows) }
                }
                while true {
                    guard let record = try reader.nextRow(badRows: &badRows, errors: &errors) else { break }
                    do {
                        let (tn, lrn) = try Self.row(record, columns: columns)
                        rows += 1
                        if badRows == 0, failed == nil {
                            batch.append(tn: tn, lrn: lrn, line: record.line)
                            if batch.count == Self.batchSize { try await flush() }
                        }
                    } catch let fault as ImportRowFault {
                        badRows += 1
                        if errors.count < ImportError.maximumReportedErrors {
                            errors.append(fault.rowError(line: record.line))
                        }
                    }
                    if (rows + badRows) % 5_000 == 0 { report(finished: false) }
                }
                if badRows == 0 { try await flush() }
                guard badRows == 0, failed == nil else {
                    throw IncompleteImport(rowErrors: errors, badRows: badRows, failed: failed)
                }
                try await database.raw("""
                    INSERT INTO import_runs (kind, source, rows, completed_at)
                    VALUES ('lrn', \(bind: path), \(bind: rows), \(bind: clock.unixSeconds()))
                    """).run()
                try await RoutingEpoch.bump(in: database)
                report(finished: true)
                return rows
            }
        } catch let incomplete as IncompleteImport {
            throw try Self.diagnose(incomplete, path: path, columns: columns)
        }
    }

    /// What routing's dip says of a number: the imported table with our own ports since laid over it.
    public func lookup(_ number: PhoneNumber) async throws -> PortedNumberTable.Dip {
        try await store.read { try await Self.dip(number, in: $0) }
    }

    private static func dip(_ number: PhoneNumber, in database: any SQLDatabase) async throws -> PortedNumberTable.Dip {
        let tn = Int64(number.digits)
        if let change = try await database.raw("SELECT lrn FROM lnp_changes WHERE tn = \(bind: tn)").first() {
            return try change.decode(column: "lrn", as: Int64?.self).flatMap { PhoneNumber(digits: UInt64($0)) }
                .map { .ported(lrn: $0) } ?? .portedToUnknownLRN
        }
        return try await database.raw("SELECT lrn FROM ported_numbers WHERE tn = \(bind: tn)").first()
            .flatMap { PhoneNumber(digits: UInt64(try $0.decode(column: "lrn", as: Int64.self))) }
            .map { .ported(lrn: $0) } ?? .notPorted
    }

    /// Records a port we took part in: the number's LRN becomes `lrn`, ours for a port-in; `nil` for a port-out,
    /// where the winning carrier's LRN is not known here (the number leaves the table, and routing sends calls to
    /// it undipped until the feed brings the new LRN). Kept among the changes routing applies over its compiled
    /// table. Returns what a dip said of the number before. Runs in the caller's transaction.
    @discardableResult
    package static func change(
        _ number: PhoneNumber, to lrn: PhoneNumber?, at now: Date, in database: any SQLDatabase
    ) async throws -> PortedNumberTable.Dip {
        let tn = Int64(number.digits)
        let previous = try await Self.dip(number, in: database)
        if let lrn {
            try await database.raw("""
                INSERT INTO ported_numbers (tn, lrn) VALUES (\(bind: tn), \(bind: Int64(lrn.digits)))
                ON CONFLICT (tn) DO UPDATE SET lrn = excluded.lrn
                """).run()
        } else {
            try await database.raw("DELETE FROM ported_numbers WHERE tn = \(bind: tn)").run()
        }
        try await database.raw("""
            INSERT INTO lnp_changes (tn, lrn, changed_at) VALUES (\(bind: tn), \(bind: lrn.map { Int64($0.digits) }), \(bind: now.unixSeconds))
            ON CONFLICT (tn) DO UPDATE SET lrn = excluded.lrn, changed_at = excluded.changed_at
            """).run()
        return previous
    }

    /// The changes our ports made since the last import, as routing applies them.
    package static func changes(in database: any SQLDatabase) async throws -> [PhoneNumber: PhoneNumber?] {
        var changes: [PhoneNumber: PhoneNumber?] = [:]
        for row in try await database.raw("SELECT tn, lrn FROM lnp_changes").all() {
            guard let number = PhoneNumber(digits: UInt64(try row.decode(column: "tn", as: Int64.self))) else { continue }
            changes[number] = try row.decode(column: "lrn", as: Int64?.self).flatMap { PhoneNumber(digits: UInt64($0)) }
        }
        return changes
    }

    /// How many ported numbers the table holds.
    public func count() async throws -> Int {
        try await store.read { database in
            let row = try await database.raw("SELECT COUNT(*) AS n FROM ported_numbers").first()
            return try row?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    // MARK: Rows

    /// A batch of validated rows waiting to be inserted.
    private struct Batch {
        var numbers: [UInt64] = []
        var lrns: [UInt64] = []
        var lastLine = 0
        var count: Int { numbers.count }
        var isEmpty: Bool { numbers.isEmpty }

        mutating func append(tn: UInt64, lrn: UInt64, line: Int) {
            numbers.append(tn)
            lrns.append(lrn)
            lastLine = line
        }

        mutating func removeAll() {
            numbers.removeAll(keepingCapacity: true)
            lrns.removeAll(keepingCapacity: true)
        }
    }

    /// A batch the database refused: its numbers, the line it ended on, and the database's error.
    private struct FailedBatch {
        var numbers: Set<UInt64>
        var lastLine: Int
        var error: any Error
    }

    /// Thrown out of the transaction to roll it back; turned into an ``ImportError`` once the file is re-read.
    private struct IncompleteImport: Error {
        var rowErrors: [ImportError.RowError]
        var badRows: Int
        var failed: FailedBatch?
    }

    /// Inserts a batch. The values are integers made here from validated numbers, so they are inlined, sparing
    /// two binds per row.
    private static func insert(_ batch: Batch, into database: any SQLDatabase) async throws {
        var sql = "INSERT INTO ported_numbers (tn, lrn) VALUES "
        sql.reserveCapacity(32 + batch.count * 26)
        for index in batch.numbers.indices {
            if index > 0 { sql += ", " }
            sql += "(\(batch.numbers[index]), \(batch.lrns[index]))"
        }
        try await database.raw(SQLQueryString(sql)).run()
    }

    private static func row(
        _ record: CSVReader.Record, columns: CSVColumns
    ) throws(ImportRowFault) -> (tn: UInt64, lrn: UInt64) {
        try columns.checkWidth(of: record)
        let tn = try number(columns.field("tn", in: record) ?? "", column: "tn")
        let lrn = try number(columns.field("lrn", in: record) ?? "", column: "lrn")
        return (tn, lrn)
    }

    /// A NANP number in any spelling ``PhoneNumber`` accepts, as its ten national digits; ten plain digits, the
    /// common case, take a shortcut.
    private static func number(_ text: String, column: String) throws(ImportRowFault) -> UInt64 {
        if text.utf8.count == 10, text.utf8.allSatisfy({ (48...57).contains($0) }), let value = UInt64(text),
            let number = PhoneNumber(digits: value)
        {
            return number.digits
        }
        do {
            return try PhoneNumber(parsing: text).digits
        } catch {
            let shown = text.trimmingCharacters(in: .whitespaces)
            throw ImportRowFault(column, shown.isEmpty ? "is empty" : "'\(shown)': \(error.description)")
        }
    }

    /// The ``ImportError`` for an import that failed: its bad rows and, when the database refused a batch, the
    /// duplicate numbers that made it do so, found by reading the file again up to the end of that batch.
    /// A batch that failed for another reason rethrows the database's error.
    private static func diagnose(
        _ incomplete: IncompleteImport, path: String, columns: CSVColumns
    ) throws -> any Error {
        guard let failed = incomplete.failed else {
            return ImportError(rowErrors: incomplete.rowErrors, badRows: incomplete.badRows)
        }
        var reader = try CSVReader.opening(path)
        _ = try reader.header()
        var firstLines: [UInt64: Int] = [:]
        var duplicates: [ImportError.RowError] = []
        while let record = try reader.next(), record.line <= failed.lastLine {
            guard let (tn, _) = try? row(record, columns: columns), failed.numbers.contains(tn) else { continue }
            if let first = firstLines[tn] {
                let number = PhoneNumber(digits: tn)?.e164 ?? String(tn)
                duplicates.append(.init(line: record.line, reason: "tn: \(number) duplicates line \(first)"))
            } else {
                firstLines[tn] = record.line
            }
        }
        guard !duplicates.isEmpty else { throw failed.error }
        let all = (incomplete.rowErrors + duplicates).sorted { $0.line < $1.line }
        return ImportError(
            rowErrors: Array(all.prefix(ImportError.maximumReportedErrors)),
            badRows: incomplete.badRows + duplicates.count
        )
    }
}
