import Foundation
import Logging
import Platform
import Rating
import Routing
import SQLKit
import Store
import Synchronization
import Telephony
import Timekeeping

// MARK: - Records

/// The CDRs in the store: rated as they arrive (``CDRRater``, from the decision token each carries), stored once
/// whatever how often they arrive, listed per tenant, explained one at a time.
public struct CallDetailRecords: Sendable {
    /// Rows per `INSERT` statement.
    static let rowsPerStatement = 500
    /// The most records one call to ``ingest(_:rater:)`` takes.
    public static let maximumBatch = 10_000

    let store: Store
    let tokens: DecisionToken
    /// The carriers that have each gateway now (``CDRRater/gatewayOwners(_:)``), for ``ingest(_:)``.
    let gateways: @Sendable () -> [String: [String]]
    /// Told of the stored calls that lost money, in their transaction.
    let losses: CDRLossHandler?
    let clock: WallClock
    /// The months whose PostgreSQL partition this process has made or seen.
    private let partitions = Partitions()

    /// Records in `store`, rated with `tokens` (the key this server seals decisions with) and the carriers' gateways
    /// as `gateways` reads them at each ingestion; `losses` hears of the calls that lost money as they are stored.
    public init(
        store: Store, tokens: DecisionToken, gateways: @escaping @Sendable () -> [String: [String]], losses: CDRLossHandler? = nil,
        clock: WallClock
    ) {
        self.store = store
        self.tokens = tokens
        self.gateways = gateways
        self.losses = losses
        self.clock = clock
    }

    /// Rates `records` against the carriers' gateways as they are now, and stores them (``ingest(_:rater:)``).
    public func ingest(_ records: [CallDetailRecord]) async throws -> IngestOutcome {
        try await ingest(records, rater: CDRRater(tokens: tokens, gateways: gateways()))
    }

    /// Rates `records` and stores them in one transaction, each once: a record already stored (its format, key and
    /// start) is left as it was, whichever way it came. Nothing is stored when the transaction fails.
    public func ingest(_ records: [CallDetailRecord], rater: CDRRater) async throws -> IngestOutcome {
        guard !records.isEmpty else { return IngestOutcome() }
        guard records.count <= Self.maximumBatch else {
            throw ServiceError.invalid("cdrs", "more than \(Self.maximumBatch) records at once")
        }
        let receivedAt = clock.unixMilliseconds()
        for (index, record) in records.enumerated() {
            do throws(CDRLineError) {
                try Self.checkStart(of: record, now: receivedAt)
            } catch {
                throw ServiceError.invalid("cdrs[\(index)]", error.description)
            }
        }
        var rows = [Row]()
        rows.reserveCapacity(records.count)
        for record in records {
            rows.append(Row(record: record, rated: rater.rate(record), id: Identifier.make(prefix: "cdr")))
        }
        let months = Set(rows.map { Partitions.month(ofUnixMilliseconds: $0.record.startedAt) })
        let postgres = store.backend == .postgres
        var missing = postgres ? partitions.missing(months) : []
        let outcome: IngestOutcome
        do {
            outcome = try await write(rows, making: missing, receivedAt: receivedAt, postgres: postgres)
        } catch where postgres && String(reflecting: error).contains("no partition of relation") {
            // Another node (or `tandem import cdrs`) dropped a month's partition this process knew: make them all again.
            partitions.forget(months)
            missing = months
            outcome = try await write(rows, making: missing, receivedAt: receivedAt, postgres: postgres)
        }
        partitions.made(missing)
        var result = outcome
        result.repeated = records.count - outcome.stored
        return result
    }

    /// Stores `rows` in one transaction, after making the partitions of the months in `making` in one of their own:
    /// making a partition locks the whole table, which must not wait for a batch to commit.
    private func write(_ rows: [Row], making missing: Set<Int>, receivedAt: Int64, postgres: Bool) async throws -> IngestOutcome {
        if !missing.isEmpty {
            try await store.transaction { database in
                for month in missing.sorted() { try await Partitions.make(month, in: database) }
            }
        }
        let losses = self.losses
        return try await store.transaction { database in
            var outcome = IngestOutcome()
            var losing: [CDRLoss] = []
            for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
                let slice = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
                let inserted = try await Self.insert(slice, receivedAt: receivedAt, postgres: postgres, in: database)
                outcome.stored += inserted.count
                for row in slice where inserted.contains(row.id) {
                    if row.isRated { outcome.rated += 1 }
                    if row.rated.problem == .badDecision { outcome.badDecisions += 1 }
                    if let loss = row.loss { losing.append(loss) }
                }
                try await ImportPauseHook.rowsAdded(inserted.count)
            }
            outcome.losingMoney = losing.count
            if let losses, !losing.isEmpty { try await losses(losing, database) }
            return outcome
        }
    }

    /// How far ahead of this server's clock a record may start: a switch's clock may run ahead, not by a day.
    public static let clockSkewToleranceMs: Int64 = 86_400_000

    /// `record`, unless it starts more than ``clockSkewToleranceMs`` after this server's clock.
    public func checkingStart(_ record: CallDetailRecord) throws(CDRLineError) -> CallDetailRecord {
        try Self.checkStart(of: record, now: clock.unixMilliseconds())
        return record
    }

    /// Refuses a record that starts more than ``clockSkewToleranceMs`` after `now` (Unix milliseconds).
    public static func checkStart(of record: CallDetailRecord, now: Int64) throws(CDRLineError) {
        guard record.startedAt <= now + clockSkewToleranceMs else {
            throw CDRLineError("the call starts more than a day after this server's time")
        }
    }

    /// A record ready to store: the switch's and the rating's columns.
    struct Row {
        var record: CallDetailRecord
        var rated: RatedCDR
        var id: String

        var isRated: Bool { rated.rating?.price.amount != nil && rated.rating?.cost.amount != nil }

        /// The call's loss, when it cost more than it earned.
        var loss: CDRLoss? {
            guard let rating = rated.rating, rating.losesMoney, let price = rating.price.amount, let cost = rating.cost.amount,
                let margin = rating.margin
            else { return nil }
            return CDRLoss(
                cdrId: id, callId: record.callID, accountId: rated.decision?.accountId, trunkId: rated.decision?.trunkId,
                carrierId: rated.carrierId, destination: rated.decision?.destination,
                startedAt: Date(timeIntervalSince1970: Double(record.startedAt) / 1_000), billableSeconds: record.billableSeconds,
                price: price, cost: cost, margin: margin
            )
        }
    }

    private static func insert(
        _ rows: ArraySlice<Row>, receivedAt: Int64, postgres: Bool, in database: any SQLDatabase
    ) async throws -> Set<String> {
        let batch = json(rows, receivedAt: receivedAt)
        let values: SQLQueryString = postgres
            ? """
            SELECT r->>0, (r->>1)::bigint, r->>2, r->>3, r->>4, (r->>5)::bigint, (r->>6)::bigint, (r->>7)::bigint,
                (r->>8)::bigint, (r->>9)::bigint, (r->>10)::bigint, (r->>11)::bigint, r->>12, r->>13, r->>14, r->>15,
                r->>16, r->>17, r->>18, r->>19, r->>20, r->>21, (r->>22)::bigint, r->>23, (r->>24)::bigint, r->>25,
                r->>26, r->>27
            FROM jsonb_array_elements(\(bind: batch)::jsonb) AS r
            """
            : """
            WITH r(v) AS MATERIALIZED (SELECT value FROM jsonb_each(\(bind: batch)))
            SELECT v->>0, v->>1, v->>2, v->>3, v->>4, v->>5, v->>6, v->>7, v->>8, v->>9, v->>10, v->>11, v->>12, v->>13,
                v->>14, v->>15, v->>16, v->>17, v->>18, v->>19, v->>20, v->>21, v->>22, v->>23, v->>24, v->>25, v->>26,
                v->>27
            FROM r WHERE true
            """
        // `WHERE true`: SQLite reads `ON CONFLICT` after a bare `FROM` as a join's `ON`.
        let inserted = try await database.raw("""
            INSERT INTO cdrs (id, started_at, format, record_key, call_id, received_at, setup_at, answered_at, ended_at,
                duration_ms, billable_seconds, sip_code, source, caller, dialed, gateway, direction, account_id, trunk_id,
                destination, jurisdiction, carrier_id, price_micros, price_rating, cost_micros, cost_rating, problem, decision)
            \(values)
            ON CONFLICT (format, record_key, started_at) DO NOTHING
            RETURNING id
            """).all()
        return Set(try inserted.map { try $0.decode(column: "id", as: String.self) })
    }

    /// The rows as a JSON array of arrays, in the columns' order.
    static func json(_ rows: ArraySlice<Row>, receivedAt: Int64) -> String {
        var json = JSONText()
        json.bytes.reserveCapacity(rows.count * 512)
        json.bytes.append(UInt8(ascii: "["))
        for index in rows.indices {
            if index > rows.startIndex { json.bytes.append(UInt8(ascii: ",")) }
            let record = rows[index].record, rated = rows[index].rated
            let decision = rated.decision
            json.bytes.append(UInt8(ascii: "["))
            json.string(rows[index].id)
            json.number(record.startedAt)
            json.string(record.format.rawValue)
            json.string(record.key)
            json.string(record.callID)
            json.number(receivedAt)
            json.number(record.setupAt)
            json.number(record.answeredAt)
            json.number(record.endedAt)
            json.number(record.durationMs)
            json.number(record.billableSeconds)
            json.number(Int64(record.sipCode))
            json.string(record.source)
            json.string(record.caller)
            json.string(record.dialed)
            json.string(record.gateway)
            json.string(decision.map { Self.direction($0.kind) })
            json.string(decision?.accountId)
            json.string(decision?.trunkId)
            json.string(decision?.destination)
            json.string(decision?.jurisdiction?.rawValue)
            json.string(rated.carrierId)
            json.number(rated.rating?.price.amount?.micros)
            json.string(Self.rating(rated.rating?.price, problem: rated.problem))
            json.number(rated.rating?.cost.amount?.micros)
            json.string(Self.rating(rated.rating?.cost, problem: rated.problem))
            json.string(rated.problem?.rawValue)
            json.string(record.decision)
            json.bytes[json.bytes.count - 1] = UInt8(ascii: "]")
        }
        json.bytes.append(UInt8(ascii: "]"))
        return String(decoding: json.bytes, as: UTF8.self)
    }

    /// How a side is stored: `charged`, `free:<reason>`, `unrated:<reason>`.
    static func rating(_ side: SideRating?, problem: RatedCDR.Problem?) -> String {
        switch side {
        case .charged: "charged"
        case .free(let reason): "free:\(reason.rawValue)"
        case .unrated(let reason): "unrated:\(reason.rawValue)"
        case nil: "unrated:\(problem?.rawValue ?? RatedCDR.Problem.noDecision.rawValue)"
        }
    }

    static func direction(_ kind: CallDecision.Kind) -> String {
        switch kind {
        case .outbound: "outbound"
        case .inbound: "inbound"
        case .emergency: "emergency"
        }
    }

    // MARK: Reading

    /// The records the caller may see, newest first: the operator's all (or one account's), a customer's its own.
    /// Agents, partners and switches are refused.
    public func records(_ filter: CDRFilter, page: PageRequest, by principal: Principal) async throws -> Page<StoredCDR> {
        var conditions = try Self.conditions(filter, by: principal)
        if let cursor = page.cursor {
            let parts = cursor.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]), parts[1].hasPrefix("cdr") else {
                throw ServiceError.invalid("cursor", "is not a cursor from a previous page")
            }
            let id = String(parts[1])
            conditions.append("(started_at < \(bind: at) OR (started_at = \(bind: at) AND id < \(bind: id)))")
        }
        let filterSQL: SQLQueryString = "\(conditions.joined(separator: " AND "))"
        let fetched = try await store.read { database in
            try await database.raw("""
                SELECT * FROM cdrs WHERE \(filterSQL) ORDER BY started_at DESC, id DESC LIMIT \(literal: page.limit + 1)
                """).all()
        }.map { try Self.decode($0, for: principal, explained: nil) }
        return Page(fetched: fetched, limit: page.limit, cursor: { "\($0.startedAt.unixMilliseconds)_\($0.id)" })
    }

    /// The conditions that keep `cdrs` to what `filter` asks of what `principal` may see. Rated means both sides are
    /// charged or free, for a customer its price.
    static func conditions(_ filter: CDRFilter, by principal: Principal) throws -> [SQLQueryString] {
        try principal.requireCustomerOrOperator()
        var conditions: [SQLQueryString] = [try principal.listScope(filter.accountId)]
        if let from = filter.from { conditions.append("started_at >= \(bind: from.unixMilliseconds)") }
        if let to = filter.to { conditions.append("started_at < \(bind: to.unixMilliseconds)") }
        if let trunkId = filter.trunkId { conditions.append("trunk_id = \(bind: trunkId)") }
        if let number = filter.number {
            conditions.append("(caller = \(bind: number) OR dialed = \(bind: number) OR destination = \(bind: number))")
        }
        if let direction = filter.direction { conditions.append("direction = \(bind: Self.direction(direction))") }
        let unrated: SQLQueryString = principal.isOperator
            ? "(price_rating LIKE 'unrated%' OR cost_rating LIKE 'unrated%')" : "price_rating LIKE 'unrated%'"
        switch filter.rated {
        case true?: conditions.append("NOT \(unrated)")
        case false?: conditions.append(unrated)
        case nil: break
        }
        return conditions
    }

    /// One record with its rating explained: the decision it was rated by, and each side's charge step by step.
    public func record(id: String, by principal: Principal) async throws -> StoredCDR {
        try principal.requireCustomerOrOperator()
        let scope = try principal.listScope()
        guard let row = try await store.read({ database in
            try await database.raw("SELECT * FROM cdrs WHERE id = \(bind: id) AND \(scope)").first()
        }) else { throw ServiceError.notFound("cdr") }
        return try Self.decode(row, for: principal, explained: tokens)
    }

    /// Deletes the records of calls that started before `cutoff`: on PostgreSQL by dropping each month's partition
    /// that ends by then, then in batches (as on SQLite) what is left of the month the cutoff falls in. Returns
    /// how many rows went (a dropped partition's as PostgreSQL's statistics estimate them).
    public func delete(before cutoff: Date, chunk: Int = 10_000) async throws -> Int {
        let cutoffMs = cutoff.unixMilliseconds
        var deleted = 0
        if store.backend == .postgres {
            let whole = try await store.read { database in
                try await Partitions.existing(in: database).filter { Partitions.end(of: $0) <= cutoffMs }
            }
            for month in whole {
                deleted += try await store.transaction { database in
                    // The planner's estimate of the rows, not a count: counting would read the whole month.
                    let estimate = try await database.raw("""
                        SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE oid = \(bind: Partitions.name(of: month))::regclass
                        """).first()?.decode(column: "n", as: Int.self) ?? 0
                    try await database.raw("DROP TABLE \(unsafeRaw: Partitions.name(of: month))").run()
                    return max(estimate, 0)
                }
                partitions.dropped(month)
            }
        }
        return deleted + (try await store.deleteRows(from: "cdrs", where: "started_at", below: cutoffMs, chunk: chunk))
    }

    private static func decode(_ row: any SQLRow, for principal: Principal, explained tokens: DecisionToken?) throws -> StoredCDR {
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map { Date(timeIntervalSince1970: Double($0) / 1_000) }
        }
        func side(_ ratingColumn: String, _ microsColumn: String) throws -> StoredCDR.Side {
            let rating = try row.decode(column: ratingColumn, as: String.self)
            let parts = rating.split(separator: ":", maxSplits: 1).map(String.init)
            return StoredCDR.Side(
                status: parts[0], reason: parts.count > 1 ? parts[1] : nil,
                amount: try row.decode(column: microsColumn, as: Int64?.self).map(Money.init(micros:)), explanation: nil
            )
        }
        var price = try side("price_rating", "price_micros")
        var cost = try side("cost_rating", "cost_micros")
        let seconds = try row.decode(column: "billable_seconds", as: Int64.self)
        let carrierId = try row.decode(column: "carrier_id", as: String?.self)
        var decisionLines: [String]?
        if let tokens, let token = try row.decode(column: "decision", as: String?.self), let decision = try? tokens.open(token) {
            decisionLines = Self.explain(decision, carrierId: carrierId, forOperator: principal.isOperator)
            price.explanation = Self.explain(price, seconds: seconds, rate: decision.price)
            cost.explanation = Self.explain(cost, seconds: seconds, rate: decision.carriers.first { $0.id == carrierId }?.rate)
        }
        let isOperator = principal.isOperator
        let rated = price.status != "unrated" && (!isOperator || cost.status != "unrated")
        return StoredCDR(
            id: try row.decode(column: "id", as: String.self),
            format: try row.decode(column: "format", as: String.self),
            callId: try row.decode(column: "call_id", as: String.self),
            direction: try row.decode(column: "direction", as: String?.self),
            accountId: try row.decode(column: "account_id", as: String?.self),
            trunkId: try row.decode(column: "trunk_id", as: String?.self),
            caller: try row.decode(column: "caller", as: String.self),
            dialed: try row.decode(column: "dialed", as: String.self),
            destination: try row.decode(column: "destination", as: String?.self),
            jurisdiction: try row.decode(column: "jurisdiction", as: String?.self),
            source: try row.decode(column: "source", as: String.self),
            setupAt: try date("setup_at"), answeredAt: try date("answered_at"),
            startedAt: try date("started_at") ?? Date(timeIntervalSince1970: 0),
            endedAt: try date("ended_at") ?? Date(timeIntervalSince1970: 0),
            durationMs: try row.decode(column: "duration_ms", as: Int64.self),
            billableSeconds: seconds,
            sipCode: try row.decode(column: "sip_code", as: Int.self),
            rated: rated,
            problem: try row.decode(column: "problem", as: String?.self),
            price: price,
            cost: isOperator ? cost : nil,
            margin: isOperator ? price.amount.flatMap { price in cost.amount.map { price - $0 } } : nil,
            carrierId: isOperator ? carrierId : nil,
            gateway: isOperator ? try row.decode(column: "gateway", as: String.self) : nil,
            decision: decisionLines,
            receivedAt: try date("received_at") ?? Date(timeIntervalSince1970: 0)
        )
    }

    /// The decision a record was rated by, in words.
    static func explain(_ decision: CallDecision, carrierId: String?, forOperator: Bool) -> [String] {
        let decided = Date(timeIntervalSince1970: Double(decision.decidedAt)).formatted(.iso8601)
        var lines = ["\(direction(decision.kind)) call, routed at \(decided) (the 302's decision token, signed by this server)"]
        if let destination = decision.destination {
            lines.append("to \(destination)" + (decision.jurisdiction.map { ", \($0.rawValue)" } ?? ""))
        }
        if let price = decision.price { lines.append("the customer's rate: \(price.perMinute)/min, \(price.initialSeconds)/\(price.incrementSeconds)") }
        if forOperator {
            for carrier in decision.carriers {
                let answered = carrier.id == carrierId ? " (answered)" : ""
                lines.append("carrier \(carrier.id): \(carrier.rate.perMinute)/min, \(carrier.rate.initialSeconds)/\(carrier.rate.incrementSeconds)\(answered)")
            }
            if carrierId == nil, decision.kind == .outbound {
                lines.append("no carrier of the decision has the gateway that answered: the cost is unrated")
            }
        }
        return lines
    }

    /// A side's charge step by step, when it was charged.
    static func explain(_ side: StoredCDR.Side, seconds: Int64, rate: Rate?) -> [String]? {
        guard side.status == "charged", let rate, let charge = BillingRule.charge(seconds: seconds, rate: rate, terms: .none) else {
            return side.reason.map { ["\(side.status): \($0)"] }
        }
        return charge.explanation
    }
}

extension PeriodicService {
    /// Deletes the CDRs of calls that started more than `days` ago, checking every hour (``CallDetailRecords/delete(before:chunk:)``).
    public static func cdrRetention(
        records: CallDetailRecords, days: Int, interval: Duration = .seconds(3_600), clock: WallClock, logger: Logger
    ) -> PeriodicService {
        PeriodicService("CDR retention", every: interval, logger: logger) {
            let deleted = try await records.delete(before: clock.now().addingTimeInterval(-Double(days) * 86_400))
            if deleted > 0 { logger.info("CDRs past their retention deleted", metadata: ["cdrs": "\(deleted)", "days": "\(days)"]) }
        }
    }
}
