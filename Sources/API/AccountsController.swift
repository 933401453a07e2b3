import Accounts
import Foundation
import Hummingbird
import Inventory
import Platform

/// `/v1/me`, `/v1/accounts` and `/v1/keys`: tenants and their API keys.
struct AccountsController {
    let accounts: AccountDirectory

    struct NewAccount: Decodable {
        var name: String
        var kind: AccountKind
        var agentId: String?
    }

    struct AccountChange: Decodable {
        var name: String?
        var status: AccountStatus?
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
        group.get("me") { _, context in
            let caller = try context.caller()
            let account = try await accounts.account(caller.accountId, for: caller)
            return try json(Me(account: account, role: caller.role, keyId: caller.keyId), context: context)
        }
        group.get("accounts") { request, context in
            try json(try await accounts.accounts(for: context.caller(), page: request.page()), context: context)
        }
        group.post("accounts") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: NewAccount.self, context: context)
            let account = try await accounts.createAccount(
                name: body.name, kind: body.kind, agentId: body.agentId, by: context.caller()
            )
            return try json(account, status: .created, context: context)
        }
        group.get("accounts/:id") { _, context in
            try json(try await accounts.account(context.parameters.require("id"), for: context.caller()), context: context)
        }
        group.patch("accounts/:id") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: AccountChange.self, context: context)
            let account = try await accounts.updateAccount(
                context.parameters.require("id"), name: body.name, status: body.status, by: context.caller()
            )
            return try json(account, context: context)
        }
        group.get("accounts/:id/keys") { request, context in
            let page = try await accounts.keys(
                accountId: context.parameters.require("id"), for: context.caller(), page: request.page()
            )
            return try json(page, context: context)
        }
        group.post("accounts/:id/keys") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: NewKey.self, context: context)
            let issued = try await accounts.issueKey(
                accountId: context.parameters.require("id"), role: body.role, name: body.name,
                expiresAt: body.expiresAt, by: context.caller()
            )
            return try json(issued, status: .created, context: context)
        }
        group.post("keys/:id/rotate") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: Rotation.self, context: context, emptyAs: Rotation())
            let issued = try await accounts.rotateKey(
                context.parameters.require("id"), gracePeriod: .seconds(body.graceSeconds ?? 0), by: context.caller()
            )
            return try json(issued, status: .created, context: context)
        }
        group.delete("keys/:id") { _, context in
            try json(try await accounts.revokeKey(context.parameters.require("id"), by: context.caller()), context: context)
        }
    }
}
