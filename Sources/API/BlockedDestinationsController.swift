import Hummingbird
import Inventory
import NetworkData

/// `/v1/blocked-destinations`: prefixes outbound calls may not reach, network-wide (operator) and per account.
struct BlockedDestinationsController {
    let blocks: BlockedDestinations

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("blocked-destinations") { request, context in
            let page = try await blocks.list(accountId: request.query("account_id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
        group.post("blocked-destinations") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: BlockedDestinationDraft.self, context: context)
            return try json(try await blocks.create(draft, by: context.caller()), status: .created, context: context)
        }
        group.delete("blocked-destinations/:id") { _, context in
            try await blocks.delete(context.parameters.require("id"), by: context.caller())
            return Response(status: .noContent)
        }
    }
}
