import Foundation
import Logging
import NetworkData
import Observability
import Platform
import Routing
import SQLKit
import ServiceLifecycle
import Store
import Telephony
import Timekeeping

// MARK: - Model

/// A routing record as the API lists it.
public struct StoredRoutingRecord: Sendable, Codable, Equatable {
    /// A carrier chosen for an outbound call, with its per-minute cost.
    public struct Carrier: Sendable, Codable, Equatable {
        public var carrierId: String
        public var cost: Money

        public init(carrierId: String, cost: Money) {
            self.carrierId = carrierId
            self.cost = cost
        }
    }

    /// Increasing with the order records were written; the paging cursor.
    public var id: Int64
    /// When the decision was made, to the second.
    public var at: Date
    /// When the decision was made, in Unix milliseconds.
    public var atMs: Int64
    public var callId: String
    public var source: String
    public var trunkId: String?
    public var dialed: String
    public var normalized: String?
    public var lrn: String?
    public var jurisdiction: String?
    /// 302 for a redirect, else the refusal's SIP status.
    public var status: Int
    public var reason: String
    public var carriers: [Carrier]
    /// What the customer pays per minute, for outbound calls.
    public var price: Money?
    public var callerIdFlagged: Bool
}

// MARK: - Records

/// The routing records in the store: written in batches by ``RoutingRecordWriter``, read through the API.
public struct RoutingRecords: Sendable {
    /// Rows per `INSERT` statement: 15 parameters each stays well under SQLite's and PostgreSQL's limits.
    static let rowsPerStatement = 250

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Deletes the records made before `cutoff`, in chunks of `chunk` rows per transaction so that the writer
    /// and readers are never held up long; returns how many were deleted.
    public func delete(before cutoff: Date, chunk: Int = 10_000) async throws -> Int {
        try await store.deleteRows(from: "routing_records", where: "at", below: cutoff.unixMilliseconds, chunk: chunk)
    }

    /// Writes `records` in one transaction.
    ///
    /// Each batch goes to the database as one JSON array bound as a single parameter and expanded there
    /// (`json_each` in SQLite, `jsonb_array_elements` in PostgreSQL): encoding the JSON by hand costs far less
    /// than binding fourteen values per record, which made the writer the largest CPU cost of a call. SQLite
    /// reads each record's array out of `jsonb_each` once, into a materialized table, as JSONB: SQLite's JSON
    /// functions keep parsed text in a cache of their own call site, so fourteen columns' `->>` would each parse a
    /// record given as text again, and read JSONB as it is.
    public func insert(_ records: [RoutingRecord]) async throws {
        guard !records.isEmpty else { return }
        try await store.transaction { database in
            for start in stride(from: 0, to: records.count, by: Self.rowsPerStatement) {
                let batch = Self.json(records[start..<min(start + Self.rowsPerStatement, records.count)])
                let rows: SQLQueryString = database.dialect.name == "postgresql"
                    ? """
                    SELECT (r->>0)::bigint, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7, (r->>8)::bigint, r->>9,
                        r->>10, r->>11, (r->>12)::bigint, (r->>13)::bigint
                    FROM jsonb_array_elements(\(bind: batch)::jsonb) AS r
                    """
                    : """
                    WITH r(v) AS MATERIALIZED (SELECT value FROM jsonb_each(\(bind: batch)))
                    SELECT v->>0, v->>1, v->>2, v->>3, v->>4, v->>5, v->>6, v->>7, v->>8, v->>9, v->>10, v->>11,
                        v->>12, v->>13
                    FROM r
                    """
                try await database.raw("""
                    INSERT INTO routing_records (at, call_id, source, trunk_id, dialed, normalized, lrn, jurisdiction,
                        status, reason, carriers, costs, price_micros, caller_id_flagged)
                    \(rows)
                    """).run()
            }
        }
    }

    /// Records as a JSON array of arrays, in the columns' order.
    ///
    /// Runs for every call routed: the records are read in place (not copied out of the slice) and the carriers'
    /// lists written straight into the text, without joining strings first.
    static func json(_ records: ArraySlice<RoutingRecord>) -> String {
        var json = JSONText()
        json.bytes.reserveCapacity(records.count * 256)
        json.bytes.append(UInt8(ascii: "["))
        for index in records.indices {
            if index > records.startIndex { json.bytes.append(UInt8(ascii: ",")) }
            json.bytes.append(UInt8(ascii: "["))
            json.number(records[index].at)
            json.string(records[index].callID)
            json.string(records[index].source.description)
            json.string(records[index].trunkId)
            json.string(records[index].dialed)
            json.string(records[index].normalized)
            json.string(records[index].lrn)
            json.string(records[index].jurisdiction?.rawValue)
            json.number(Int64(records[index].status))
            json.string(records[index].reason)
            json.string(joining: records[index].carriers) { $0.id }
            json.string(joining: records[index].carriers) { String($0.cost.micros) }
            json.number(records[index].priceMicros)
            json.number(records[index].callerIDFlagged ? 1 : 0)
            json.bytes[json.bytes.count - 1] = UInt8(ascii: "]")
        }
        json.bytes.append(UInt8(ascii: "]"))
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// Records newest first. The operator sees all (or one trunk's); a customer sees the records of calls from its
    /// own trunks. Agents are refused.
    public func records(trunkId: String?, page: PageRequest, by principal: Principal) async throws
        -> Page<StoredRoutingRecord>
    {
        try principal.requireCustomerOrOperator()
        var conditions: [SQLQueryString] = []
        if !principal.isOperator {
            conditions.append("trunk_id IN (SELECT id FROM trunks WHERE account_id = \(bind: principal.accountId))")
        }
        if let trunkId { conditions.append("trunk_id = \(bind: trunkId)") }
        if let cursor = page.cursor {
            guard let id = Int64(cursor), id > 0 else {
                throw ServiceError.invalid("cursor", "is not a cursor from a previous page")
            }
            conditions.append("id < \(bind: id)")
        }
        let filter: SQLQueryString = conditions.isEmpty ? "1 = 1" : "\(conditions.joined(separator: " AND "))"
        let fetched: [StoredRoutingRecord] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM routing_records WHERE \(filter) ORDER BY id DESC LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }.map { record in
            // Which carriers the operator buys from, and at what cost, is not the customer's business.
            guard !principal.isOperator, !record.carriers.isEmpty else { return record }
            var redacted = record
            redacted.carriers = []
            if redacted.status == 302 { redacted.reason = "routed to a carrier" }
            return redacted
        }
        return Page(fetched: fetched, limit: page.limit, cursor: { String($0.id) })
    }

    private static func decode(_ row: any SQLRow) throws -> StoredRoutingRecord {
        let at = try row.decode(column: "at", as: Int64.self)
        let ids = try row.decode(column: "carriers", as: String.self).split(separator: ",")
        let costs = try row.decode(column: "costs", as: String.self).split(separator: ",")
        return StoredRoutingRecord(
            id: try row.decode(column: "id", as: Int64.self),
            at: Date(timeIntervalSince1970: TimeInterval(at / 1_000)),
            atMs: at,
            callId: try row.decode(column: "call_id", as: String.self),
            source: try row.decode(column: "source", as: String.self),
            trunkId: try row.decode(column: "trunk_id", as: String?.self),
            dialed: try row.decode(column: "dialed", as: String.self),
            normalized: try row.decode(column: "normalized", as: String?.self),
            lrn: try row.decode(column: "lrn", as: String?.self),
            jurisdiction: try row.decode(column: "jurisdiction", as: String?.self),
            status: try row.decode(column: "status", as: Int.self),
            reason: try row.decode(column: "reason", as: String.self),
            carriers: zip(ids, costs).map { .init(carrierId: String($0), cost: Money(micros: Int64($1) ?? 0)) },
            price: try row.decode(column: "price_micros", as: Int64?.self).map(Money.init(micros:)),
            callerIdFlagged: try row.decode(column: "caller_id_flagged", as: Int.self) != 0
        )
    }
}

// MARK: - Writer

/// Moves routing records from the queue the hot path fills into the store, in batches.
///
/// It writes whenever ``Configuration/interval`` has passed or the queue's batch threshold is reached, up to
/// ``Configuration/batchSize`` records per transaction. A store error is logged and the batch counted as lost:
/// the writer never stops, and routing never waits for it. On graceful shutdown it writes what is left before
/// returning, so run it in the service group after the store and before the SIP server (services stop in
/// reverse order).
public struct RoutingRecordWriter: Service {
    /// How often and how much the writer writes.
    public struct Configuration: Sendable {
        /// The longest a record waits in the queue while the writer runs.
        public var interval: Duration
        /// Records per transaction.
        public var batchSize: Int
        /// How long records are kept; older ones are deleted about once a minute.
        public var retention: Duration

        public init(interval: Duration = .milliseconds(200), batchSize: Int = 1_000, retention: Duration = .seconds(30 * 86_400)) {
            precondition(batchSize > 0, "the batch size must be positive")
            precondition(retention > .zero, "the retention must be positive")
            self.interval = interval
            self.batchSize = batchSize
            self.retention = retention
        }
    }

    /// How often expired records are deleted.
    static let pruneInterval: Duration = .seconds(60)

    let records: RoutingRecords
    let queue: RoutingRecordQueue
    let configuration: Configuration
    let metrics: TandemMetrics?
    let logger: Logger

    public init(
        records: RoutingRecords, queue: RoutingRecordQueue, configuration: Configuration = .init(),
        metrics: TandemMetrics? = nil, logger: Logger
    ) {
        self.records = records
        self.queue = queue
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let (queue, interval) = (self.queue, configuration.interval)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { queue.wake() }
                }
                var pruned = ContinuousClock.now - Self.pruneInterval
                for await _ in queue.wakeups {
                    if Task.isShuttingDownGracefully { break }
                    await writeWaiting()
                    if pruned.duration(to: .now) >= Self.pruneInterval {
                        pruned = .now
                        await pruneExpired()
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            queue.wake()
        }
        let written = await writeWaiting()
        logger.debug("routing record writer stopped", metadata: ["final": "\(written)"])
    }

    /// Deletes the records older than the retention, by the records' clock; returns how many. Store errors are
    /// logged, never thrown.
    @discardableResult
    public func pruneExpired() async -> Int {
        let cutoff = records.clock.now().addingTimeInterval(-Double(configuration.retention.components.seconds))
        do {
            let deleted = try await records.delete(before: cutoff)
            if deleted > 0 { logger.debug("routing records expired", metadata: ["deleted": "\(deleted)"]) }
            return deleted
        } catch {
            logger.error("expired routing records were not deleted", metadata: ["error": "\(String(reflecting: error))"])
            return 0
        }
    }

    /// Writes every record waiting in the queue, in batches; returns how many were written.
    ///
    /// Store errors are logged and counted as lost, never thrown.
    @discardableResult
    public func writeWaiting() async -> Int {
        var batch: [RoutingRecord] = []
        batch.reserveCapacity(configuration.batchSize)
        var written = 0
        while true {
            batch.removeAll(keepingCapacity: true)
            let drained = queue.drain(into: &batch, maximum: configuration.batchSize)
            guard drained > 0 else { break }
            do {
                try await records.insert(batch)
                written += batch.count
                metrics?.recordsWritten.increment(by: Int64(batch.count))
            } catch {
                metrics?.recordsLost.increment(by: Int64(batch.count))
                logger.error("routing records lost: the store refused a batch", metadata: [
                    "records": "\(batch.count)", "error": "\(String(reflecting: error))",
                ])
            }
            if drained < configuration.batchSize { break }
        }
        return written
    }
}
