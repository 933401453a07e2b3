import Crypto
import Foundation
import Platform
import SQLKit
import Store
import Timekeeping

// MARK: - Model

/// Whether an account may use the service.
public enum AccountStatus: String, Sendable, Codable, CaseIterable {
    case active
    case suspended
    case closed
}

/// The most a customer may set its own trunks' limits to; the operator sets it per account, and may itself set a
/// trunk's limits past it.
public struct TrunkCeiling: Sendable, Codable, Equatable {
    /// What an account has until the operator says otherwise: modest, so that a stolen customer key cannot open a
    /// trunk to a flood.
    public static let standard = TrunkCeiling(maxCallsPerSecond: 10, maxChannels: 100)
    /// What a ceiling may be set to.
    public static let range = 1...100_000

    public var maxCallsPerSecond: Int
    public var maxChannels: Int

    public init(maxCallsPerSecond: Int, maxChannels: Int) {
        self.maxCallsPerSecond = maxCallsPerSecond
        self.maxChannels = maxChannels
    }
}

/// A tenant of the platform.
public struct Account: Sendable, Codable, Equatable {
    public var id: String
    public var kind: AccountKind
    public var name: String
    /// The agent who referred this customer, if any.
    public var agentId: String?
    public var status: AccountStatus
    /// The most the account may set its trunks' limits to.
    public var trunkCeiling: TrunkCeiling
    /// Whether the account's own keys may point its trunks at loopback and private addresses (a customer on the
    /// carrier's private network); only the operator sets it, and the operator's own changes are never held to it.
    public var privateTrunkHosts: Bool
    /// A partner carrier's Operating Company Number: the gaining carrier its port-out requests are filed as.
    public var ocn: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, kind: AccountKind, name: String, agentId: String?, status: AccountStatus,
        trunkCeiling: TrunkCeiling = .standard, privateTrunkHosts: Bool = false, ocn: String? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.agentId = agentId
        self.status = status
        self.trunkCeiling = trunkCeiling
        self.privateTrunkHosts = privateTrunkHosts
        self.ocn = ocn
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// An API key as listed: never its secret.
public struct APIKey: Sendable, Codable, Equatable {
    public var id: String
    public var accountId: String
    public var role: Role
    public var name: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var replacedBy: String?
}

/// A newly made key with its secret, which is shown this once and stored only as a hash.
public struct IssuedKey: Sendable, Codable, Equatable {
    public var key: APIKey
    public var secret: String
}

// MARK: - Directory

/// Accounts and their API keys.
public struct AccountDirectory: Sendable {
    /// Every key token starts with this, so leaked keys are easy to recognize in logs and scanners.
    public static let tokenPrefix = "tdm_"
    private static let keyIdLength = 16
    private static let secretLength = 32

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    // MARK: Accounts

    /// Creates a customer, agent or partner account (operator only); a partner carrier's account names its OCN.
    public func createAccount(
        name: String, kind: AccountKind, agentId: String?, ocn: String? = nil, by principal: Principal
    ) async throws -> Account {
        try principal.requireOperator()
        let name = try Validate.name(name, field: "name", maximum: 100)
        guard kind != .operator else { throw ServiceError.invalid("kind", "only one operator account exists") }
        if agentId != nil, kind != .customer { throw ServiceError.invalid("agent_id", "only customers have agents") }
        let ocn = try ocn.map { ocn throws(ServiceError) in try Validate.ocn(ocn, field: "ocn") }
        if kind == .partner, ocn == nil { throw ServiceError.invalid("ocn", "a partner carrier's account names its OCN") }
        if kind != .partner, ocn != nil { throw ServiceError.invalid("ocn", "only partner carriers have an OCN here") }
        return try await store.transaction { database in
            if let agentId {
                let agent = try await Self.fetchAccount(agentId, in: database)
                guard agent?.kind == .agent else { throw ServiceError.invalid("agent_id", "no agent account '\(agentId)'") }
            }
            let account = Account(
                id: Identifier.make(prefix: "acc"), kind: kind, name: name, agentId: agentId, status: .active, ocn: ocn,
                createdAt: clock.now(), updatedAt: clock.now()
            )
            try await Self.insert(account, into: database)
            return account
        }
    }

    /// The operator's account id, read in the caller's transaction; `nil` before there is one.
    package static func operatorAccountId(in database: any SQLDatabase) async throws -> String? {
        try await database.raw("SELECT id FROM accounts WHERE kind = 'operator'").first()?.decode(column: "id", as: String.self)
    }

    /// Creates the operator account if there is none yet; returns it.
    public func bootstrapOperator(id: String = "acc_operator", name: String) async throws -> Account {
        try await store.transaction { database in
            if let row = try await database.raw("SELECT id FROM accounts WHERE kind = 'operator'").first(),
                let existing = try await Self.fetchAccount(try row.decode(column: "id", as: String.self), in: database)
            {
                return existing
            }
            let account = Account(
                id: id, kind: .operator, name: name, agentId: nil, status: .active,
                createdAt: clock.now(), updatedAt: clock.now()
            )
            try await Self.insert(account, into: database)
            return account
        }
    }

    /// Inserts an account with a chosen id (demo data); an existing account of that id is left as it is.
    public func insertAccount(_ account: Account) async throws {
        try await store.transaction { database in
            if try await Self.fetchAccount(account.id, in: database) == nil {
                try await Self.insert(account, into: database)
            }
        }
    }

    private static func insert(_ account: Account, into database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO accounts (id, kind, name, agent_id, status, trunk_cps_ceiling, trunk_channel_ceiling, private_trunk_hosts,
                                  ocn, created_at, updated_at)
            VALUES (\(bind: account.id), \(bind: account.kind.rawValue), \(bind: account.name), \(bind: account.agentId),
                    \(bind: account.status.rawValue), \(bind: account.trunkCeiling.maxCallsPerSecond),
                    \(bind: account.trunkCeiling.maxChannels), \(bind: account.privateTrunkHosts ? 1 : 0), \(bind: account.ocn),
                    \(bind: account.createdAt.unixSeconds), \(bind: account.updatedAt.unixSeconds))
            """).run()
    }

    /// An account the caller may see.
    public func account(_ id: String, for principal: Principal) async throws -> Account {
        try await store.read { database in
            guard let account = try await Self.fetchAccount(id, in: database),
                Self.canSee(account, principal)
            else { throw ServiceError.notFound("account") }
            return account
        }
    }

    /// The accounts the caller may see: all for the operator, referred customers for an agent, itself otherwise.
    public func accounts(for principal: Principal, page: PageRequest) async throws -> Page<Account> {
        let after = try page.idCursor(prefix: "acc") ?? ""
        let fetched: [Account] = try await store.read { database in
            let filter: SQLQueryString = switch principal.role {
            case .operatorAdmin: "1 = 1"
            case .agent: "(id = \(bind: principal.accountId) OR agent_id = \(bind: principal.accountId))"
            case .customerAdmin, .customerRead, .partner, .reportingSwitch: "id = \(bind: principal.accountId)"
            }
            return try await database.raw("""
                SELECT * FROM accounts WHERE \(filter) AND id > \(bind: after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decodeAccount)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// Changes an account's name, status, trunk ceiling or leave to use private trunk hosts (operator only).
    public func updateAccount(
        _ id: String, name: String?, status: AccountStatus?, trunkCeiling: TrunkCeiling? = nil, privateTrunkHosts: Bool? = nil,
        by principal: Principal
    ) async throws -> Account {
        try principal.requireOperator()
        let name = try name.map { name throws(ServiceError) in try Validate.name(name, field: "name", maximum: 100) }
        if let trunkCeiling {
            guard TrunkCeiling.range.contains(trunkCeiling.maxCallsPerSecond) else {
                throw ServiceError.invalid("trunk_ceiling.max_calls_per_second", "must be 1 to 100000")
            }
            guard TrunkCeiling.range.contains(trunkCeiling.maxChannels) else {
                throw ServiceError.invalid("trunk_ceiling.max_channels", "must be 1 to 100000")
            }
        }
        return try await store.transaction { database in
            guard var account = try await Self.fetchAccount(id, in: database, forUpdate: true) else {
                throw ServiceError.notFound("account")
            }
            if account.kind == .operator, let status, status != .active {
                throw ServiceError.invalid("status", "the operator account cannot be suspended or closed")
            }
            account.name = name ?? account.name
            account.status = status ?? account.status
            account.trunkCeiling = trunkCeiling ?? account.trunkCeiling
            account.privateTrunkHosts = privateTrunkHosts ?? account.privateTrunkHosts
            account.updatedAt = clock.now()
            try await database.raw("""
                UPDATE accounts SET name = \(bind: account.name), status = \(bind: account.status.rawValue),
                    trunk_cps_ceiling = \(bind: account.trunkCeiling.maxCallsPerSecond),
                    trunk_channel_ceiling = \(bind: account.trunkCeiling.maxChannels),
                    private_trunk_hosts = \(bind: account.privateTrunkHosts ? 1 : 0),
                    updated_at = \(bind: account.updatedAt.unixSeconds) WHERE id = \(bind: id)
                """).run()
            try await RoutingEpoch.bump(in: database)
            return account
        }
    }

    package static func canSee(_ account: Account, _ principal: Principal) -> Bool {
        switch principal.role {
        case .operatorAdmin: true
        case .agent: account.id == principal.accountId || account.agentId == principal.accountId
        case .customerAdmin, .customerRead, .partner, .reportingSwitch: account.id == principal.accountId
        }
    }

    package static func fetchAccount(_ id: String, in database: any SQLDatabase, forUpdate: Bool = false) async throws -> Account? {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        return try await database.raw("SELECT * FROM accounts WHERE id = \(bind: id)\(lock)").first().map(decodeAccount)
    }

    private static func decodeAccount(_ row: any SQLRow) throws -> Account {
        Account(
            id: try row.decode(column: "id", as: String.self),
            kind: try row.decodeEnum(column: "kind"),
            name: try row.decode(column: "name", as: String.self),
            agentId: try row.decode(column: "agent_id", as: String?.self),
            status: try row.decodeEnum(column: "status"),
            trunkCeiling: TrunkCeiling(
                maxCallsPerSecond: try row.decode(column: "trunk_cps_ceiling", as: Int?.self) ?? TrunkCeiling.standard.maxCallsPerSecond,
                maxChannels: try row.decode(column: "trunk_channel_ceiling", as: Int?.self) ?? TrunkCeiling.standard.maxChannels
            ),
            privateTrunkHosts: (try row.decode(column: "private_trunk_hosts", as: Int?.self) ?? 0) != 0,
            ocn: try row.decode(column: "ocn", as: String?.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    // MARK: Keys

    /// Issues a key for an account. The operator may issue any role matching the account's kind; a
    /// customer admin may issue customer roles for its own account.
    public func issueKey(
        accountId: String, role: Role, name: String, expiresAt: Date? = nil, by principal: Principal
    ) async throws -> IssuedKey {
        try principal.requireWrite()
        let name = try Validate.name(name, field: "name", maximum: 100)
        if let expiresAt, expiresAt <= clock.now() {
            throw ServiceError.invalid("expires_at", "must be in the future")
        }
        return try await store.transaction { database in
            guard let account = try await Self.fetchAccount(accountId, in: database), Self.canSee(account, principal)
            else { throw ServiceError.notFound("account") }
            guard role.accountKind == account.kind else {
                throw ServiceError.invalid("role", "a \(account.kind.rawValue) account cannot hold \(role.rawValue) keys")
            }
            return try await insertKey(
                accountId: accountId, role: role, name: name, expiresAt: expiresAt, by: principal.actor, in: database
            )
        }
    }

    /// Issues a key without a caller (bootstrap, demo and the CLI's recovery command).
    public func issueKeyAsSystem(accountId: String, role: Role, name: String) async throws -> IssuedKey {
        try await store.transaction { database in
            try await insertKey(accountId: accountId, role: role, name: name, expiresAt: nil, by: "system", in: database)
        }
    }

    /// Whether any unrevoked key with `role` exists (`serve` issues a bootstrap operator key when none does).
    public func hasActiveKey(role: Role) async throws -> Bool {
        try await store.read { database in
            try await database.raw("SELECT id FROM api_keys WHERE role = \(bind: role.rawValue) AND revoked_at IS NULL LIMIT 1")
                .first() != nil
        }
    }

    /// Revokes the unrevoked keys the system issued under names starting with `prefix` (the previous run's demo
    /// keys); returns how many.
    @discardableResult
    public func revokeSystemKeys(namedWith prefix: String) async throws -> Int {
        try await store.transaction { database in
            try await database.raw("""
                UPDATE api_keys SET revoked_at = \(bind: clock.unixSeconds())
                WHERE substr(name, 1, \(bind: prefix.count)) = \(bind: prefix) AND created_by = 'system' AND revoked_at IS NULL
                RETURNING id
                """).all().count
        }
    }

    private func insertKey(
        accountId: String, role: Role, name: String, expiresAt: Date?, by actor: String, in database: any SQLDatabase
    ) async throws -> IssuedKey {
        let suffix = Identifier.random(Self.keyIdLength, from: Array("abcdefghijklmnopqrstuvwxyz0123456789"))
        let secret = Identifier.random(Self.secretLength)
        let key = APIKey(
            id: "key_" + suffix, accountId: accountId, role: role, name: name, createdAt: clock.now(),
            expiresAt: expiresAt, revokedAt: nil, replacedBy: nil
        )
        try await database.raw("""
            INSERT INTO api_keys (id, account_id, role, name, secret_hash, created_at, created_by, expires_at)
            VALUES (\(bind: key.id), \(bind: accountId), \(bind: role.rawValue), \(bind: name),
                    \(bind: Self.hash(secret)), \(bind: key.createdAt.unixSeconds), \(bind: actor),
                    \(bind: expiresAt?.unixSeconds))
            """).run()
        return IssuedKey(key: key, secret: Self.tokenPrefix + suffix + secret)
    }

    /// The keys of an account the caller may manage.
    public func keys(accountId: String, for principal: Principal, page: PageRequest) async throws -> Page<APIKey> {
        try principal.requireWrite()
        let after = try page.idCursor(prefix: "key") ?? ""
        let fetched: [APIKey] = try await store.read { database in
            guard let account = try await Self.fetchAccount(accountId, in: database), Self.canSee(account, principal)
            else { throw ServiceError.notFound("account") }
            return try await database.raw("""
                SELECT * FROM api_keys WHERE account_id = \(bind: accountId) AND id > \(bind: after)
                ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decodeKey)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// Revokes a key at once.
    public func revokeKey(_ keyId: String, by principal: Principal) async throws -> APIKey {
        try principal.requireWrite()
        return try await store.transaction { database in
            var key = try await visibleKey(keyId, principal, forUpdate: true, in: database)
            if key.revokedAt == nil || key.revokedAt! > clock.now() {
                key.revokedAt = clock.now()
                try await database.raw(
                    "UPDATE api_keys SET revoked_at = \(bind: key.revokedAt!.unixSeconds) WHERE id = \(bind: keyId)"
                ).run()
            }
            return key
        }
    }

    /// Replaces a key with a new one of the same account, role and name.
    ///
    /// The old key keeps working for `gracePeriod` (at most 7 days) so that deployments can switch over.
    public func rotateKey(_ keyId: String, gracePeriod: Duration, by principal: Principal) async throws -> IssuedKey {
        try principal.requireWrite()
        guard gracePeriod >= .zero, gracePeriod <= .seconds(7 * 86_400) else {
            throw ServiceError.invalid("grace_seconds", "must be between 0 and 604800")
        }
        return try await store.transaction { database in
            let old = try await visibleKey(keyId, principal, forUpdate: true, in: database)
            if let revoked = old.revokedAt, revoked <= clock.now() {
                throw ServiceError(.conflict, "the key is revoked; issue a new one instead")
            }
            // A key in its grace period was already replaced; rotating it again would postpone its end.
            if let successor = old.replacedBy {
                throw ServiceError(.conflict, "the key was already rotated into \(successor); rotate that one")
            }
            if let expires = old.expiresAt, expires <= clock.now() {
                throw ServiceError(.conflict, "the key has expired; issue a new one instead")
            }
            let issued = try await insertKey(
                accountId: old.accountId, role: old.role, name: old.name, expiresAt: old.expiresAt, by: principal.actor,
                in: database
            )
            let revokeAt = clock.now().addingTimeInterval(Double(gracePeriod.components.seconds))
            try await database.raw("""
                UPDATE api_keys SET revoked_at = \(bind: revokeAt.unixSeconds), replaced_by = \(bind: issued.key.id)
                WHERE id = \(bind: keyId)
                """).run()
            return issued
        }
    }

    private func visibleKey(
        _ keyId: String, _ principal: Principal, forUpdate: Bool, in database: any SQLDatabase
    ) async throws -> APIKey {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        guard let key = try await database.raw("SELECT * FROM api_keys WHERE id = \(bind: keyId)\(lock)").first()
            .map(Self.decodeKey),
            let account = try await Self.fetchAccount(key.accountId, in: database), Self.canSee(account, principal)
        else { throw ServiceError.notFound("key") }
        return key
    }

    /// Resolves a bearer token to its principal, or `nil` when the token is unknown, revoked, expired, or
    /// belongs to an account that is not active.
    ///
    /// Secrets are compared by SHA-256 hash in constant time; a token of the wrong shape costs no query.
    public func authenticate(token: String) async throws -> Principal? {
        let expectedLength = Self.tokenPrefix.count + Self.keyIdLength + Self.secretLength
        guard token.utf8.count == expectedLength, token.hasPrefix(Self.tokenPrefix),
            token.utf8.allSatisfy({ $0 < 0x80 })
        else { return nil }
        let body = token.dropFirst(Self.tokenPrefix.count)
        let keyId = "key_" + body.prefix(Self.keyIdLength)
        let secret = String(body.dropFirst(Self.keyIdLength))
        let now = clock.now().unixSeconds
        return try await store.read { database in
            guard let row = try await database.raw("""
                SELECT k.secret_hash, k.role, k.account_id, k.revoked_at, k.expires_at, a.status
                FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = \(bind: keyId)
                """).first()
            else { return nil }
            let storedHash = try row.decode(column: "secret_hash", as: String.self)
            guard Identifier.constantTimeEqual(storedHash, Self.hash(secret)) else { return nil }
            if let revokedAt = try row.decode(column: "revoked_at", as: Int64?.self), revokedAt <= now { return nil }
            if let expiresAt = try row.decode(column: "expires_at", as: Int64?.self), expiresAt <= now { return nil }
            guard try row.decode(column: "status", as: String.self) == AccountStatus.active.rawValue else { return nil }
            return Principal(
                accountId: try row.decode(column: "account_id", as: String.self),
                role: try row.decodeEnum(column: "role"),
                keyId: keyId
            )
        }
    }

    package static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func decodeKey(_ row: any SQLRow) throws -> APIKey {
        APIKey(
            id: try row.decode(column: "id", as: String.self),
            accountId: try row.decode(column: "account_id", as: String.self),
            role: try row.decodeEnum(column: "role"),
            name: try row.decode(column: "name", as: String.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self).map(Date.init(unixSeconds:)),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(unixSeconds:)),
            replacedBy: try row.decode(column: "replaced_by", as: String?.self)
        )
    }
}
