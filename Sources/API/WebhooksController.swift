import Hummingbird
import Inventory
import Webhooks

/// `/v1/webhooks`: where an account's events (port order changes, emergency calls) are sent, and how their
/// deliveries went.
struct WebhooksController: Sendable {
    let endpoints: WebhookEndpoints

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/:id", use: show)
        group.post("webhooks/:id/rotate-secret", use: rotateSecret)
        group.delete("webhooks/:id", use: delete)
        group.get("webhooks/:id/deliveries", use: listDeliveries)
    }

    /// POST /v1/webhooks: registers an endpoint.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: WebhookEndpointDraft.self, context: context)
        return try json(try await endpoints.create(draft, by: context.caller()), status: .created, context: context)
    }

    /// GET /v1/webhooks: the endpoints the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await endpoints.endpoints(accountId: request.query("account_id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// GET /v1/webhooks/{id}: one endpoint.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await endpoints.endpoint(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/webhooks/{id}/rotate-secret: gives an endpoint a new signing secret.
    @Sendable func rotateSecret(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let rotation = try await request.decodeJSON(as: WebhookSecretRotation.self, context: context, emptyAs: WebhookSecretRotation())
        return try json(try await endpoints.rotateSecret(context.parameters.require("id"), rotation, by: context.caller()), context: context)
    }

    /// DELETE /v1/webhooks/{id}: removes an endpoint.
    @Sendable func delete(_: Request, context: APIContext) async throws -> Response {
        try await endpoints.delete(context.parameters.require("id"), by: context.caller())
        return Response(status: .noContent)
    }

    /// GET /v1/webhooks/{id}/deliveries: how an endpoint's deliveries went, paged.
    @Sendable func listDeliveries(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await endpoints.deliveries(of: context.parameters.require("id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }
}
