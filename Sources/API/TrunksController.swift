import Hummingbird
import Inventory
import NetworkData
import Platform

/// `/v1/trunks`: customers' SIP trunks.
struct TrunksController: Sendable {
    let trunks: TrunkDirectory
    /// What else holds trunks, asked to let go of one before it is deleted.
    let holders: [any TrunkHolder]

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("trunks", use: list)
        group.post("trunks", use: create)
        group.get("trunks/:id", use: show)
        group.patch("trunks/:id", use: update)
        group.delete("trunks/:id", use: delete)
    }

    /// GET /v1/trunks: the trunks the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await trunks.trunks(accountId: request.query("account_id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// POST /v1/trunks: creates a trunk.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: TrunkDraft.self, context: context)
        return try json(try await trunks.create(draft, by: context.caller()), status: .created, context: context)
    }

    /// GET /v1/trunks/{id}: one trunk.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await trunks.trunk(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// PATCH /v1/trunks/{id}: changes the fields the draft sets.
    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: TrunkDraft.self, context: context)
        let trunk = try await trunks.update(context.parameters.require("id"), with: draft, by: context.caller())
        return try json(trunk, context: context)
    }

    /// DELETE /v1/trunks/{id}: deletes a trunk.
    @Sendable func delete(_: Request, context: APIContext) async throws -> Response {
        try await trunks.delete(context.parameters.require("id"), releasing: holders, by: context.caller())
        return Response(status: .noContent)
    }
}
