import Hummingbird
import Inventory
import NetworkData

/// `/v1/blocked-destinations`: prefixes outbound calls may not reach, network-wide (operator) and per account.
struct BlockedDestinationsController: Sendable {
    let blocks: BlockedDestinations

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("blocked-destinations", use: list)
        group.post("blocked-destinations", use: create)
        group.delete("blocked-destinations/:id", use: delete)
    }

    /// GET /v1/blocked-destinations: the blocked prefixes the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await blocks.list(accountId: request.query("account_id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// POST /v1/blocked-destinations: blocks a prefix.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: BlockedDestinationDraft.self, context: context)
        return try json(try await blocks.create(draft, by: context.caller()), status: .created, context: context)
    }

    /// DELETE /v1/blocked-destinations/{id}: lifts a block.
    @Sendable func delete(_: Request, context: APIContext) async throws -> Response {
        try await blocks.delete(context.parameters.require("id"), by: context.caller())
        return Response(status: .noContent)
    }
}
