import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

/// A finished import.
public struct ImportSummary: Sendable, Equatable {
    public var rows: Int
    public var exchanges: Int
    public var blocks: Int
}

/// NPA-NXX and thousands-block reference data: who holds each exchange and block, and where it is.
public struct ReferenceData: Sendable {
    /// The columns an NPA-NXX file must have (in any order, named in its header).
    public static let requiredColumns = ["npa", "nxx", "state", "lata", "rate_center", "ocn", "company"]
    /// Columns that may be present.
    public static let optionalColumns = ["block", "company_type"]

    /// Where a number is: what searches filter on and numbers inherit.
    package struct Location: Sendable {
        package var rateCenter: String
        package var state: String
        package var lata: String
    }

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Replaces all reference data with the records of a CSV file, atomically.
    ///
    /// The file streams through one transaction: a bad row, a duplicate key or a crash midway leaves the
    /// previous data exactly as it was. `progress` is called every few thousand rows and once at the end.
    public func importExchanges(
        from path: String, progress: (ImportProgress) -> Void = { _ in }
    ) async throws -> ImportSummary {
        let started = ContinuousClock.now
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        var reader: CSVReader
        do {
            reader = try CSVReader(path: path)
        } catch {
            throw ImportError(rowErrors: [], badRows: 0, fileError: "\(error)")
        }
        let columns = try Self.header(&reader)
        return try await store.transaction { database in
            try await database.raw("DELETE FROM exchanges").run()
            var errors: [ImportError.RowError] = []
            var badRows = 0
            var summary = ImportSummary(rows: 0, exchanges: 0, blocks: 0)
            var seen: Set<UInt32> = []
            var batch: [ExchangeRecord] = []
            batch.reserveCapacity(500)
            while true {
                guard let record = try reader.nextRow(badRows: &badRows, errors: &errors) else { break }
                do {
                    let exchange = try Self.exchange(from: record, columns: columns)
                    let key = UInt32(exchange.npa) * 100_000 + UInt32(exchange.nxx) * 100 + UInt32(exchange.block ?? 10)
                    guard seen.insert(key).inserted else {
                        throw ReferenceRecordError(field: "nxx", reason: "duplicates an earlier row for \(exchange.key)")
                    }
                    summary.rows += 1
                    if exchange.block == nil { summary.exchanges += 1 } else { summary.blocks += 1 }
                    if badRows == 0 {
                        batch.append(exchange)
                        if batch.count == 500 {
                            try await Self.insert(batch, into: database)
                            batch.removeAll(keepingCapacity: true)
                            try await ImportPauseHook.rowsWritten(summary.rows)
                        }
                    }
                } catch let error as ReferenceRecordError {
                    badRows += 1
                    if errors.count < ImportError.maximumReportedErrors {
                        errors.append(.init(line: record.line, reason: "\(error.field): \(error.reason)"))
                    }
                }
                if (summary.rows + badRows) % 5_000 == 0 {
                    progress(ImportProgress(
                        rows: summary.rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                        elapsed: ContinuousClock.now - started, finished: false
                    ))
                }
            }
            guard badRows == 0 else { throw ImportError(rowErrors: errors, badRows: badRows) }
            try await Self.insert(batch, into: database)
            try await ImportPauseHook.rowsWritten(summary.rows)
            try await database.raw("""
                INSERT INTO import_runs (kind, source, rows, completed_at)
                VALUES ('npanxx', \(bind: path), \(bind: summary.rows), \(bind: clock.unixSeconds()))
                """).run()
            try await RoutingEpoch.bump(in: database)
            progress(ImportProgress(
                rows: summary.rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                elapsed: ContinuousClock.now - started, finished: true
            ))
            return summary
        }
    }

    /// Replaces all reference data with the given records (demo data, tests), atomically.
    public func replace(with records: some Sequence<ExchangeRecord>) async throws -> Int {
        try await store.transaction { database in
            try await database.raw("DELETE FROM exchanges").run()
            var count = 0
            var batch: [ExchangeRecord] = []
            for record in records {
                batch.append(record)
                count += 1
                if batch.count == 500 {
                    try await Self.insert(batch, into: database)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try await Self.insert(batch, into: database)
            try await database.raw("""
                INSERT INTO import_runs (kind, source, rows, completed_at)
                VALUES ('npanxx', 'generated', \(bind: count), \(bind: clock.unixSeconds()))
                """).run()
            try await RoutingEpoch.bump(in: database)
            return count
        }
    }

    /// The exchange record and any thousands-block records of one NPA-NXX.
    public func exchange(npa: UInt16, nxx: UInt16) async throws -> [ExchangeRecord] {
        try await store.read { database in
            try await database.raw("""
                SELECT * FROM exchanges WHERE npa = \(bind: NANPCode.text(npa)) AND nxx = \(bind: NANPCode.text(nxx))
                ORDER BY block
                """).all().map(Self.decode)
        }
    }

    /// The number of reference rows held.
    public func count() async throws -> Int {
        try await store.read { database in
            try await database.raw("SELECT COUNT(*) AS n FROM exchanges").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    // MARK: Rows

    /// Locations keyed by NPA-NXX (whole exchanges) and NPA-NXX-X (blocks), for the given exchanges.
    package static func locations(for npaNXXs: Set<String>, in database: any SQLDatabase) async throws -> [String: Location] {
        var locations: [String: Location] = [:]
        for npa in Set(npaNXXs.map { String($0.prefix(3)) }).sorted() {
            let rows = try await database.raw(
                "SELECT nxx, block, rate_center, state, lata FROM exchanges WHERE npa = \(bind: npa)"
            ).all()
            for row in rows {
                let npaNXX = npa + (try row.decode(column: "nxx", as: String.self))
                guard npaNXXs.contains(npaNXX) else { continue }
                locations[npaNXX + (try row.decode(column: "block", as: String.self))] = Location(
                    rateCenter: try row.decode(column: "rate_center", as: String.self),
                    state: try row.decode(column: "state", as: String.self),
                    lata: try row.decode(column: "lata", as: String.self)
                )
            }
        }
        return locations
    }

    private static func header(_ reader: inout CSVReader) throws -> [String: Int] {
        let record: CSVReader.Record?
        do {
            record = try reader.next()
        } catch {
            throw ImportError(rowErrors: [], badRows: 0, fileError: "\(error)")
        }
        guard let record else { throw ImportError(rowErrors: [], badRows: 0, fileError: "the file is empty") }
        var columns: [String: Int] = [:]
        for (index, name) in record.fields.enumerated() {
            columns[name.trimmingCharacters(in: .whitespaces).lowercased()] = index
        }
        let missing = requiredColumns.filter { columns[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError(
                rowErrors: [], badRows: 0,
                fileError: "line 1: the header lacks column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))"
                    + " (required: \(requiredColumns.joined(separator: ", ")))"
            )
        }
        return columns
    }

    private static func exchange(from record: CSVReader.Record, columns: [String: Int]) throws(ReferenceRecordError) -> ExchangeRecord {
        func field(_ name: String) -> String? {
            guard let index = columns[name] else { return nil }
            return index < record.fields.count ? record.fields[index] : nil
        }
        guard record.fields.count == columns.count else {
            throw ReferenceRecordError(field: "row", reason: "has \(record.fields.count) fields; the header has \(columns.count)")
        }
        return try ExchangeRecord(
            npa: field("npa") ?? "", nxx: field("nxx") ?? "", block: field("block"), state: field("state") ?? "",
            lata: field("lata") ?? "", rateCenter: field("rate_center") ?? "", ocn: field("ocn") ?? "",
            company: field("company") ?? "", companyType: field("company_type")
        )
    }

    private static func insert(_ records: [ExchangeRecord], into database: any SQLDatabase) async throws {
        guard !records.isEmpty else { return }
        let values = records.map { record -> SQLQueryString in
            """
            (\(bind: NANPCode.text(record.npa)), \(bind: NANPCode.text(record.nxx)), \(bind: record.block.map(String.init) ?? ""), \
            \(bind: record.state), \(bind: record.lata), \(bind: record.rateCenter), \(bind: record.ocn), \
            \(bind: record.company), \(bind: record.companyType.rawValue))
            """
        }
        try await database.raw("""
            INSERT INTO exchanges (npa, nxx, block, state, lata, rate_center, ocn, company, company_type)
            VALUES \(values.joined(separator: ", "))
            """).run()
    }

    private static func decode(_ row: any SQLRow) throws -> ExchangeRecord {
        let block = try row.decode(column: "block", as: String.self)
        return ExchangeRecord(
            npa: UInt16(try row.decode(column: "npa", as: String.self)) ?? 0,
            nxx: UInt16(try row.decode(column: "nxx", as: String.self)) ?? 0,
            block: UInt8(block),
            state: try row.decode(column: "state", as: String.self),
            lata: try row.decode(column: "lata", as: String.self),
            rateCenter: try row.decode(column: "rate_center", as: String.self),
            ocn: try row.decode(column: "ocn", as: String.self),
            company: try row.decode(column: "company", as: String.self),
            companyType: try row.decodeEnum(column: "company_type")
        )
    }
}
