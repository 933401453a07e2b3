import Accounts
import Foundation
import Hummingbird
import Platform

/// `/v1/me`, `/v1/accounts` and `/v1/keys`: tenants and their API keys.
struct AccountsController: Sendable {
    let accounts: AccountDirectory

    struct NewAccount: Decodable {
        var name: String
        var kind: AccountKind
        var agentId: String?
        var ocn: String?
    }

    struct AccountChange: Decodable {
        var name: String?
        var status: AccountStatus?
        var trunkCeiling: TrunkCeiling?
        var privateTrunkHosts: Bool?
    }

    struct NewKey: Decodable {
        var name: String
        var role: Role
        var expiresAt: Date?
    }

    struct Rotation: Decodable {
        var graceSeconds: Int? = nil
    }

    struct Me: Encodable {
        var account: Account
        var role: Role
        var keyId: String
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("me", use: showCaller)
        group.get("accounts", use: list)
        group.post("accounts", use: create)
        group.get("accounts/:id", use: show)
        group.patch("accounts/:id", use: update)
        group.get("accounts/:id/keys", use: listKeys)
        group.post("accounts/:id/keys", use: issueKey)
        group.post("keys/:id/rotate", use: rotateKey)
        group.delete("keys/:id", use: revokeKey)
    }

    /// GET /v1/me: the caller's account, role and key.
    @Sendable func showCaller(_: Request, context: APIContext) async throws -> Response {
        let caller = try context.caller()
        let account = try await accounts.account(caller.accountId, for: caller)
        return try json(Me(account: account, role: caller.role, keyId: caller.keyId), context: context)
    }

    /// GET /v1/accounts: the accounts the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        try json(try await accounts.accounts(for: context.caller(), page: request.page()), context: context)
    }

    /// POST /v1/accounts: creates an account.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: NewAccount.self, context: context)
        let account = try await accounts.createAccount(
            name: body.name, kind: body.kind, agentId: body.agentId, ocn: body.ocn, by: context.caller()
        )
        return try json(account, status: .created, context: context)
    }

    /// GET /v1/accounts/{id}: one account.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await accounts.account(context.parameters.require("id"), for: context.caller()), context: context)
    }

    /// PATCH /v1/accounts/{id}: renames an account or changes its status.
    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: AccountChange.self, context: context)
        let account = try await accounts.updateAccount(
            context.parameters.require("id"), name: body.name, status: body.status, trunkCeiling: body.trunkCeiling,
            privateTrunkHosts: body.privateTrunkHosts,
            by: context.caller()
        )
        return try json(account, context: context)
    }

    /// GET /v1/accounts/{id}/keys: an account's API keys, paged.
    @Sendable func listKeys(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await accounts.keys(
            accountId: context.parameters.require("id"), for: context.caller(), page: request.page()
        )
        return try json(page, context: context)
    }

    /// POST /v1/accounts/{id}/keys: issues an API key for an account.
    @Sendable func issueKey(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: NewKey.self, context: context)
        let issued = try await accounts.issueKey(
            accountId: context.parameters.require("id"), role: body.role, name: body.name,
            expiresAt: body.expiresAt, by: context.caller()
        )
        return try json(issued, status: .created, context: context)
    }

    /// POST /v1/keys/{id}/rotate: issues a key's successor; the old key lives on for the grace period.
    @Sendable func rotateKey(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: Rotation.self, context: context, emptyAs: Rotation())
        let issued = try await accounts.rotateKey(
            context.parameters.require("id"), gracePeriod: .seconds(body.graceSeconds ?? 0), by: context.caller()
        )
        return try json(issued, status: .created, context: context)
    }

    /// DELETE /v1/keys/{id}: revokes a key.
    @Sendable func revokeKey(_: Request, context: APIContext) async throws -> Response {
        try json(try await accounts.revokeKey(context.parameters.require("id"), by: context.caller()), context: context)
    }
}
