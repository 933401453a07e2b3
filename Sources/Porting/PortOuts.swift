import Accounts
import Crypto
import CryptoExtras
import Foundation
import Inventory
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping
import Webhooks

// MARK: - Port-outs

/// Port-out requests against our numbers: checked against the account's data and port-out PIN, approved (or
/// declined) by the customer within a window unless the account opted out, and completed at the due time, when
/// the numbers leave the inventory as ported-out and routing and E911 forget them.
///
/// Requests come from the operator (keying in a request that arrived by other means) or from a partner carrier's
/// own key. A partner sees only the requests it filed, as a gaining carrier sees its LSRs: their state, reject
/// reasons and due time, never the customer's account; it may withdraw them, never approve or complete them.
///
/// Every request is kept, rejected ones too (a run of wrong PINs is how port-out fraud shows), and every change is
/// on the request's timeline with who and when, and sent to the account's webhooks (and the filing partner's).
public struct PortOuts: Sendable {
    /// How long customers have to answer, and how wrong PINs lock an account.
    public struct Configuration: Sendable {
        /// How long a valid request waits for the customer's approval (never past its due time).
        public var approvalWindow: Duration
        /// Wrong PINs in a row that lock the account's port-outs.
        public var maximumFailedPINs: Int
        /// How long the lock lasts.
        public var lockout: Duration

        public init(approvalWindow: Duration = .seconds(72 * 3_600), maximumFailedPINs: Int = 5, lockout: Duration = .seconds(86_400)) {
            precondition(maximumFailedPINs > 0, "at least one wrong PIN must be allowed")
            self.approvalWindow = approvalWindow
            self.maximumFailedPINs = maximumFailedPINs
            self.lockout = lockout
        }
    }

    /// PBKDF2-SHA256 rounds for port-out PINs.
    static let pinRounds = 210_000
    public static let maximumNumbers = 1_000

    let store: Store
    let numbers: NumberInventory
    let configuration: Configuration
    let clock: WallClock
    /// Where PINs are hashed: off the cooperative pool, one at a time, a few waiting (each hash costs tens of
    /// milliseconds of CPU by design).
    let hashing: ExpensiveWork

    public init(
        store: Store, numbers: NumberInventory, configuration: Configuration = .init(), clock: WallClock,
        hashing: ExpensiveWork = ExpensiveWork()
    ) {
        self.store = store
        self.numbers = numbers
        self.configuration = configuration
        self.clock = clock
        self.hashing = hashing
    }

    // MARK: Protection

    /// Sets an account's port-out PIN, ZIP and approval choice (its admin, or the operator); a new PIN clears any
    /// lock.
    public func protect(accountId: String, _ draft: PortOutProtectionDraft, by principal: Principal) async throws -> PortOutProtection {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let account = try principal.targetAccount(accountId)
        guard (4...10).contains(draft.pin.count), draft.pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ServiceError.invalid("pin", "must be 4 to 10 digits")
        }
        let zip = try Self.zip(draft.zip, field: "zip")
        let salt = Identifier.secret(prefix: "", length: 24)
        let hash = try await hashing.run { [pin = draft.pin] in try Self.hash(pin: pin, salt: salt) }
        let now = Date(unixSeconds: clock.now().unixSeconds)
        let protection = PortOutProtection(
            accountId: account, zip: zip, approvalRequired: draft.approvalRequired ?? true, lockedUntil: nil, updatedAt: now
        )
        try await store.transaction { database in
            guard try await AccountDirectory.fetchAccount(account, in: database)?.kind == .customer else {
                throw ServiceError.notFound("account")
            }
            try await database.raw("""
                INSERT INTO port_out_protection (account_id, pin_hash, pin_salt, zip, approval_required, failed_pins, locked_until,
                    updated_at, updated_by)
                VALUES (\(bind: account), \(bind: hash), \(bind: salt), \(bind: zip), \(bind: protection.approvalRequired ? 1 : 0), 0,
                    NULL, \(bind: now.unixSeconds), \(bind: principal.actor))
                ON CONFLICT (account_id) DO UPDATE SET pin_hash = excluded.pin_hash, pin_salt = excluded.pin_salt,
                    zip = excluded.zip, approval_required = excluded.approval_required, failed_pins = 0, locked_until = NULL,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """).run()
        }
        return protection
    }

    /// An account's port-out protection (never its PIN).
    public func protection(accountId: String, by principal: Principal) async throws -> PortOutProtection {
        try principal.requireCustomerOrOperator()
        let account = try principal.targetAccount(accountId)
        return try await store.read { database in
            guard let row = try await database.raw("SELECT * FROM port_out_protection WHERE account_id = \(bind: account)").first()
            else { throw ServiceError.notFound("port-out protection") }
            let locked = try row.decode(column: "locked_until", as: Int64?.self).map(Date.init(unixSeconds:))
            return PortOutProtection(
                accountId: account, zip: try row.decode(column: "zip", as: String.self),
                approvalRequired: try row.decode(column: "approval_required", as: Int.self) != 0,
                lockedUntil: locked.flatMap { $0 > clock.now() ? $0 : nil },
                updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
            )
        }
    }

    // MARK: Requests

    /// Files a gaining carrier's request (the operator, or the partner carrier as itself) and checks it: the
    /// numbers must be the named account's assigned numbers, on no other open request; the name and ZIP must match
    /// the account; and when the account has a port-out PIN, the PIN too. A request failing any check is kept as
    /// `rejected` with every reason; wrong PINs count towards the account's lock.
    public func request(_ draft: PortOutDraft, by principal: Principal) async throws -> PortOut {
        guard principal.isOperator || principal.isPartner else {
            throw ServiceError(.forbidden, "only the operator or a partner carrier may file port-out requests")
        }
        guard (1...Self.maximumNumbers).contains(draft.numbers.count) else {
            throw ServiceError.invalid("numbers", "1 to \(Self.maximumNumbers) numbers")
        }
        var parsed: [PhoneNumber] = []
        for (index, text) in draft.numbers.enumerated() {
            do throws(NumberError) {
                parsed.append(try PhoneNumber(parsing: text))
            } catch {
                throw ServiceError.invalid("numbers[\(index)]", error.description)
            }
        }
        let requested = Array(Set(parsed)).sorted()
        for (field, value) in [("business_name", draft.businessName), ("account_number", draft.accountNumber)] {
            guard (1...200).contains(value.trimmingCharacters(in: .whitespaces).count) else {
                throw ServiceError.invalid(field, "is required (at most 200 characters)")
            }
        }
        let gaining = try await gainingCarrier(of: draft, by: principal)
        let zip = try Self.zip(draft.zip, field: "zip")
        let now = Date(unixSeconds: clock.now().unixSeconds)
        let dueAt = Date(unixSeconds: (draft.dueAt ?? now.addingTimeInterval(Double(configuration.approvalWindow.components.seconds))).unixSeconds)
        guard dueAt > now, dueAt.timeIntervalSince(now) <= 90 * 86_400 else {
            throw ServiceError.invalid("due_at", "must be in the next 90 days")
        }
        // The PIN is hashed before the write transaction: the hash takes tens of milliseconds by design, and the
        // store's writer must not wait on it.
        let presented = try await presentedPIN(draft.pin, accountId: draft.accountNumber)
        return try await store.transaction { database in
            // The account at stake is the numbers' owner: it sees the request, rejected or not. Its data and PIN are
            // checked only when the request names it.
            var reasons: Set<PortOutRejectReason> = []
            var owners: Set<String> = []
            for number in requested {
                guard let record = try await NumberInventory.fetchRecord(number, in: database), record.status == .assigned,
                    let owner = record.accountId
                else {
                    reasons.insert(.unknownNumber)
                    continue
                }
                owners.insert(owner)
            }
            let accountId = owners.count == 1 ? owners.first : nil
            let account = try await AccountDirectory.fetchAccount(draft.accountNumber, in: database, forUpdate: true)
                .flatMap { $0.kind == .customer ? $0 : nil }
            let named = account != nil && accountId == draft.accountNumber
            if !owners.isEmpty, !named { reasons.insert(.accountNumberMismatch) }
            if named, let name = account?.name,
                Self.comparable(name) != Self.comparable(draft.businessName)
            {
                reasons.insert(.nameMismatch)
            }
            let list = requested.map { "\(bind: $0.national)" as SQLQueryString }.joined(separator: ", ")
            let open = try await database.raw("""
                SELECT n.tn FROM port_out_numbers n JOIN port_outs o ON o.id = n.port_out_id
                WHERE n.tn IN (\(list)) AND o.state IN ('pending-approval', 'approved')
                """).first()
            if open != nil { reasons.insert(.pendingPortOut) }
            var approvalRequired = true
            if named, let accountId {
                let (pinReasons, approval) = try await checkProtection(
                    accountId, zip: zip, pin: draft.pin, presented: presented, at: now, in: database
                )
                reasons.formUnion(pinReasons)
                approvalRequired = approval
            }
            let ordered = PortOutRejectReason.allCases.filter(reasons.contains)
            let state = PortOutMachine.initialState(reasons: ordered, approvalRequired: approvalRequired)
            let approveBy = state == .pendingApproval
                ? min(dueAt, now.addingTimeInterval(Double(configuration.approvalWindow.components.seconds))) : nil
            let portOut = PortOut(
                id: Identifier.make(prefix: "pout"), accountId: accountId, filedBy: principal.isPartner ? principal.accountId : nil,
                numbers: requested, gainingCarrier: gaining.name, gainingOcn: gaining.ocn, state: state,
                rejectReasons: ordered.isEmpty ? nil : ordered, dueAt: dueAt, approveBy: approveBy, createdAt: now, updatedAt: now
            )
            try await Self.insert(portOut, in: database)
            try await record(portOut, event: "request", from: "received", detail: ordered.isEmpty ? nil : ordered.map(\.rawValue).joined(separator: ","),
                             actor: principal.actor, at: now, in: database)
            return portOut.seen(by: principal)
        }
    }

    /// The gaining carrier a request is filed for: the one the operator names, or the partner carrier itself.
    private func gainingCarrier(of draft: PortOutDraft, by principal: Principal) async throws -> (name: String, ocn: String) {
        guard principal.isPartner else {
            let name = draft.gainingCarrier?.trimmingCharacters(in: .whitespaces) ?? ""
            guard (1...200).contains(name.count) else { throw ServiceError.invalid("gaining_carrier", "is required (at most 200 characters)") }
            guard let ocn = draft.gainingOcn, (3...4).contains(ocn.count), ocn.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw ServiceError.invalid("gaining_ocn", "must be the gaining carrier's 4-character OCN")
            }
            return (name, ocn.uppercased())
        }
        let partner = try await store.read { try await AccountDirectory.fetchAccount(principal.accountId, in: $0) }
        guard let partner, partner.kind == .partner, let ocn = partner.ocn else { throw ServiceError.notFound("account") }
        if let named = draft.gainingOcn, named.trimmingCharacters(in: .whitespaces).uppercased() != ocn {
            throw ServiceError.invalid("gaining_ocn", "a partner files requests under its own OCN, \(ocn)")
        }
        return (partner.name, ocn)
    }

    /// One request the caller may see: a customer's own (rejected ones against its numbers too), a partner's own
    /// filing, any for the operator.
    public func portOut(_ id: String, by principal: Principal) async throws -> PortOut {
        try principal.refuseAgents()
        return try await store.read { try await Self.visible(id, principal, forUpdate: false, in: $0) }.seen(by: principal)
    }

    /// The requests the caller may see, by id.
    public func portOuts(page: PageRequest, by principal: Principal) async throws -> Page<PortOut> {
        try principal.refuseAgents()
        let scope = principal.isPartner ? "filed_by = \(bind: principal.accountId)" : try principal.listScope()
        let after = try page.idCursor(prefix: "pout") ?? ""
        let fetched: [PortOut] = try await store.read { database in
            var found: [PortOut] = []
            for row in try await database.raw("""
                SELECT * FROM port_outs WHERE \(scope) AND id > \(bind: after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all() {
                found.append(try await Self.decode(row, in: database).seen(by: principal))
            }
            return found
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// A request's timeline, oldest first.
    public func timeline(_ id: String, by principal: Principal) async throws -> [PortOrderEventRecord] {
        try principal.refuseAgents()
        return try await store.read { database in
            let portOut = try await Self.visible(id, principal, forUpdate: false, in: database)
            return try await database.raw("SELECT * FROM port_out_events WHERE port_out_id = \(bind: id) ORDER BY id").all()
                .map { try portOut.entry(PortOrderEventRecord(row: $0), seenBy: principal) }
        }
    }

    /// The customer lets the numbers go at the due time.
    public func approve(_ id: String, by principal: Principal) async throws -> PortOut {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        return try await apply(.approve, to: id, by: principal, actor: principal.actor)
    }

    /// The customer refuses the request (also after approving it, until the due time).
    public func decline(_ id: String, by principal: Principal) async throws -> PortOut {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        return try await apply(.decline, to: id, by: principal, actor: principal.actor)
    }

    /// The gaining carrier withdraws the request: the partner that filed it, or the operator for it.
    public func cancel(_ id: String, by principal: Principal) async throws -> PortOut {
        guard principal.isOperator || principal.isPartner else {
            throw ServiceError(.forbidden, "only the gaining carrier (or the operator for it) may withdraw a port-out request")
        }
        return try await apply(.cancel, to: id, by: principal, actor: principal.actor)
    }

    /// Completes an approved request now (the operator; the scheduler does it at the due time).
    public func activate(_ id: String, by principal: Principal) async throws -> PortOut {
        try principal.requireOperator()
        return try await apply(.complete, to: id, by: principal, actor: principal.actor)
    }

    /// Expires the requests whose approval deadline passed and completes the approved ones that are due; returns
    /// how many requests this call moved. A request another scheduler (or the customer) moved meanwhile is left.
    public func processDue() async throws -> Int {
        let now = clock.now().unixSeconds
        let due = try await store.read { database in
            try await database.raw("""
                SELECT id, state FROM port_outs
                WHERE (state = 'pending-approval' AND approve_by <= \(bind: now)) OR (state = 'approved' AND due_at <= \(bind: now))
                ORDER BY due_at LIMIT 100
                """).all().map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "state", as: String.self)) }
        }
        let system = Principal(accountId: "system", role: .operatorAdmin, keyId: "port-out")
        var moved = 0
        for (id, state) in due {
            do {
                _ = try await apply(state == PortOutState.approved.rawValue ? .complete : .expire, to: id, by: system, actor: "system/port-out")
                moved += 1
            } catch let error as ServiceError where error.code == .illegalTransition {
                continue
            }
        }
        return moved
    }

    // MARK: Transitions

    /// Applies an event in one transaction: the machine's transition, the numbers leaving on completion, the
    /// timeline, and the customer's webhook event.
    private func apply(_ event: PortOutEvent, to id: String, by principal: Principal, actor: String) async throws -> PortOut {
        let now = Date(unixSeconds: clock.now().unixSeconds)
        return try await store.transaction { database in
            var portOut = try await Self.visible(id, principal, forUpdate: true, in: database)
            let (next, actions): (PortOutState, [PortOutAction])
            do throws(PortOrderMachine.Refusal) {
                (next, actions) = try PortOutMachine.apply(event, to: portOut.state)
            } catch {
                throw ServiceError(.illegalTransition, error.description.replacingOccurrences(of: "order", with: "port-out request"))
            }
            if event == .approve, let approveBy = portOut.approveBy, approveBy <= now {
                throw ServiceError(.illegalTransition, "the approval deadline passed at \(approveBy.formatted(.iso8601))")
            }
            var detail: String?
            if actions.contains(.releaseNumbers), let account = portOut.accountId {
                let release = try await numbers.portOut(
                    portOut.numbers, account: account, reason: "ported to \(portOut.gainingCarrier) (\(portOut.gainingOcn))",
                    actor: actor, in: database
                )
                detail = "ported out: \(release.portedOut.count)"
                    + (release.skipped.isEmpty ? "" : "; no longer the account's: \(release.skipped.map(\.e164).joined(separator: ", "))")
            }
            let from = portOut.state
            portOut.state = next
            portOut.updatedAt = now
            if next != .pendingApproval { portOut.approveBy = nil }
            try await database.raw("""
                UPDATE port_outs SET state = \(bind: next.rawValue), approve_by = \(bind: portOut.approveBy?.unixSeconds),
                    updated_at = \(bind: now.unixSeconds)
                WHERE id = \(bind: id)
                """).run()
            try await record(portOut, event: event.rawValue, from: from.rawValue, detail: detail, actor: actor, at: now, in: database)
            return portOut.seen(by: principal)
        }
    }

    /// Records a timeline entry and sends it to the account's webhooks, and to the filing partner's as the partner
    /// sees it.
    private func record(
        _ portOut: PortOut, event: String, from: String, detail: String?, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        let entry = PortOrderEventRecord(at: now, event: event, fromState: from, toState: portOut.state.rawValue, detail: detail, actor: actor)
        try await database.raw("""
            INSERT INTO port_out_events (port_out_id, at, event, from_state, to_state, detail, actor)
            VALUES (\(bind: portOut.id), \(bind: now.unixSeconds), \(bind: event), \(bind: from), \(bind: entry.toState),
                \(bind: detail), \(bind: actor))
            """).run()
        if let account = portOut.accountId {
            try await WebhookOutbox.enqueue(
                .portOutStatusChanged, account: account, data: PortOutChange(portOut: portOut, entry: entry), at: now, in: database
            )
        }
        if let partner = portOut.filedBy {
            let view = Principal(accountId: partner, role: .partner, keyId: "")
            try await WebhookOutbox.enqueue(
                .portOutStatusChanged, account: partner,
                data: PortOutChange(portOut: portOut.seen(by: view), entry: portOut.entry(entry, seenBy: view)), at: now, in: database
            )
        }
    }

    // MARK: Checks

    /// A PIN as a request presents it, hashed with the salt the account's PIN was stored under when it was read.
    struct PresentedPIN: Sendable {
        var salt: String
        var hash: String
    }

    /// Hashes a request's PIN with the salt of the named account's stored PIN, if there is one to compare with.
    private func presentedPIN(_ pin: String?, accountId: String) async throws -> PresentedPIN? {
        guard let pin, !pin.isEmpty else { return nil }
        let salt = try await store.read { database in
            try await database.raw("SELECT pin_salt FROM port_out_protection WHERE account_id = \(bind: accountId)").first()?
                .decode(column: "pin_salt", as: String.self)
        }
        // With no stored PIN to compare, the PIN is hashed all the same: the answer's timing must not tell whether
        // the named account has port-out protection.
        let hash = try await hashing.run { try Self.hash(pin: pin, salt: salt ?? "no-protection") }
        return salt.map { PresentedPIN(salt: $0, hash: hash) }
    }

    /// The account's protection checks: ZIP, lock and PIN. A wrong PIN counts towards the lock; a right one resets
    /// the count. Returns the failed checks and whether the account approves port-outs (accounts without
    /// protection always do).
    private func checkProtection(
        _ account: String, zip: String, pin: String?, presented: PresentedPIN?, at now: Date, in database: any SQLDatabase
    ) async throws -> ([PortOutRejectReason], Bool) {
        guard let row = try await database.raw("""
            SELECT * FROM port_out_protection WHERE account_id = \(bind: account)\(database.forUpdate)
            """).first()
        else { return ([], true) }
        var reasons: [PortOutRejectReason] = []
        if try row.decode(column: "zip", as: String.self) != zip { reasons.append(.zipMismatch) }
        let approval = try row.decode(column: "approval_required", as: Int.self) != 0
        if let locked = try row.decode(column: "locked_until", as: Int64?.self), locked > now.unixSeconds {
            return (reasons + [.pinLocked], approval)
        }
        guard let pin, !pin.isEmpty else { return (reasons + [.pinMissing], approval) }
        let stored = try row.decode(column: "pin_hash", as: String.self)
        let salt = try row.decode(column: "pin_salt", as: String.self)
        // Hashed before the transaction, unless the PIN was set anew since (then here, as a rare exception).
        var presentedHash = presented?.salt == salt ? presented?.hash : nil
        if presentedHash == nil { presentedHash = try await hashing.run { try Self.hash(pin: pin, salt: salt) } }
        if let presentedHash, Identifier.constantTimeEqual(stored, presentedHash) {
            try await database.raw("UPDATE port_out_protection SET failed_pins = 0 WHERE account_id = \(bind: account)").run()
            return (reasons, approval)
        }
        let failed = try row.decode(column: "failed_pins", as: Int.self) + 1
        let lock = failed >= configuration.maximumFailedPINs
        try await database.raw("""
            UPDATE port_out_protection SET failed_pins = \(bind: lock ? 0 : failed),
                locked_until = \(bind: lock ? now.unixSeconds + configuration.lockout.components.seconds : nil)
            WHERE account_id = \(bind: account)
            """).run()
        return (reasons + [.pinMismatch], approval)
    }

    /// A name as compared: letters and digits only, upper case (`Acme Dental Group, Inc.` = `ACME DENTAL GROUP INC`).
    private static func comparable(_ name: String) -> String {
        String(name.uppercased().unicodeScalars.filter(CharacterSet.alphanumerics.contains).map(Character.init))
    }

    private static func zip(_ text: String, field: String) throws(ServiceError) -> String {
        let digits = text.filter { $0 != "-" && $0 != " " }
        guard digits.count == 5 || digits.count == 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalid(field, "must be a ZIP code, 5 digits or ZIP+4")
        }
        return String(digits.prefix(5))
    }

    static func hash(pin: String, salt: String) throws -> String {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Data(pin.utf8), salt: Data(salt.utf8), using: .sha256, outputByteCount: 32, rounds: pinRounds
        )
        return key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Rows

    private static func visible(_ id: String, _ principal: Principal, forUpdate: Bool, in database: any SQLDatabase) async throws -> PortOut {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        guard let row = try await database.raw("SELECT * FROM port_outs WHERE id = \(bind: id)\(lock)").first() else {
            throw ServiceError.notFound("port-out request")
        }
        let portOut = try await decode(row, in: database)
        let visible = switch principal.role {
        case .operatorAdmin: true
        case .partner: portOut.filedBy == principal.accountId
        case .customerAdmin, .customerRead, .agent: portOut.accountId == principal.accountId
        case .reportingSwitch: false
        }
        guard visible else { throw ServiceError.notFound("port-out request") }
        return portOut
    }

    private static func insert(_ portOut: PortOut, in database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO port_outs (id, account_id, filed_by, gaining_carrier, gaining_ocn, state, reject_reasons, due_at, approve_by,
                created_at, updated_at)
            VALUES (\(bind: portOut.id), \(bind: portOut.accountId), \(bind: portOut.filedBy), \(bind: portOut.gainingCarrier),
                \(bind: portOut.gainingOcn),
                \(bind: portOut.state.rawValue), \(bind: portOut.rejectReasons?.map(\.rawValue).joined(separator: ",")),
                \(bind: portOut.dueAt.unixSeconds), \(bind: portOut.approveBy?.unixSeconds), \(bind: portOut.createdAt.unixSeconds),
                \(bind: portOut.updatedAt.unixSeconds))
            """).run()
        for number in portOut.numbers {
            try await database.raw("INSERT INTO port_out_numbers (port_out_id, tn) VALUES (\(bind: portOut.id), \(bind: number.national))").run()
        }
    }

    private static func decode(_ row: any SQLRow, in database: any SQLDatabase) async throws -> PortOut {
        let id = try row.decode(column: "id", as: String.self)
        let numbers = try await database.raw("SELECT tn FROM port_out_numbers WHERE port_out_id = \(bind: id) ORDER BY tn").all()
            .map { try PhoneNumber(parsing: try $0.decode(column: "tn", as: String.self)) }
        guard let state = PortOutState(rawValue: try row.decode(column: "state", as: String.self)) else {
            throw ServiceError(.conflict, "the request's stored state is unknown")
        }
        return PortOut(
            id: id, accountId: try row.decode(column: "account_id", as: String?.self),
            filedBy: try row.decode(column: "filed_by", as: String?.self), numbers: numbers,
            gainingCarrier: try row.decode(column: "gaining_carrier", as: String.self),
            gainingOcn: try row.decode(column: "gaining_ocn", as: String.self), state: state,
            rejectReasons: try row.decode(column: "reject_reasons", as: String?.self)
                .map { $0.split(separator: ",").compactMap { PortOutRejectReason(rawValue: String($0)) } },
            dueAt: Date(unixSeconds: try row.decode(column: "due_at", as: Int64.self)),
            approveBy: try row.decode(column: "approve_by", as: Int64?.self).map(Date.init(unixSeconds:)),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }
}
