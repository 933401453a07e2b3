import Crypto
import Emergency
import Foundation
import Inventory
import NetworkData
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping
import Webhooks

// MARK: - Orders

/// Port-in orders: checked, split per losing carrier, driven through ``PortOrderMachine`` by the customer, the
/// losing carrier (``PortingPartner``) and the clock, with every change on the order's timeline.
///
/// The partner is called outside database transactions: an order moves to `submitted` and is committed first,
/// then the partner's answer is applied as an event of its own.
public struct PortOrders: Sendable {
    let store: Store
    let partner: any PortingPartner
    let clock: WallClock

    public static let maximumNumbers = 1_000
    public static let maximumDocumentBytes = 5_000_000
    /// The longest cutover forwarding an order may ask for: three days.
    public static let maximumCutoverHours = 72

    public init(store: Store, partner: any PortingPartner, clock: WallClock) {
        self.store = store
        self.partner = partner
        self.clock = clock
    }

    /// Checks every number and creates draft orders, one per losing carrier; numbers that cannot be ported are
    /// listed with their reason without failing the others.
    public func create(_ draft: PortOrderDraft, by principal: Principal) async throws -> PortOrderCreation {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let account = try principal.targetAccount(draft.accountId)
        guard (1...Self.maximumNumbers).contains(draft.numbers.count) else {
            throw ServiceError.invalid("numbers", "1 to \(Self.maximumNumbers) numbers")
        }
        let (loa, document) = try Self.validate(draft.loa)
        try Self.validate(draft.account)
        if let hours = draft.cutoverForwardHours, !(1...Self.maximumCutoverHours).contains(hours) {
            throw ServiceError.invalid("cutover_forward_hours", "must be 1 to \(Self.maximumCutoverHours) hours")
        }
        let now = Date(unixSeconds: clock.now().unixSeconds)
        return try await store.transaction { database in
            if let trunk = draft.trunkId {
                guard try await TrunkDirectory.owner(ofTrunk: trunk, in: database) == account else {
                    throw ServiceError.notFound("trunk")
                }
            }
            if let address = draft.e911AddressId {
                guard try await EmergencyAddresses.owner(ofAddress: address, in: database) == account else {
                    throw ServiceError.invalid("e911_address_id", "is not a validated address of the account")
                }
            }
            var failed: [NumberResult] = []
            var parsed: [PhoneNumber] = []
            for text in draft.numbers {
                do throws(NumberError) {
                    parsed.append(try PhoneNumber(parsing: text))
                } catch {
                    failed.append(NumberResult.failure(text, .invalid("numbers", error.description)))
                }
            }
            var byCarrier: [String: [(PhoneNumber, PortSource)]] = [:]
            for (number, verdict) in try await Self.portability(of: Array(Set(parsed)), in: database).sorted(by: { $0.key < $1.key }) {
                switch verdict {
                case .success(let source): byCarrier[source.ocn, default: []].append((number, source))
                case .failure(let error): failed.append(NumberResult.failure(number.e164, error))
                }
            }
            var orders: [PortOrder] = []
            for (ocn, numbers) in byCarrier.sorted(by: { $0.key < $1.key }) {
                let order = PortOrder(
                    id: Identifier.make(prefix: "po"), accountId: account, trunkId: draft.trunkId, losingOcn: ocn,
                    losingCarrier: numbers[0].1.company, state: PortOrderState.draft.name, numbers: numbers.map(\.0),
                    account: draft.account, loa: loa, e911AddressId: draft.e911AddressId, callerName: draft.callerName,
                    cutoverForwardHours: draft.cutoverForwardHours, createdAt: now, updatedAt: now
                )
                try await Self.insert(order, document: document, in: database)
                try await Self.record(order.id, PortOrderEventRecord(
                    at: now, event: "create", fromState: "draft", toState: "draft", detail: nil, actor: principal.actor
                ), in: database)
                orders.append(order)
            }
            return PortOrderCreation(orders: orders, failed: failed)
        }
    }

    /// One of the caller's orders (any, for the operator).
    public func order(_ id: String, by principal: Principal) async throws -> PortOrder {
        try principal.requireCustomerOrOperator()
        return try await store.read { try await Self.visible(id, principal, forUpdate: false, in: $0) }
    }

    /// The caller's orders (the operator: all), by id.
    public func orders(page: PageRequest, by principal: Principal) async throws -> Page<PortOrder> {
        try principal.requireCustomerOrOperator()
        let scope = try principal.listScope()
        let after: SQLQueryString = try page.idCursor(prefix: "po").map { "id > \(bind: $0)" } ?? "1 = 1"
        let fetched: [PortOrder] = try await store.read { database in
            var orders: [PortOrder] = []
            for row in try await database.raw("""
                SELECT * FROM port_orders WHERE \(scope) AND \(after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all() {
                orders.append(try await Self.decode(row, in: database))
            }
            return orders
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// The calendar of committed ports: the caller's orders with a FOC (the operator: everyone's) whose FOC date is
    /// from `from` to `to` (`YYYY-MM-DD`, inclusive, at most 92 days), by activation time.
    public func calendar(from: String, to: String, by principal: Principal) async throws -> [FOCCalendarEntry] {
        try principal.requireCustomerOrOperator()
        guard from.count == 10, let start = Self.day(from) else { throw ServiceError.invalid("from", "must be a date, YYYY-MM-DD") }
        guard to.count == 10, let end = Self.day(to) else { throw ServiceError.invalid("to", "must be a date, YYYY-MM-DD") }
        guard start <= end, end.timeIntervalSince(start) <= 92 * 86_400 else {
            throw ServiceError.invalid("to", "must be on or after from, at most 92 days later")
        }
        let scope = try principal.listScope()
        // FOC dates are the losing carrier's: a day either side of the UTC range catches every time zone.
        let (earliest, latest) = (start.unixSeconds - 86_400, end.unixSeconds + 2 * 86_400)
        let orders: [PortOrder] = try await store.read { database in
            var orders: [PortOrder] = []
            for row in try await database.raw("""
                SELECT * FROM port_orders WHERE \(scope) AND state = 'foc-received'
                    AND activate_at >= \(bind: earliest) AND activate_at < \(bind: latest)
                ORDER BY activate_at, id
                """).all() {
                orders.append(try await Self.decode(row, in: database))
            }
            return orders
        }
        return orders.compactMap { order in
            guard let foc = order.foc, foc.date >= from, foc.date <= to else { return nil }
            return FOCCalendarEntry(
                date: foc.date, window: foc.window, activateAt: Date(unixSeconds: foc.activateAt), orderId: order.id,
                accountId: order.accountId, losingCarrier: order.losingCarrier, numbers: order.numbers
            )
        }
    }

    /// The order's timeline, oldest first.
    public func timeline(_ id: String, by principal: Principal) async throws -> [PortOrderEventRecord] {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            _ = try await Self.visible(id, principal, forUpdate: false, in: database)
            return try await database.raw("SELECT * FROM port_order_events WHERE order_id = \(bind: id) ORDER BY id").all()
                .map(PortOrderEventRecord.init(row:))
        }
    }

    // MARK: Events

    /// Sends a draft to the losing carrier; the numbers become porting-in. Returns the order after the answer.
    public func submit(_ id: String, by principal: Principal) async throws -> PortOrder {
        try principal.requireWrite()
        try await apply(.submit, to: id, by: principal)
        return try await askPartner(id, by: principal)
    }

    /// Corrects the losing carrier's account data and sends the order again: a rejected order is fixed without
    /// starting over; a committed one asks for a new date.
    public func supplement(_ id: String, account: LosingCarrierAccount, by principal: Principal) async throws -> PortOrder {
        try principal.requireWrite()
        try Self.validate(account)
        try await apply(.supplement, to: id, by: principal) { order, database in
            try await database.raw("UPDATE port_orders SET account = \(bind: try Self.json(account.stored)) WHERE id = \(bind: order.id)").run()
        }
        return try await askPartner(id, by: principal)
    }

    /// Cancels the order; the numbers stop porting in.
    public func cancel(_ id: String, by principal: Principal) async throws -> PortOrder {
        try principal.requireWrite()
        let actions = try await apply(.cancel, to: id, by: principal)
        if actions.contains(.cancelWithPartner) { try await partner.cancel(orderId: id) }
        return try await order(id, by: principal)
    }

    /// Activates an order with a FOC now (the operator; the scheduler does it at the FOC time).
    public func activate(_ id: String, by principal: Principal) async throws -> PortOrder {
        try principal.requireOperator()
        try await activate(id, actor: principal.actor)
        return try await order(id, by: principal)
    }

    /// Ends an activated order's cutover forwarding now: the numbers' calls go straight to the trunk. The customer
    /// does this once the trunk answers for them; otherwise forwarding ends by itself at ``PortOrder/cutoverEndsAt``.
    public func endCutover(_ id: String, by principal: Principal) async throws -> PortOrder {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let now = Date(unixSeconds: clock.now().unixSeconds)
        try await store.transaction { database in
            let order = try await Self.visible(id, principal, forUpdate: true, in: database)
            let ended = try await NumberInventory.endCutover(orderId: id, at: now, in: database)
            guard ended > 0 else { throw ServiceError(.conflict, "the order's numbers are not forwarding to their old path") }
            try await Self.record(id, PortOrderEventRecord(
                at: now, event: "end-cutover", fromState: order.state, toState: order.state,
                detail: "\(ended) number(s) no longer forward to the old path", actor: principal.actor
            ), in: database)
        }
        return try await order(id, by: principal)
    }

    /// Activates every order whose FOC time has come; returns how many this call activated.
    public func activateDue() async throws -> Int {
        let now = clock.now().unixSeconds
        let due = try await store.read { database in
            try await database.raw("""
                SELECT id FROM port_orders WHERE state = 'foc-received' AND activate_at <= \(bind: now) ORDER BY activate_at LIMIT 100
                """).all().map { try $0.decode(column: "id", as: String.self) }
        }
        var activated = 0
        var failures: [String: any Error] = [:]
        for id in due {
            do {
                try await activate(id, actor: "system/activation")
                activated += 1
            } catch let error as ServiceError where error.code == .illegalTransition {
                // Activated meanwhile (by the operator, or another scheduler): nothing left to do.
                continue
            } catch {
                // One order that cannot move in must not hold up the others; it is retried at the next check.
                failures[id] = error
            }
        }
        guard failures.isEmpty else { throw ActivationFailures(activated: activated, failures: failures) }
        return activated
    }

    /// Orders whose activation failed (others in the same check went ahead).
    public struct ActivationFailures: Error, CustomStringConvertible {
        public var activated: Int
        public var failures: [String: any Error]

        public var description: String {
            "\(activated) order(s) activated; failed: "
                + failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        }
    }

    private func activate(_ id: String, actor: String) async throws {
        let system = Principal(accountId: "system", role: .operatorAdmin, keyId: "activation")
        // Activating and activated in one transaction: the numbers move in and the order completes together, so
        // a crash midway leaves the order committed and its numbers porting in, to be activated again.
        try await apply([.activate, .activated], to: id, by: system, actor: actor) { order, database in
            let sources = try await Self.sources(of: order, in: database)
            let now = Date(unixSeconds: clock.now().unixSeconds)
            let cutover = order.cutoverForwardHours.map { hours in
                (orderId: order.id, endsAt: now.addingTimeInterval(Double(hours) * 3_600))
            }
            try await NumberInventory.completePortIn(
                sources, account: order.accountId, trunk: order.trunkId, cutover: cutover, actor: actor, at: now, in: database
            )
            if let address = order.e911AddressId {
                try await EmergencyBindings.bind(
                    order.numbers, to: address, account: order.accountId, actor: actor, at: now, in: database
                )
            }
            if let name = order.callerName {
                try await NumberInventory.storeCallerName(
                    name, of: order.numbers, account: order.accountId, actor: actor, at: now, in: database
                )
            }
        }
        try await partner.complete(orderId: id)
    }

    /// Sends the order to the partner and applies its answer.
    private func askPartner(_ id: String, by principal: Principal) async throws -> PortOrder {
        let current = try await order(id, by: principal)
        let answer = try await partner.submit(PortRequest(
            orderId: id, numbers: current.numbers, account: current.account, sentAt: clock.now().unixSeconds
        ))
        do {
            try await apply(answer.event, to: id, by: principal, actor: "partner/\(current.losingOcn)")
        } catch let error as ServiceError where error.code == .illegalTransition {
            // Canceled while the partner was answering: withdraw the request the partner now holds.
            if try await order(id, by: principal).state == PortOrderState.canceled.name { try await partner.cancel(orderId: id) }
        }
        return try await order(id, by: principal)
    }

    /// Applies an event to an order in one transaction: the machine's transition, its database side
    /// (`change`, numbers moving in or out, the activation time), the timeline, and the customer's webhook event
    /// when the machine says to notify. Returns the actions left to the caller.
    @discardableResult
    private func apply(
        _ event: PortOrderEvent, to id: String, by principal: Principal, actor: String? = nil,
        change: (PortOrder, any SQLDatabase) async throws -> Void = { _, _ in }
    ) async throws -> [PortOrderAction] {
        try await apply([event], to: id, by: principal, actor: actor, change: change)
    }

    /// Applies events one after the other in one transaction; `change` runs after the first.
    @discardableResult
    private func apply(
        _ events: [PortOrderEvent], to id: String, by principal: Principal, actor: String? = nil,
        change: (PortOrder, any SQLDatabase) async throws -> Void = { _, _ in }
    ) async throws -> [PortOrderAction] {
        let now = Date(unixSeconds: clock.now().unixSeconds)
        let actor = actor ?? principal.actor
        return try await store.transaction { database in
            let order = try await Self.visible(id, principal, forUpdate: true, in: database)
            var state = try Self.state(of: order)
            var actions: [PortOrderAction] = []
            for (index, event) in events.enumerated() {
                let next: PortOrderState
                let step: [PortOrderAction]
                do throws(PortOrderMachine.Refusal) {
                    (next, step) = try PortOrderMachine.apply(event, to: state)
                } catch {
                    throw ServiceError(.illegalTransition, error.description)
                }
                actions += step
                if index == 0 { try await change(order, database) }
                if case .draft = state, case .submitted = next {
                    try await NumberInventory.startPortIn(
                        try await Self.sources(of: order, in: database), account: order.accountId, actor: actor, at: now, in: database
                    )
                }
                if case .canceled = next, state != .draft {
                    try await NumberInventory.cancelPortIn(order.numbers, account: order.accountId, actor: actor, at: now, in: database)
                }
                let entry = PortOrderEventRecord(
                    at: now, event: event.name, fromState: state.name, toState: next.name, detail: try Self.detail(of: next), actor: actor
                )
                try await Self.record(id, entry, in: database)
                if step.contains(.notifyCustomer) {
                    let change = PortOrderChange(orderId: id, numbers: order.numbers, state: next.name, entry: entry)
                    try await WebhookOutbox.enqueue(.portOrderStatusChanged, account: order.accountId, data: change, at: now, in: database)
                }
                state = next
            }
            let activateAt = actions.compactMap { if case .scheduleActivation(let at) = $0 { at } else { nil } }.last
            try await database.raw("""
                UPDATE port_orders SET state = \(bind: state.name), state_detail = \(bind: try Self.detail(of: state)),
                    activate_at = \(bind: activateAt), updated_at = \(bind: now.unixSeconds)
                WHERE id = \(bind: id)
                """).run()
            return actions
        }
    }

    // MARK: Rows

    private static func visible(_ id: String, _ principal: Principal, forUpdate: Bool, in database: any SQLDatabase) async throws -> PortOrder {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        guard let row = try await database.raw("SELECT * FROM port_orders WHERE id = \(bind: id)\(lock)").first() else {
            throw ServiceError.notFound("port order")
        }
        let order = try await decode(row, in: database)
        guard principal.isOperator || order.accountId == principal.accountId else { throw ServiceError.notFound("port order") }
        return order
    }

    /// The order's numbers with their sources (for moving them in: where they are, and our LRN there).
    private static func sources(of order: PortOrder, in database: any SQLDatabase) async throws -> [PhoneNumber: PortSource] {
        var sources: [PhoneNumber: PortSource] = [:]
        for number in order.numbers {
            sources[number] = try await PortSource.of(number, in: database).get()
        }
        return sources
    }

    private static func insert(_ order: PortOrder, document: String, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO port_orders (id, account_id, trunk_id, losing_ocn, losing_carrier, state, account, loa, e911_address_id,
                caller_name, cutover_forward_hours, created_at, updated_at)
            VALUES (\(bind: order.id), \(bind: order.accountId), \(bind: order.trunkId), \(bind: order.losingOcn),
                \(bind: order.losingCarrier), \(bind: order.state), \(bind: try json(order.account.stored)), \(bind: try json(order.loa)),
                \(bind: order.e911AddressId), \(bind: order.callerName?.text), \(bind: order.cutoverForwardHours),
                \(bind: order.createdAt.unixSeconds), \(bind: order.updatedAt.unixSeconds))
            """).run()
        for number in order.numbers {
            try await database.raw("INSERT INTO port_order_numbers (order_id, tn) VALUES (\(bind: order.id), \(bind: number.national))").run()
        }
        try await database.raw("""
            INSERT INTO port_documents (order_id, name, content, sha256)
            VALUES (\(bind: order.id), \(bind: order.loa.documentName), \(bind: document), \(bind: order.loa.documentSHA256))
            """).run()
    }

    private static func record(_ id: String, _ entry: PortOrderEventRecord, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO port_order_events (order_id, at, event, from_state, to_state, detail, actor)
            VALUES (\(bind: id), \(bind: entry.at.unixSeconds), \(bind: entry.event), \(bind: entry.fromState),
                \(bind: entry.toState), \(bind: entry.detail), \(bind: entry.actor))
            """).run()
    }

    private static func decode(_ row: any SQLRow, in database: any SQLDatabase) async throws -> PortOrder {
        let id = try row.decode(column: "id", as: String.self)
        let rows = try await database.raw("SELECT tn FROM port_order_numbers WHERE order_id = \(bind: id) ORDER BY tn").all()
        let numbers = try rows.map { try PhoneNumber(parsing: try $0.decode(column: "tn", as: String.self)) }
        // The end of the order's cutover forwarding, while one of its numbers still has it.
        let cutoverEndsAt = try await NumberInventory.cutoverEnd(orderId: id, in: database)
        let state = try row.decode(column: "state", as: String.self)
        let detail = try row.decode(column: "state_detail", as: String?.self).map { Data($0.utf8) }
        let decoder = JSONDecoder()
        return PortOrder(
            id: id, accountId: try row.decode(column: "account_id", as: String.self),
            trunkId: try row.decode(column: "trunk_id", as: String?.self), losingOcn: try row.decode(column: "losing_ocn", as: String.self),
            losingCarrier: try row.decode(column: "losing_carrier", as: String.self), state: state,
            foc: state == "foc-received" ? try detail.map { try decoder.decode(FOC.self, from: $0) } : nil,
            rejectReasons: state == "rejected" ? try detail.map { try decoder.decode([RejectReason].self, from: $0) } : nil,
            jeopardyReason: state == "jeopardy" ? try detail.map { try decoder.decode(String.self, from: $0) } : nil,
            numbers: numbers,
            account: try decoder.decode(LosingCarrierAccount.self, from: Data(try row.decode(column: "account", as: String.self).utf8)),
            loa: try decoder.decode(LOA.self, from: Data(try row.decode(column: "loa", as: String.self).utf8)),
            e911AddressId: try row.decode(column: "e911_address_id", as: String?.self),
            callerName: try row.decode(column: "caller_name", as: String?.self).flatMap { try? CallerName(normalizing: $0) },
            cutoverForwardHours: try row.decode(column: "cutover_forward_hours", as: Int?.self),
            cutoverEndsAt: cutoverEndsAt,
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    /// The machine's state of a stored order.
    private static func state(of order: PortOrder) throws -> PortOrderState {
        switch order.state {
        case "draft": .draft
        case "submitted": .submitted
        case "foc-received": .focReceived(try order.foc.orThrow())
        case "rejected": .rejected(order.rejectReasons ?? [])
        case "jeopardy": .jeopardy(order.jeopardyReason ?? "")
        case "activating": .activating
        case "completed": .completed
        default: .canceled
        }
    }

    /// What a state carries, as stored JSON.
    private static func detail(of state: PortOrderState) throws -> String? {
        switch state {
        case .focReceived(let foc): try json(foc)
        case .rejected(let reasons): try json(reasons)
        case .jeopardy(let reason): try json(reason)
        default: nil
        }
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func validate(_ loa: LOADraft) throws(ServiceError) -> (LOA, String) {
        for (field, value) in [("loa.signer", loa.signer), ("loa.title", loa.title), ("loa.document_name", loa.documentName)] {
            guard (1...200).contains(value.trimmingCharacters(in: .whitespaces).count) else {
                throw .invalid(field, "is required (at most 200 characters)")
            }
        }
        guard loa.signedOn.count == 10, let _ = Self.day(loa.signedOn) else {
            throw .invalid("loa.signed_on", "must be a date, YYYY-MM-DD")
        }
        guard let bytes = Data(base64Encoded: loa.document), !bytes.isEmpty, bytes.count <= Self.maximumDocumentBytes else {
            throw .invalid("loa.document", "must be the signed LOA, base64-encoded, at most 5 MB")
        }
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        return (LOA(signer: loa.signer, title: loa.title, signedOn: loa.signedOn, documentName: loa.documentName, documentSHA256: digest), loa.document)
    }

    private static func validate(_ account: LosingCarrierAccount) throws(ServiceError) {
        for (field, value) in [
            ("account.business_name", account.businessName), ("account.service_address", account.serviceAddress),
            ("account.zip", account.zip), ("account.account_number", account.accountNumber),
        ] {
            guard (1...200).contains(value.trimmingCharacters(in: .whitespaces).count) else {
                throw .invalid(field, "is required (at most 200 characters)")
            }
        }
    }

    private static func day(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }
}

extension Optional {
    fileprivate func orThrow() throws -> Wrapped {
        guard let self else { throw ServiceError(.conflict, "the order's stored state is incomplete") }
        return self
    }
}
