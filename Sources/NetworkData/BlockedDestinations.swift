import Accounts
import Foundation
import Platform
import Routing
import SQLKit
import Store
import Timekeeping

/// A destination prefix outbound calls may not reach: for the whole network (set by the operator) or for one
/// account (set by the operator or the account's admins). Calls to it are declined with `603`; emergency
/// calls and calls to our own numbers are never blocked.
public struct BlockedDestination: Sendable, Codable, Equatable {
    public var id: String
    /// E.164 digits with `+`, 1 to 15 digits: `+53` (a country), `+1900`, `+1876555`.
    public var prefix: String
    /// The account the block applies to; `nil` for the whole network.
    public var accountId: String?
    public var reason: String?
    /// Whether the operator set it: only the operator lifts such a block (every network-wide one is).
    public var setByOperator: Bool
    public var createdAt: Date
}

/// What a blocked destination is created from.
public struct BlockedDestinationDraft: Sendable, Codable, Equatable {
    public var prefix: String
    /// The operator names an account, or none for a network-wide block; customers block for themselves.
    public var accountId: String?
    public var reason: String?

    public init(prefix: String, accountId: String? = nil, reason: String? = nil) {
        self.prefix = prefix
        self.accountId = accountId
        self.reason = reason
    }
}

/// Blocked destinations: network-wide and per account.
public struct BlockedDestinations: Sendable {
    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The most blocks one account (or the network) may have.
    public static let maximumPerOwner = 10_000

    /// Blocks the caller is subject to or manages: the operator sees all (or one account's and the network's),
    /// a customer its own and the network's. Ordered by id.
    public func list(accountId: String?, page: PageRequest, by principal: Principal) async throws -> Page<BlockedDestination> {
        try principal.requireCustomerOrOperator()
        let scope: SQLQueryString = if principal.isOperator, accountId == nil {
            "1 = 1"
        } else {
            "(account_id IS NULL OR account_id = \(bind: try principal.targetAccount(accountId)))"
        }
        let after = try page.idCursor(prefix: "blk") ?? ""
        let fetched: [BlockedDestination] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM blocked_destinations WHERE \(scope) AND id > \(bind: after)
                ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// Blocks a prefix for an account, or (operator, no account named) for the whole network.
    public func create(_ draft: BlockedDestinationDraft, by principal: Principal) async throws -> BlockedDestination {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let prefix = try Self.prefix(draft.prefix)
        let account: String? = principal.isOperator && draft.accountId == nil ? nil : try principal.targetAccount(draft.accountId)
        let reason = draft.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason, reason.count > 200 { throw ServiceError.invalid("reason", "at most 200 characters") }
        let block = BlockedDestination(
            id: Identifier.make(prefix: "blk"), prefix: "+" + prefix, accountId: account,
            reason: reason?.isEmpty == false ? reason : nil, setByOperator: principal.isOperator,
            createdAt: Date(unixSeconds: clock.now().unixSeconds)
        )
        return try await store.transaction { database in
            let owner: SQLQueryString = account.map { "account_id = \(bind: $0)" } ?? "account_id IS NULL"
            if let account {
                guard try await AccountDirectory.fetchAccount(account, in: database) != nil else {
                    throw ServiceError.notFound("account")
                }
            }
            let existing = try await database.raw("SELECT prefix FROM blocked_destinations WHERE \(owner)").all()
                .map { try $0.decode(column: "prefix", as: String.self) }
            guard !existing.contains(prefix) else {
                throw ServiceError(.conflict, "+\(prefix) is already blocked")
            }
            guard existing.count < Self.maximumPerOwner else {
                throw ServiceError(.conflict, "at most \(Self.maximumPerOwner) blocked destinations")
            }
            try await database.raw("""
                INSERT INTO blocked_destinations (id, prefix, account_id, reason, set_by_operator, created_at)
                VALUES (\(bind: block.id), \(bind: prefix), \(bind: account), \(bind: block.reason),
                    \(bind: block.setByOperator ? 1 : 0), \(bind: block.createdAt.unixSeconds))
                """).run()
            try await RoutingEpoch.bump(in: database)
            return block
        }
    }

    /// Lifts a block. Customers lift only the blocks they set on their own account; the operator's (network-wide
    /// or on the account) are the operator's to lift.
    public func delete(_ id: String, by principal: Principal) async throws {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        try await store.transaction { database in
            guard let row = try await database.raw("""
                SELECT account_id, set_by_operator FROM blocked_destinations WHERE id = \(bind: id)
                """).first()
            else { throw ServiceError.notFound("blocked destination") }
            let account = try row.decode(column: "account_id", as: String?.self)
            guard principal.isOperator || (account != nil && account == principal.accountId) else {
                if account == nil { throw ServiceError(.forbidden, "network-wide blocks are the operator's") }
                throw ServiceError.notFound("blocked destination")
            }
            let setByOperator = try row.decode(column: "set_by_operator", as: Int.self) != 0
            guard principal.isOperator || !setByOperator else {
                throw ServiceError(.forbidden, "the operator set this block; only the operator lifts it")
            }
            try await database.raw("DELETE FROM blocked_destinations WHERE id = \(bind: id)").run()
            try await RoutingEpoch.bump(in: database)
        }
    }

    /// Every block, compiled for routing.
    package static func compiled(in database: any SQLDatabase) async throws -> DestinationBlocks {
        var blocks = DestinationBlocks()
        for row in try await database.raw("SELECT prefix, account_id FROM blocked_destinations").all() {
            blocks.add(
                prefix: try row.decode(column: "prefix", as: String.self),
                account: try row.decode(column: "account_id", as: String?.self)
            )
        }
        return blocks
    }

    /// The digits of a `+`-prefixed E.164 prefix.
    private static func prefix(_ text: String) throws(ServiceError) -> String {
        let digits = text.hasPrefix("+") ? text.dropFirst() : ""
        guard (1...15).contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.first != "0" else {
            throw .invalid("prefix", "must be + and 1 to 15 digits of an E.164 number, as +53 or +1900")
        }
        return String(digits)
    }

    private static func decode(_ row: any SQLRow) throws -> BlockedDestination {
        BlockedDestination(
            id: try row.decode(column: "id", as: String.self),
            prefix: "+" + (try row.decode(column: "prefix", as: String.self)),
            accountId: try row.decode(column: "account_id", as: String?.self),
            reason: try row.decode(column: "reason", as: String?.self),
            setByOperator: try row.decode(column: "set_by_operator", as: Int.self) != 0,
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
