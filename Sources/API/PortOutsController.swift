import Hummingbird
import Inventory
import Platform
import Porting

/// `/v1/port-outs` (gaining carriers' requests for our numbers, and the customer's answers) and
/// `/v1/accounts/{id}/port-out-protection` (the PIN and data that guard an account's numbers).
struct PortOutsController: Sendable {
    let portOuts: PortOuts

    struct Events: Encodable {
        var data: [PortOrderEventRecord]
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("accounts/:id/port-out-protection", use: showProtection)
        group.put("accounts/:id/port-out-protection", use: protect)
        group.post("port-outs", use: create)
        group.get("port-outs", use: list)
        group.get("port-outs/:id", use: show)
        group.get("port-outs/:id/events", use: listEvents)
        group.post("port-outs/:id/approve", use: approve)
        group.post("port-outs/:id/decline", use: decline)
        group.post("port-outs/:id/cancel", use: cancel)
        group.post("port-outs/:id/activate", use: activate)
    }

    /// GET /v1/accounts/{id}/port-out-protection: the PIN and data that guard an account's numbers.
    @Sendable func showProtection(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.protection(accountId: context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// PUT /v1/accounts/{id}/port-out-protection: sets the PIN and data that guard an account's numbers.
    @Sendable func protect(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: PortOutProtectionDraft.self, context: context)
        return try json(
            try await portOuts.protect(accountId: context.parameters.require("id"), draft, by: context.caller()), context: context
        )
    }

    /// POST /v1/port-outs: files and checks a gaining carrier's request for our numbers (operator only).
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: PortOutDraft.self, context: context)
        return try json(try await portOuts.request(draft, by: context.caller()), status: .created, context: context)
    }

    /// GET /v1/port-outs: the port-outs the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.portOuts(page: request.page(), by: context.caller()), context: context)
    }

    /// GET /v1/port-outs/{id}: one port-out.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.portOut(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// GET /v1/port-outs/{id}/events: a port-out's timeline.
    @Sendable func listEvents(_: Request, context: APIContext) async throws -> Response {
        try json(Events(data: try await portOuts.timeline(context.parameters.require("id"), by: context.caller())), context: context)
    }

    /// POST /v1/port-outs/{id}/approve: the customer lets the numbers go at the due time.
    @Sendable func approve(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.approve(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-outs/{id}/decline: the customer refuses a port-out.
    @Sendable func decline(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.decline(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-outs/{id}/cancel: the gaining carrier withdraws its request (filed by the operator).
    @Sendable func cancel(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.cancel(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-outs/{id}/activate: completes an approved port-out now (operator only).
    @Sendable func activate(_: Request, context: APIContext) async throws -> Response {
        try json(try await portOuts.activate(context.parameters.require("id"), by: context.caller()), context: context)
    }
}
