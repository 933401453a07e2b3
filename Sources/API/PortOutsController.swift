import Hummingbird
import Inventory
import Platform
import Porting

/// `/v1/port-outs` (gaining carriers' requests for our numbers, and the customer's answers) and
/// `/v1/accounts/{id}/port-out-protection` (the PIN and data that guard an account's numbers).
struct PortOutsController {
    let portOuts: PortOuts

    struct Events: Encodable {
        var data: [PortOrderEventRecord]
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("accounts/:id/port-out-protection") { _, context in
            try json(try await portOuts.protection(accountId: context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.put("accounts/:id/port-out-protection") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: PortOutProtectionDraft.self, context: context)
            return try json(
                try await portOuts.protect(accountId: context.parameters.require("id"), draft, by: context.caller()), context: context
            )
        }
        group.post("port-outs") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: PortOutDraft.self, context: context)
            return try json(try await portOuts.request(draft, by: context.caller()), status: .created, context: context)
        }
        group.get("port-outs") { request, context in
            try json(try await portOuts.portOuts(page: request.page(), by: context.caller()), context: context)
        }
        group.get("port-outs/:id") { _, context in
            try json(try await portOuts.portOut(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.get("port-outs/:id/events") { _, context in
            try json(Events(data: try await portOuts.timeline(context.parameters.require("id"), by: context.caller())), context: context)
        }
        let answers: [(String, @Sendable (PortOuts, String, Principal) async throws -> PortOut)] = [
            ("approve", { try await $0.approve($1, by: $2) }), ("decline", { try await $0.decline($1, by: $2) }),
            ("cancel", { try await $0.cancel($1, by: $2) }), ("activate", { try await $0.activate($1, by: $2) }),
        ]
        for (action, perform) in answers {
            group.post("port-outs/:id/\(action)") { _, context in
                try json(try await perform(portOuts, context.parameters.require("id"), context.caller()), context: context)
            }
        }
    }
}
