import Hummingbird
import Inventory
import Webhooks

/// `/v1/webhooks`: where an account's events (port order changes, emergency calls) are sent, and how their
/// deliveries went.
struct WebhooksController {
    let endpoints: WebhookEndpoints

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post("webhooks") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: WebhookEndpointDraft.self, context: context)
            return try json(try await endpoints.create(draft, by: context.caller()), status: .created, context: context)
        }
        group.get("webhooks") { request, context in
            let page = try await endpoints.endpoints(accountId: request.query("account_id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
        group.get("webhooks/:id") { _, context in
            try json(try await endpoints.endpoint(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.post("webhooks/:id/rotate-secret") { request, context in
            var request = request
            let rotation = try await request.decodeJSON(as: WebhookSecretRotation.self, context: context, emptyAs: WebhookSecretRotation())
            return try json(try await endpoints.rotateSecret(context.parameters.require("id"), rotation, by: context.caller()), context: context)
        }
        group.delete("webhooks/:id") { _, context in
            try await endpoints.delete(context.parameters.require("id"), by: context.caller())
            return Response(status: .noContent)
        }
        group.get("webhooks/:id/deliveries") { request, context in
            let page = try await endpoints.deliveries(of: context.parameters.require("id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
    }
}
