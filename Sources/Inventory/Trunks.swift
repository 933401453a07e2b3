import Accounts
import Crypto
import Foundation
import NetworkData
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

// MARK: - Model

/// One of a trunk's PBX or SBC addresses. Calls go to the lowest `priority` first and are shared among equal
/// priorities by `weight` (RFC 3263 §4.4 semantics, as for DNS SRV).
public struct TrunkHost: Sendable, Codable, Equatable {
    public var address: String
    public var port: Int
    public var transport: SIPTransport
    public var priority: Int
    public var weight: Int

    public init(address: String, port: Int = 5060, transport: SIPTransport = .udp, priority: Int = 10, weight: Int = 100) {
        self.address = address
        self.port = port
        self.transport = transport
        self.priority = priority
        self.weight = weight
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decode(String.self, forKey: .address)
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 5060
        transport = try container.decodeIfPresent(SIPTransport.self, forKey: .transport) ?? .udp
        priority = try container.decodeIfPresent(Int.self, forKey: .priority) ?? 10
        weight = try container.decodeIfPresent(Int.self, forKey: .weight) ?? 100
    }
}

/// Which calling numbers a trunk may present (the From / P-Asserted-Identity of its calls).
public struct CallerIDPolicy: Sendable, Codable, Equatable {
    /// What is allowed.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// The account's own numbers, plus the `allowed` prefixes.
        case ownNumbers = "own-numbers"
        /// Anything (a wholesale customer passing on its own customers' calls).
        case any
    }

    /// What routing does with a call presenting a number it may not.
    public enum Violation: String, Sendable, Codable, CaseIterable {
        /// Refuse the call (SIP 403).
        case reject
        /// Route it, attested no better than C, and flag it for review.
        case flag
    }

    public var mode: Mode
    /// Extra E.164 prefixes the trunk is authorized for (`+1202555`), for numbers hosted elsewhere.
    public var allowed: [String]
    public var onViolation: Violation

    public init(mode: Mode = .ownNumbers, allowed: [String] = [], onViolation: Violation = .reject) {
        self.mode = mode
        self.allowed = allowed
        self.onViolation = onViolation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mode = try container.decodeIfPresent(Mode.self, forKey: .mode) ?? .ownNumbers
        allowed = try container.decodeIfPresent([String].self, forKey: .allowed) ?? []
        onViolation = try container.decodeIfPresent(Violation.self, forKey: .onViolation) ?? .reject
    }
}

/// How a trunk's calls are signed (STIR/SHAKEN).
public struct IdentityPolicy: Sendable, Codable, Equatable {
    /// Which calls get an Identity header.
    public enum Signing: String, Sendable, Codable, CaseIterable {
        /// Every call with a calling number.
        case all
        /// Calls that arrive without an Identity header of their own.
        case unsigned
        /// None.
        case never
    }

    public var signing: Signing
    /// Whether calls to international destinations are signed too (they are not by default: few foreign
    /// networks verify, and the token only adds bytes).
    public var signInternational: Bool
    /// The trunk passes on calls from elsewhere (a wholesaler's or an aggregator's): they are attested C.
    public var passesOnCalls: Bool
    /// The customer's display name as the operator verified it, sent as Rich Call Data (RFC 9795) on calls
    /// attested A. Only the operator sets it.
    public var verifiedName: String?

    /// The longest verified name (RCD's `nam` has no limit of its own; displays do).
    public static let maximumNameLength = 40

    public init(signing: Signing = .all, signInternational: Bool = false, passesOnCalls: Bool = false, verifiedName: String? = nil) {
        self.signing = signing
        self.signInternational = signInternational
        self.passesOnCalls = passesOnCalls
        self.verifiedName = verifiedName
    }
}

/// Changes to a trunk's signing policy: each member given replaces the current one; absent members stay.
/// An empty `verified_name` clears it.
public struct IdentityPolicyDraft: Sendable, Codable, Equatable {
    public var signing: IdentityPolicy.Signing?
    public var signInternational: Bool?
    public var passesOnCalls: Bool?
    public var verifiedName: String?

    public init(signing: IdentityPolicy.Signing? = nil, signInternational: Bool? = nil, passesOnCalls: Bool? = nil,
                verifiedName: String? = nil) {
        self.signing = signing
        self.signInternational = signInternational
        self.passesOnCalls = passesOnCalls
        self.verifiedName = verifiedName
    }

    /// `current` with this draft's changes, checked: the attestation ceiling (`passes_on_calls`) and the verified
    /// name vouch for the customer, so only the operator changes them.
    func applied(to current: IdentityPolicy, by principal: Principal) throws(ServiceError) -> IdentityPolicy {
        var policy = current
        policy.signing = signing ?? current.signing
        policy.signInternational = signInternational ?? current.signInternational
        policy.passesOnCalls = passesOnCalls ?? current.passesOnCalls
        if let verifiedName {
            do {
                policy.verifiedName = verifiedName.isEmpty ? nil
                    : try CallerName(normalizing: verifiedName, maximumLength: IdentityPolicy.maximumNameLength).text
            } catch {
                throw .invalid("identity.verified_name", error.description)
            }
        }
        guard principal.isOperator || (policy.passesOnCalls == current.passesOnCalls && policy.verifiedName == current.verifiedName) else {
            let field = policy.verifiedName != current.verifiedName ? "identity.verified_name" : "identity.passes_on_calls"
            throw ServiceError(.forbidden, field: field, "only the operator may change \(field)")
        }
        return policy
    }
}

/// A customer's SIP trunk: where its calls come from, where calls to it go, and its limits.
public struct Trunk: Sendable, Codable, Equatable {
    public var id: String
    public var accountId: String
    public var name: String
    public var hosts: [TrunkHost]
    /// Addresses or CIDR blocks its calls come from (`203.0.113.10`, `198.51.100.0/28`).
    public var sourceAddresses: [String]
    /// Concurrent calls allowed.
    public var maxChannels: Int
    /// New calls per second allowed.
    public var maxCallsPerSecond: Int
    public var callerId: CallerIDPolicy
    public var identity: IdentityPolicy
    /// The SHAKEN origination identifier of the trunk's calls: a UUID stable for the account and trunk, by which
    /// traceback finds where a call entered.
    public private(set) var origid: String
    public var createdAt: Date
    public var updatedAt: Date

    /// A name-based UUID (RFC 9562 version 8) from the account and trunk ids.
    public static func originIdentifier(account: String, trunk: String) -> String {
        var digest = Array(SHA256.hash(data: Array("tandem-origid:\(account)/\(trunk)".utf8)).prefix(16))
        digest[6] = digest[6] & 0x0F | 0x80
        digest[8] = digest[8] & 0x3F | 0x80
        let hex = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in digest.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append("-") }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return text
    }

    public init(
        id: String, accountId: String, name: String, hosts: [TrunkHost], sourceAddresses: [String], maxChannels: Int,
        maxCallsPerSecond: Int, callerId: CallerIDPolicy, identity: IdentityPolicy = IdentityPolicy(),
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.accountId = accountId
        self.name = name
        self.hosts = hosts
        self.sourceAddresses = sourceAddresses
        self.maxChannels = maxChannels
        self.maxCallsPerSecond = maxCallsPerSecond
        self.callerId = callerId
        self.identity = identity
        self.origid = Self.originIdentifier(account: accountId, trunk: id)
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fields of a trunk a caller sets; any may be omitted in an update, which keeps the current value.
public struct TrunkDraft: Sendable, Codable, Equatable {
    public var accountId: String?
    public var name: String?
    public var hosts: [TrunkHost]?
    public var sourceAddresses: [String]?
    public var maxChannels: Int?
    public var maxCallsPerSecond: Int?
    public var callerId: CallerIDPolicy?
    public var identity: IdentityPolicyDraft?

    public init(
        accountId: String? = nil, name: String? = nil, hosts: [TrunkHost]? = nil, sourceAddresses: [String]? = nil,
        maxChannels: Int? = nil, maxCallsPerSecond: Int? = nil, callerId: CallerIDPolicy? = nil, identity: IdentityPolicyDraft? = nil
    ) {
        self.identity = identity
        self.accountId = accountId
        self.name = name
        self.hosts = hosts
        self.sourceAddresses = sourceAddresses
        self.maxChannels = maxChannels
        self.maxCallsPerSecond = maxCallsPerSecond
        self.callerId = callerId
    }
}

/// The stored configuration of a trunk (the columns that are not keys), as JSON; the routing feed decodes it too.
package struct TrunkConfiguration: Codable {
    package var hosts: [TrunkHost]
    package var sourceAddresses: [String]
    package var maxChannels: Int
    package var maxCallsPerSecond: Int
    package var callerId: CallerIDPolicy
    /// Absent in trunks stored before signing was configurable: those sign all calls.
    package var identity: IdentityPolicy?
}

// MARK: - Directory

/// Customers' SIP trunks.
public struct TrunkDirectory: Sendable {
    /// Limits on the lists a trunk holds.
    public static let maximumHosts = 16
    public static let maximumSourceAddresses = 64
    public static let maximumAllowedPrefixes = 64
    public static let channelRange = 1...100_000
    public static let callsPerSecondRange = 1...100_000

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Creates a trunk for the caller's account (or, for the operator, the account the draft names).
    public func create(_ draft: TrunkDraft, by principal: Principal) async throws -> Trunk {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let accountId = try principal.targetAccount(draft.accountId)
        try Self.requireCallerIDAuthority(draft, principal)
        let identity = try draft.identity?.applied(to: IdentityPolicy(), by: principal) ?? IdentityPolicy()
        guard let name = draft.name else { throw ServiceError.invalid("name", "is required") }
        guard let hosts = draft.hosts else { throw ServiceError.invalid("hosts", "is required") }
        guard let sources = draft.sourceAddresses else { throw ServiceError.invalid("source_addresses", "is required") }
        let now = clock.now()
        return try await store.transaction { database in
            guard let account = try await AccountDirectory.fetchAccount(accountId, in: database),
                AccountDirectory.canSee(account, principal)
            else { throw ServiceError.notFound("account") }
            guard account.kind == .customer else { throw ServiceError.invalid("account_id", "trunks belong to customer accounts") }
            let defaults = Self.defaultLimits(for: account, by: principal)
            let trunk = try Self.validated(Trunk(
                id: Identifier.make(prefix: "trk"), accountId: accountId, name: name, hosts: hosts, sourceAddresses: sources,
                maxChannels: draft.maxChannels ?? defaults.channels, maxCallsPerSecond: draft.maxCallsPerSecond ?? defaults.callsPerSecond,
                callerId: draft.callerId ?? CallerIDPolicy(), identity: identity, createdAt: now, updatedAt: now
            ))
            try Self.requireWithinCeiling(trunk, previous: nil, account: account, by: principal)
            try Self.requirePublicHosts(trunk, previous: nil, account: account, by: principal)
            try await ensureNameFree(trunk, in: database)
            try await ensureSourcesFree(trunk, keeping: [], by: principal, in: database)
            // A concurrent create of the same name may pass the check above; the unique key settles it.
            let inserted = try await database.raw("""
                INSERT INTO trunks (id, account_id, name, configuration, created_at, updated_at)
                VALUES (\(bind: trunk.id), \(bind: trunk.accountId), \(bind: trunk.name), \(bind: try Self.encode(trunk)),
                        \(bind: now.unixSeconds), \(bind: now.unixSeconds))
                ON CONFLICT (account_id, name) DO NOTHING RETURNING id
                """).first()
            guard inserted != nil else { throw Self.nameTaken(trunk.name) }
            try await RoutingEpoch.bump(in: database)
            return trunk
        }
    }

    /// Inserts a trunk with a chosen id (demo data); an existing trunk of that id is left as it is.
    public func insert(_ trunk: Trunk) async throws {
        let trunk = try Self.validated(trunk)
        try await store.transaction { database in
            try await database.raw("""
                INSERT INTO trunks (id, account_id, name, configuration, created_at, updated_at)
                VALUES (\(bind: trunk.id), \(bind: trunk.accountId), \(bind: trunk.name), \(bind: try Self.encode(trunk)),
                        \(bind: trunk.createdAt.unixSeconds), \(bind: trunk.updatedAt.unixSeconds))
                ON CONFLICT (id) DO NOTHING
                """).run()
            try await RoutingEpoch.bump(in: database)
        }
    }

    /// Changes the fields the draft sets; the others keep their values.
    public func update(_ id: String, with draft: TrunkDraft, by principal: Principal) async throws -> Trunk {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        if let accountId = draft.accountId {
            guard try principal.targetAccount(accountId) == accountId else { throw ServiceError.notFound("trunk") }
        }
        try Self.requireCallerIDAuthority(draft, principal)
        return try await store.transaction { database in
            var trunk = try await visibleTrunk(id, principal, forUpdate: true, in: database)
            let previous = trunk
            let previousSources = Set(trunk.sourceAddresses)
            if let accountId = draft.accountId, accountId != trunk.accountId {
                throw ServiceError.invalid("account_id", "a trunk cannot move to another account")
            }
            trunk.name = draft.name ?? trunk.name
            trunk.hosts = draft.hosts ?? trunk.hosts
            trunk.sourceAddresses = draft.sourceAddresses ?? trunk.sourceAddresses
            trunk.maxChannels = draft.maxChannels ?? trunk.maxChannels
            trunk.maxCallsPerSecond = draft.maxCallsPerSecond ?? trunk.maxCallsPerSecond
            trunk.callerId = draft.callerId ?? trunk.callerId
            if let identity = draft.identity {
                trunk.identity = try identity.applied(to: trunk.identity, by: principal)
            }
            trunk.updatedAt = clock.now()
            trunk = try Self.validated(trunk)
            // The account's row is locked, so that changes to its trunks take turns: two renames to one name
            // cannot both pass the name check below (on PostgreSQL the second would meet the unique key instead).
            guard let account = try await AccountDirectory.fetchAccount(trunk.accountId, in: database, forUpdate: true) else {
                throw ServiceError.notFound("trunk")
            }
            try Self.requireWithinCeiling(trunk, previous: previous, account: account, by: principal)
            try Self.requirePublicHosts(trunk, previous: previous, account: account, by: principal)
            try await ensureNameFree(trunk, in: database)
            try await ensureSourcesFree(trunk, keeping: previousSources, by: principal, in: database)
            try await database.raw("""
                UPDATE trunks SET name = \(bind: trunk.name), configuration = \(bind: try Self.encode(trunk)),
                    updated_at = \(bind: trunk.updatedAt.unixSeconds) WHERE id = \(bind: id)
                """).run()
            try await RoutingEpoch.bump(in: database)
            return trunk
        }
    }

    /// Deletes a trunk that no number points at, after each of `holders` has let go of it in the same transaction
    /// (a holder refuses while it still needs the trunk: port orders, for one).
    public func delete(_ id: String, releasing holders: [any TrunkHolder], by principal: Principal) async throws {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        try await store.transaction { database in
            _ = try await visibleTrunk(id, principal, forUpdate: true, in: database)
            let inUse = try await database.raw("SELECT COUNT(*) AS n FROM numbers WHERE trunk_id = \(bind: id)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            guard inUse == 0 else {
                throw ServiceError(.conflict, "\(inUse) number\(inUse == 1 ? " points" : "s point") at this trunk; unassign them first")
            }
            let failover = try await database.raw("SELECT COUNT(*) AS n FROM number_failover WHERE target_trunk = \(bind: id)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            guard failover == 0 else {
                throw ServiceError(.conflict, "\(failover) number\(failover == 1 ? " fails" : "s fail") over to this trunk; change their failover first")
            }
            for holder in holders { try await holder.release(trunk: id, in: database) }
            try await database.raw("DELETE FROM trunks WHERE id = \(bind: id)").run()
            try await RoutingEpoch.bump(in: database)
        }
    }

    /// A trunk the caller may see.
    public func trunk(_ id: String, by principal: Principal) async throws -> Trunk {
        try principal.requireCustomerOrOperator()
        return try await store.read { try await visibleTrunk(id, principal, forUpdate: false, in: $0) }
    }

    /// The caller's trunks (the operator: all, or one account's).
    public func trunks(accountId: String?, page: PageRequest, by principal: Principal) async throws -> Page<Trunk> {
        try principal.requireCustomerOrOperator()
        let scope: SQLQueryString = if principal.isOperator {
            accountId.map { "account_id = \(bind: $0)" } ?? "1 = 1"
        } else {
            "account_id = \(bind: try principal.targetAccount(accountId))"
        }
        let after = try page.idCursor(prefix: "trk") ?? ""
        let fetched: [Trunk] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM trunks WHERE \(scope) AND id > \(bind: after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    private func visibleTrunk(
        _ id: String, _ principal: Principal, forUpdate: Bool, in database: any SQLDatabase
    ) async throws -> Trunk {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        guard let trunk = try await database.raw("SELECT * FROM trunks WHERE id = \(bind: id)\(lock)").first().map(Self.decode),
            principal.isOperator || trunk.accountId == principal.accountId
        else { throw ServiceError.notFound("trunk") }
        return trunk
    }

    private func ensureNameFree(_ trunk: Trunk, in database: any SQLDatabase) async throws {
        let clash = try await database.raw("""
            SELECT id FROM trunks WHERE account_id = \(bind: trunk.accountId) AND name = \(bind: trunk.name)
                AND id <> \(bind: trunk.id)
            """).first()
        if clash != nil { throw Self.nameTaken(trunk.name) }
    }

    /// Routing tells trunks (and carriers) apart by source address, so a trunk may not claim addresses another
    /// trunk or a carrier already uses: that would capture their calls. Customers are also limited to blocks of
    /// at most 256 IPv4 or /48 IPv6 addresses; wider ones are the operator's to grant.
    /// Blocks in `kept` (the trunk's before an update) keep whatever width the operator gave them.
    private func ensureSourcesFree(
        _ trunk: Trunk, keeping kept: Set<String>, by principal: Principal, in database: any SQLDatabase
    ) async throws {
        let blocks = trunk.sourceAddresses.compactMap { CIDRBlock($0) }
        if !principal.isOperator {
            for (index, block) in blocks.enumerated()
            where block.prefixLength < (block.address.isV4 ? 24 : 48) && !kept.contains(block.description) {
                throw ServiceError(.forbidden, field: "source_addresses[\(index)]",
                                     "blocks wider than /24 (IPv4) or /48 (IPv6) are set by the operator")
            }
        }
        var taken: [CIDRBlock] = []
        for row in try await database.raw("SELECT configuration FROM trunks WHERE id <> \(bind: trunk.id)").all() {
            let configuration = try JSONDecoder().decode(
                TrunkConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
            )
            taken += configuration.sourceAddresses.compactMap { CIDRBlock($0) }
        }
        taken += try await CarrierDirectory.sourceAddresses(in: database)
        for (index, block) in blocks.enumerated()
        where taken.contains(where: { $0.contains(block.address) || block.contains($0.address) }) {
            throw ServiceError(.conflict, field: "source_addresses[\(index)]",
                                 "\(block) overlaps the source addresses of another trunk or a carrier")
        }
    }

    private static func nameTaken(_ name: String) -> ServiceError {
        ServiceError(.conflict, field: "name", "the account already has a trunk named '\(name)'")
    }

    // MARK: Validation

    /// Which numbers a trunk may present is the carrier's control, not the customer's: only the operator may
    /// set a policy other than the default (the account's own numbers, violations rejected).
    private static func requireCallerIDAuthority(_ draft: TrunkDraft, _ principal: Principal) throws(ServiceError) {
        guard let policy = draft.callerId, policy != CallerIDPolicy(), !principal.isOperator else { return }
        throw ServiceError(.forbidden, field: "caller_id", "only the operator may change a trunk's caller-ID policy")
    }

    /// Checks every field, normalizing where there is one right spelling (CIDRs, prefixes).
    static func validated(_ trunk: Trunk) throws(ServiceError) -> Trunk {
        var trunk = trunk
        trunk.name = try Validate.name(trunk.name, field: "name", maximum: 64)
        guard (1...maximumHosts).contains(trunk.hosts.count) else {
            throw .invalid("hosts", "must list 1 to \(maximumHosts) hosts")
        }
        for (index, host) in trunk.hosts.enumerated() {
            do {
                try HostName.validate(host.address)
            } catch {
                throw .invalid("hosts[\(index)].address", error.description)
            }
            guard (1...65_535).contains(host.port) else { throw .invalid("hosts[\(index)].port", "must be 1 to 65535") }
            guard (0...65_535).contains(host.priority) else {
                throw .invalid("hosts[\(index)].priority", "must be 0 to 65535")
            }
            guard (0...65_535).contains(host.weight) else { throw .invalid("hosts[\(index)].weight", "must be 0 to 65535") }
        }
        guard (1...maximumSourceAddresses).contains(trunk.sourceAddresses.count) else {
            throw .invalid("source_addresses", "must list 1 to \(maximumSourceAddresses) addresses or CIDR blocks")
        }
        for (index, text) in trunk.sourceAddresses.enumerated() {
            do {
                trunk.sourceAddresses[index] = try CIDRBlock(parsing: text).description
            } catch {
                throw .invalid("source_addresses[\(index)]", error.description)
            }
        }
        guard channelRange.contains(trunk.maxChannels) else {
            throw .invalid("max_channels", "must be \(channelRange.lowerBound) to \(channelRange.upperBound)")
        }
        guard callsPerSecondRange.contains(trunk.maxCallsPerSecond) else {
            throw .invalid(
                "max_calls_per_second", "must be \(callsPerSecondRange.lowerBound) to \(callsPerSecondRange.upperBound)"
            )
        }
        guard trunk.callerId.allowed.count <= maximumAllowedPrefixes else {
            throw .invalid("caller_id.allowed", "must list at most \(maximumAllowedPrefixes) prefixes")
        }
        trunk.callerId.allowed = try trunk.callerId.allowed.enumerated().map { index, prefix throws(ServiceError) in
            let digits = prefix.filter { !"+-. ()".contains($0) }
            guard digits.hasPrefix("1"), (2...11).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
                throw .invalid("caller_id.allowed[\(index)]", "must be a NANP E.164 prefix such as +1202555")
            }
            return "+" + digits
        }
        return trunk
    }

    // MARK: Rows

    private static func encode(_ trunk: Trunk) throws -> String {
        let configuration = TrunkConfiguration(
            hosts: trunk.hosts, sourceAddresses: trunk.sourceAddresses, maxChannels: trunk.maxChannels,
            maxCallsPerSecond: trunk.maxCallsPerSecond, callerId: trunk.callerId, identity: trunk.identity
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    /// The account a trunk belongs to, in the caller's transaction; `nil` when there is no such trunk.
    package static func owner(ofTrunk id: String, in database: any SQLDatabase) async throws -> String? {
        try await database.raw("SELECT account_id FROM trunks WHERE id = \(bind: id)").first()?
            .decode(column: "account_id", as: String.self)
    }

    private static func decode(_ row: any SQLRow) throws -> Trunk {
        let configuration = try JSONDecoder().decode(
            TrunkConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
        )
        return Trunk(
            id: try row.decode(column: "id", as: String.self),
            accountId: try row.decode(column: "account_id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            hosts: configuration.hosts,
            sourceAddresses: configuration.sourceAddresses,
            maxChannels: configuration.maxChannels,
            maxCallsPerSecond: configuration.maxCallsPerSecond,
            callerId: configuration.callerId,
            identity: configuration.identity ?? IdentityPolicy(),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }
}
