import Accounts
import Foundation
import NetworkData
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

// MARK: - Inventory

/// The telephone-number inventory: search, order, reserve, assign, release, and the history of each number.
///
/// Every change is a lifecycle transition checked by ``NumberLifecycle`` and recorded in `number_events`
/// with who did it and why. Changes claim a number with a conditional update on its current status, so two
/// concurrent orders can never both get it, on SQLite and on PostgreSQL alike.
public struct NumberInventory: Sendable {
    /// The tunables of the number lifecycle.
    public struct Configuration: Sendable {
        /// How long a reservation holds a number.
        public var reservationTime: Duration
        /// How long a released number rests before it is sold again.
        public var agingDays: Int

        public init(reservationTime: Duration = .seconds(900), agingDays: Int = 90) {
            self.reservationTime = reservationTime
            self.agingDays = agingDays
        }
    }

    /// Most numbers one bulk request may name.
    public static let maximumBulkNumbers = 1_000
    /// Most numbers one quantity order may take.
    public static let maximumOrderQuantity = 500
    /// Most numbers one inventory addition may create.
    public static let maximumAddition = 1_000_000
    /// Most failures an inventory addition lists (it counts them all).
    public static let maximumReportedFailures = 1_000

    let store: Store
    let configuration: Configuration
    let clock: WallClock

    public init(store: Store, configuration: Configuration = .init(), clock: WallClock) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    // MARK: Search and lists

    /// Available numbers matching `search`, in numeric order, a page at a time (the cursor is the last number).
    public func search(_ search: NumberSearch, page: PageRequest, by principal: Principal) async throws -> Page<AvailableNumber> {
        try principal.requireCustomerOrOperator()
        guard let prefix = search.prefix else { return Page(data: [], nextCursor: nil) }
        let after = try page.cursor.map { cursor throws(ServiceError) in
            guard let number = PhoneNumber(cursor) else { throw .invalid("cursor", "is not a number from a previous page") }
            return number.national
        }
        let fetched: [AvailableNumber] = try await store.read { database in
            try await Self.searchAvailable(
                search, prefix: prefix, after: after, limit: page.limit + 1, backend: store.backend, in: database
            )
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.number.e164)
    }

    private static func searchAvailable(
        _ search: NumberSearch, prefix: String, after: String?, limit: Int, backend: DatabaseBackend,
        in database: any SQLDatabase
    ) async throws -> [AvailableNumber] {
        var conditions: [SQLQueryString] = ["status = 'available'"]
        if !prefix.isEmpty {
            conditions.append("tn >= \(bind: prefix.padding(toLength: 10, withPad: "0", startingAt: 0))")
            conditions.append("tn <= \(bind: prefix.padding(toLength: 10, withPad: "9", startingAt: 0))")
        }
        if let after { conditions.append("tn > \(bind: after)") }
        if let rateCenter = search.rateCenter { conditions.append("rate_center = \(bind: rateCenter)") }
        if let state = search.state { conditions.append("state = \(bind: state)") }
        if let lata = search.lata { conditions.append("lata = \(bind: lata)") }
        if let contains = search.contains { conditions.append("tn LIKE \(bind: "%\(contains)%")") }
        // A suffix of three or more digits is selective: find it through the reversed-number index (and tell
        // SQLite to, as it cannot know). Shorter suffixes match densely; scanning in number order is faster.
        var source: SQLQueryString = "numbers"
        if let endsWith = search.endsWith {
            if endsWith.count >= 3 {
                let reversed = String(endsWith.reversed())
                conditions.append("reversed_tn >= \(bind: reversed.padding(toLength: 10, withPad: "0", startingAt: 0))")
                conditions.append("reversed_tn <= \(bind: reversed.padding(toLength: 10, withPad: "9", startingAt: 0))")
                if backend == .sqlite { source = "numbers INDEXED BY numbers_available_suffix" }
            } else {
                conditions.append("tn LIKE \(bind: "%\(endsWith)")")
            }
        }
        let query: SQLQueryString = """
            SELECT tn, rate_center, state, lata FROM \(source) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY tn LIMIT \(literal: limit)
            """
        return try await database.raw(query).all().map { row in
            AvailableNumber(
                number: try row.phoneNumber(),
                rateCenter: try row.decode(column: "rate_center", as: String.self),
                state: try row.decode(column: "state", as: String.self),
                lata: try row.decode(column: "lata", as: String.self)
            )
        }
    }

    /// The numbers the caller holds (the operator: all, or one account's), optionally by status or trunk.
    public func numbers(
        accountId: String?, status: NumberStatus?, trunkId: String?, page: PageRequest, by principal: Principal
    ) async throws -> Page<NumberRecord> {
        try principal.requireCustomerOrOperator()
        var conditions: [SQLQueryString] = []
        if principal.isOperator {
            if let accountId { conditions.append("account_id = \(bind: accountId)") }
        } else {
            conditions.append("account_id = \(bind: try principal.targetAccount(accountId))")
        }
        if let status { conditions.append("status = \(bind: status.rawValue)") }
        if let trunkId { conditions.append("trunk_id = \(bind: trunkId)") }
        if let cursor = page.cursor {
            guard let number = PhoneNumber(cursor) else { throw ServiceError.invalid("cursor", "is not a number from a previous page") }
            conditions.append("tn > \(bind: number.national)")
        }
        let filter: SQLQueryString = conditions.isEmpty ? "1 = 1" : "\(conditions.joined(separator: " AND "))"
        let fetched: [NumberRecord] = try await store.read { database in
            try await database.raw("SELECT * FROM numbers WHERE \(filter) ORDER BY tn LIMIT \(literal: page.limit + 1)")
                .all().map(Self.decodeRecord)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.number.e164)
    }

    /// One number, if the caller may see it: its owner and the operator may.
    public func number(_ number: PhoneNumber, by principal: Principal) async throws -> NumberRecord {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            try await visibleRecord(number, principal, in: database)
        }
    }

    /// A number's history, oldest first. Customers see only the events from their own time with the number.
    public func history(_ number: PhoneNumber, page: PageRequest, by principal: Principal) async throws -> Page<NumberEvent> {
        try principal.requireCustomerOrOperator()
        let after: Int64 = try page.cursor.map { cursor throws(ServiceError) -> Int64 in
            guard let id = Int64(cursor) else { throw .invalid("cursor", "is not a cursor from a previous page") }
            return id
        } ?? 0
        let fetched: [NumberEvent] = try await store.read { database in
            _ = try await visibleRecord(number, principal, in: database)
            let scope = try principal.listScope()
            return try await database.raw("""
                SELECT * FROM number_events WHERE tn = \(bind: number.national) AND \(scope) AND id > \(bind: after)
                ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decodeEvent)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: { String($0.id) })
    }

    func visibleRecord(
        _ number: PhoneNumber, _ principal: Principal, forUpdate: Bool = false, in database: any SQLDatabase
    ) async throws -> NumberRecord {
        guard let record = try await Self.fetchRecord(number, forUpdate: forUpdate, in: database),
            principal.isOperator || record.accountId == principal.accountId
        else { throw ServiceError.notFound("number") }
        return record
    }

    // MARK: Orders and reservations

    /// Reserves the named numbers for an account, until ``Configuration/reservationTime`` from now.
    public func reserve(_ numbers: [String], accountId: String?, by principal: Principal) async throws -> BulkResult {
        try await bulk(numbers, accountId: accountId, by: principal) { record, account, database in
            try await transition(record, .reserve, account: account, by: principal, in: database)
        }
    }

    /// Orders the named numbers: available ones in one step, the account's own reservations by confirming them.
    public func order(_ numbers: [String], accountId: String?, by principal: Principal) async throws -> BulkResult {
        try await bulk(numbers, accountId: accountId, by: principal) { record, account, database in
            let action: NumberAction = record.status == .reserved ? .confirm : .order
            return try await transition(record, action, account: account, by: principal, in: database)
        }
    }

    /// Reserves (or orders) `quantity` available numbers matching `search`: all of them, or none.
    public func take(
        _ quantity: Int, matching search: NumberSearch, reserve: Bool, accountId: String?, by principal: Principal
    ) async throws -> BulkResult {
        try principal.requireWrite()
        let account = try await orderingAccount(accountId, principal)
        guard (1...Self.maximumOrderQuantity).contains(quantity) else {
            throw ServiceError.invalid("quantity", "must be between 1 and \(Self.maximumOrderQuantity)")
        }
        guard let prefix = search.prefix else {
            throw ServiceError(.insufficientInventory, "no number can match contradictory criteria")
        }
        let action: NumberAction = reserve ? .reserve : .order
        let results: [NumberResult] = try await store.transaction { database in
            var taken: [NumberResult] = []
            var after: String?
            while taken.count < quantity {
                let candidates = try await Self.searchAvailable(
                    search, prefix: prefix, after: after, limit: quantity - taken.count, backend: store.backend,
                    in: database
                )
                guard let last = candidates.last else {
                    throw ServiceError(
                        .insufficientInventory,
                        "only \(taken.count) of the \(quantity) numbers asked for are available; nothing was taken"
                    )
                }
                after = last.number.national
                for candidate in candidates {
                    guard let record = try await Self.fetchRecord(candidate.number, in: database) else { continue }
                    // A concurrent order may have claimed the candidate since the search; skip it then.
                    if let status = try? await transition(record, action, account: account, by: principal, in: database) {
                        taken.append(.success(candidate.number, status))
                    }
                }
            }
            return taken
        }
        return BulkResult(results)
    }

    /// Gives numbers back: a reservation is let go at once, an assigned number starts aging.
    public func release(_ numbers: [String], by principal: Principal) async throws -> BulkResult {
        try await bulk(numbers, accountId: nil, requireAccount: false, by: principal) { record, _, database in
            try ensureOwned(record, principal)
            let action: NumberAction = record.status == .reserved ? .unreserve : .release
            return try await transition(record, action, account: record.accountId, by: principal, in: database)
        }
    }

    /// Points numbers at a trunk of their owner's.
    public func assign(_ numbers: [String], trunkId: String, by principal: Principal) async throws -> BulkResult {
        try await bulk(numbers, accountId: nil, requireAccount: false, by: principal) { record, _, database in
            try ensureOwned(record, principal)
            guard let owner = try await database.raw("SELECT account_id FROM trunks WHERE id = \(bind: trunkId)\(database.forShare)").first()?
                .decode(column: "account_id", as: String.self),
                owner == record.accountId
            else {
                if principal.isOperator, record.status == .assigned {
                    throw ServiceError(.conflict, "trunk \(trunkId) does not belong to the number's account")
                }
                throw ServiceError.notFound("trunk")
            }
            return try await transition(record, .assignTrunk, account: record.accountId, trunk: trunkId, by: principal, in: database)
        }
    }

    /// Detaches numbers from their trunk.
    public func unassign(_ numbers: [String], by principal: Principal) async throws -> BulkResult {
        try await bulk(numbers, accountId: nil, requireAccount: false, by: principal) { record, _, database in
            try ensureOwned(record, principal)
            return try await transition(record, .unassignTrunk, account: record.accountId, trunk: nil, by: principal, in: database)
        }
    }

    private func ensureOwned(_ record: NumberRecord, _ principal: Principal) throws(ServiceError) {
        guard principal.isOperator || record.accountId == principal.accountId else { throw .notFound("number") }
    }

    private func orderingAccount(_ requested: String?, _ principal: Principal) async throws -> String {
        let account = try principal.targetAccount(requested)
        guard account != principal.accountId || !principal.isOperator else {
            throw ServiceError.invalid("account_id", "the operator orders on behalf of a customer account: name it")
        }
        let found = try await store.read { database in try await AccountDirectory.fetchAccount(account, in: database) }
        guard let found, found.kind == .customer else { throw ServiceError.notFound("account") }
        guard found.status == .active else { throw ServiceError(.conflict, "the account is not active") }
        return account
    }

    /// Runs `operation` for each named number in one transaction, in numeric order (so that concurrent bulk
    /// operations lock rows in the same order), collecting a result per number.
    private func bulk(
        _ numbers: [String],
        accountId: String?,
        requireAccount: Bool = true,
        by principal: Principal,
        _ operation: (NumberRecord, String?, any SQLDatabase) async throws -> NumberStatus?
    ) async throws -> BulkResult {
        try principal.requireWrite()
        guard !numbers.isEmpty else { throw ServiceError.invalid("numbers", "must name at least one number") }
        guard numbers.count <= Self.maximumBulkNumbers else {
            throw ServiceError.invalid("numbers", "must name at most \(Self.maximumBulkNumbers) numbers")
        }
        let account = requireAccount ? try await orderingAccount(accountId, principal) : nil
        var results: [Int: NumberResult] = [:]
        var parsed: [(index: Int, number: PhoneNumber)] = []
        var seen: Set<PhoneNumber> = []
        for (index, text) in numbers.enumerated() {
            do {
                let number = try PhoneNumber(parsing: text)
                if seen.insert(number).inserted {
                    parsed.append((index, number))
                } else {
                    results[index] = .failure(text, .invalid("numbers[\(index)]", "is named twice"))
                }
            } catch {
                results[index] = .failure(text, .invalid("numbers[\(index)]", error.description))
            }
        }
        parsed.sort { $0.number < $1.number }
        let outcomes: [Int: NumberResult] = try await store.transaction { database in
            var outcomes: [Int: NumberResult] = [:]
            for (index, number) in parsed {
                do {
                    // A customer asking for a number that is not to be had learns only that: the same answer whether
                    // another tenant holds it, it rests, or Tandem has no such number, never its status or holder.
                    // (Operations on owned numbers answer not-found for another tenant's, as for a missing one.)
                    let customerAsks = requireAccount && !principal.isOperator
                    guard let record = try await Self.fetchRecord(number, in: database) else {
                        if customerAsks { throw ServiceError(.illegalTransition, "the number is not available") }
                        throw ServiceError.notFound("number")
                    }
                    if customerAsks, record.accountId != principal.accountId, record.status != .available {
                        throw ServiceError(.illegalTransition, "the number is not available")
                    }
                    outcomes[index] = .success(number, try await operation(record, account, database))
                } catch let error as ServiceError {
                    outcomes[index] = .failure(number.e164, error)
                }
            }
            return outcomes
        }
        results.merge(outcomes) { first, _ in first }
        return BulkResult(numbers.indices.map { results[$0]! })
    }

    /// Applies one lifecycle transition to a number, if it still is as `record` says, and records it.
    ///
    /// `account` is the number's owner after the transition (the reserving or ordering customer); `trunk`
    /// (for trunk assignments) the new trunk. Throws `illegal-transition`, or `conflict` when a concurrent
    /// change got there first.
    @discardableResult
    func transition(
        _ record: NumberRecord,
        _ action: NumberAction,
        account: String?,
        trunk: String? = nil,
        reason: String? = nil,
        by principal: Principal,
        in database: any SQLDatabase
    ) async throws -> NumberStatus? {
        try await transition(record, action, account: account, trunk: trunk, reason: reason, actor: principal.actor, in: database)
    }

    @discardableResult
    func transition(
        _ record: NumberRecord,
        _ action: NumberAction,
        account: String?,
        trunk: String?,
        reason: String?,
        actor: String,
        in database: any SQLDatabase
    ) async throws -> NumberStatus? {
        let now = clock.now()
        if action == .confirm {
            guard record.accountId == account else {
                throw ServiceError(.illegalTransition, "the number is reserved by another customer")
            }
            if let until = record.reservedUntil, until <= now {
                throw ServiceError(.illegalTransition, "the reservation expired at \(until.formatted(.iso8601))")
            }
        }
        if action == .unreserve || action == .release, record.accountId != account {
            throw ServiceError.notFound("number")
        }
        let next = try NumberLifecycle.next(from: record.status, on: action)
        guard let next else {
            throw ServiceError(.illegalTransition, "\(action.rawValue) removes the number; use the operator's removal")
        }
        let owner: String? = switch next {
        case .available, .aging: nil
        case .reserved, .assigned, .portingIn, .portedOut: account
        }
        let trunkAfter: String? = switch action {
        case .assignTrunk: trunk
        case .unassignTrunk, .release, .portOut: nil
        default: record.trunkId
        }
        let reservedUntil: Int64? = next == .reserved
            ? now.addingTimeInterval(Double(configuration.reservationTime.components.seconds)).unixSeconds : nil
        let agingUntil: Int64? = next == .aging
            ? now.addingTimeInterval(Double(configuration.agingDays) * 86_400).unixSeconds : nil
        let claimed = try await database.raw("""
            UPDATE numbers SET status = \(bind: next.rawValue), account_id = \(bind: owner), trunk_id = \(bind: trunkAfter),
                reserved_until = \(bind: reservedUntil), aging_until = \(bind: agingUntil), updated_at = \(bind: now.unixSeconds)
            WHERE tn = \(bind: record.number.national) AND status = \(bind: record.status.rawValue)
                AND account_id IS NOT DISTINCT FROM \(bind: record.accountId)
            RETURNING tn
            """).first()
        guard claimed != nil else {
            throw ServiceError(.conflict, "the number changed while this request ran; try again")
        }
        if owner != record.accountId || next != .assigned {
            // Failover targets, the E911 address, the caller name and a port's cutover forwarding belong to the
            // number's owner while it is assigned; they never pass on to the next owner.
            try await database.raw("DELETE FROM number_failover WHERE tn = \(bind: record.number.national)").run()
            try await database.raw("UPDATE numbers SET caller_name = NULL WHERE tn = \(bind: record.number.national)").run()
            try await database.raw("DELETE FROM number_e911 WHERE tn = \(bind: record.number.national)").run()
            try await database.raw("DELETE FROM cutover_forwards WHERE tn = \(bind: record.number.national)").run()
        }
        try await RoutingEpoch.bump(in: database)
        try await Self.recordEvents(
            [record.number], action: action, from: record.status, to: next, account: owner ?? record.accountId,
            trunk: trunkAfter ?? record.trunkId, actor: actor, reason: reason, at: now, in: database
        )
        return next
    }

    // MARK: Operator: stock

    /// Adds numbers to the inventory as available (operator only).
    ///
    /// Each number takes its rate center, state and LATA from the reference data (the thousands-block record
    /// when there is one, else the exchange's); a number without reference data, or already in the inventory,
    /// fails alone. All additions land in one transaction.
    public func add(_ numbers: [PhoneNumber], by principal: Principal) async throws -> InventoryAddResult {
        try principal.requireOperator()
        return try await add(numbers, actor: principal.actor)
    }

    /// Adds numbers without a caller (demo data, imports, benchmarks).
    public func add(_ numbers: [PhoneNumber], actor: String) async throws -> InventoryAddResult {
        guard numbers.count <= Self.maximumAddition else {
            throw ServiceError.invalid("numbers", "at most \(Self.maximumAddition) numbers may be added at once")
        }
        let unique = Array(Set(numbers)).sorted()
        let now = clock.now()
        return try await store.transaction { database in
            var failures: [NumberResult] = []
            var failed = numbers.count - unique.count
            var added = 0
            let exchanges = try await ReferenceData.locations(for: Set(unique.map(\.npaNXX)), in: database)
            var batch: [(PhoneNumber, ReferenceData.Location)] = []
            func flush() async throws {
                guard !batch.isEmpty else { return }
                let values = batch.map { number, location -> SQLQueryString in
                    """
                    (\(bind: number.national), \(bind: String(number.national.reversed())), \(bind: location.rateCenter), \
                    \(bind: location.state), \(bind: location.lata), 'available', \(bind: now.unixSeconds))
                    """
                }
                let inserted = try await database.raw("""
                    INSERT INTO numbers (tn, reversed_tn, rate_center, state, lata, status, updated_at)
                    VALUES \(values.joined(separator: ", ")) ON CONFLICT (tn) DO NOTHING RETURNING tn
                    """).all().map { try $0.phoneNumber() }
                let insertedSet = Set(inserted)
                for (number, _) in batch where !insertedSet.contains(number) {
                    failed += 1
                    if failures.count < Self.maximumReportedFailures {
                        failures.append(.failure(number.e164, ServiceError(.conflict, "already in the inventory")))
                    }
                }
                try await Self.recordEvents(
                    inserted, action: .add, from: nil, to: .available, account: nil, trunk: nil, actor: actor,
                    reason: nil, at: now, in: database
                )
                added += inserted.count
                batch.removeAll(keepingCapacity: true)
            }
            for number in unique {
                guard let location = exchanges[number.npaNXX + String(number.thousandsBlock)] ?? exchanges[number.npaNXX] else {
                    failed += 1
                    if failures.count < Self.maximumReportedFailures {
                        failures.append(.failure(number.e164, .invalid(
                            "numbers", "no reference data for \(number.npaNXX.prefix(3))-\(number.npaNXX.suffix(3)); import NPA-NXX data first"
                        )))
                    }
                    continue
                }
                batch.append((number, location))
                if batch.count == 2_000 { try await flush() }
            }
            try await flush()
            return InventoryAddResult(added: added, failed: failed, failures: failures)
        }
    }

    // MARK: Housekeeping

    /// Expires overdue reservations and returns aged numbers to stock; returns how many of each.
    public func sweep() async throws -> (expired: Int, reclaimed: Int) {
        let now = clock.now()
        return try await store.transaction { database in
            var counts = (expired: 0, reclaimed: 0)
            for (status, action, column) in [
                (NumberStatus.reserved, NumberAction.expire, "reserved_until"), (.aging, .reclaim, "aging_until"),
            ] {
                let rows = try await database.raw("""
                    SELECT * FROM numbers WHERE status = \(bind: status.rawValue) AND \(ident: column) <= \(bind: now.unixSeconds)
                    ORDER BY tn LIMIT 10000
                    """).all().map(Self.decodeRecord)
                var changed = 0
                for record in rows {
                    // A number changed meanwhile (released, confirmed) is skipped, not a reason to undo the batch.
                    let reason = "\(column.replacingOccurrences(of: "_", with: " ")) passed"
                    if (try? await transition(record, action, account: nil, trunk: nil, reason: reason, actor: "system", in: database)) != nil {
                        changed += 1
                    }
                }
                if action == .expire { counts.expired = changed } else { counts.reclaimed = changed }
            }
            return counts
        }
    }

    // MARK: Rows

    package static func fetchRecord(_ number: PhoneNumber, forUpdate: Bool = false, in database: any SQLDatabase) async throws -> NumberRecord? {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        return try await database.raw("SELECT * FROM numbers WHERE tn = \(bind: number.national)\(lock)").first().map(decodeRecord)
    }

    static func recordEvents(
        _ numbers: [PhoneNumber], action: NumberAction, from: NumberStatus?, to: NumberStatus?, account: String?,
        trunk: String?, actor: String, reason: String?, at now: Date, in database: any SQLDatabase
    ) async throws {
        for chunk in stride(from: 0, to: numbers.count, by: 2_000).map({ numbers[$0..<min($0 + 2_000, numbers.count)] }) {
            let values = chunk.map { number -> SQLQueryString in
                """
                (\(bind: number.national), \(bind: now.unixSeconds), \(bind: action.rawValue), \(bind: from?.rawValue), \
                \(bind: to?.rawValue), \(bind: account), \(bind: trunk), \(bind: actor), \(bind: reason))
                """
            }
            try await database.raw("""
                INSERT INTO number_events (tn, at, action, from_status, to_status, account_id, trunk_id, actor, reason)
                VALUES \(values.joined(separator: ", "))
                """).run()
        }
    }

    static func decodeRecord(_ row: any SQLRow) throws -> NumberRecord {
        NumberRecord(
            number: try row.phoneNumber(),
            status: try row.decodeEnum(column: "status"),
            accountId: try row.decode(column: "account_id", as: String?.self),
            trunkId: try row.decode(column: "trunk_id", as: String?.self),
            rateCenter: try row.decode(column: "rate_center", as: String.self),
            state: try row.decode(column: "state", as: String.self),
            lata: try row.decode(column: "lata", as: String.self),
            reservedUntil: try row.decode(column: "reserved_until", as: Int64?.self).map(Date.init(unixSeconds:)),
            agingUntil: try row.decode(column: "aging_until", as: Int64?.self).map(Date.init(unixSeconds:)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    private static func decodeEvent(_ row: any SQLRow) throws -> NumberEvent {
        NumberEvent(
            id: try row.decode(column: "id", as: Int64.self),
            number: try row.phoneNumber(),
            at: Date(unixSeconds: try row.decode(column: "at", as: Int64.self)),
            action: try row.decodeEnum(column: "action"),
            fromStatus: try row.decode(column: "from_status", as: String?.self).flatMap(NumberStatus.init(rawValue:)),
            toStatus: try row.decode(column: "to_status", as: String?.self).flatMap(NumberStatus.init(rawValue:)),
            accountId: try row.decode(column: "account_id", as: String?.self),
            trunkId: try row.decode(column: "trunk_id", as: String?.self),
            actor: try row.decode(column: "actor", as: String.self),
            reason: try row.decode(column: "reason", as: String?.self)
        )
    }
}

extension SQLRow {
    /// The `tn` column as a number.
    package func phoneNumber() throws -> PhoneNumber {
        let digits = try decode(column: "tn", as: String.self)
        guard let number = PhoneNumber(digits) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "stored number '\(digits)' is invalid"))
        }
        return number
    }
}
