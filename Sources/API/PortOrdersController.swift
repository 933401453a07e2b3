import Hummingbird
import Inventory
import NetworkData
import Porting
import Telephony

/// `/v1/port-orders` (port-in orders, their timelines and the FOC calendar) and `/v1/network/lrns` (our LRN in each
/// LATA).
struct PortOrdersController: Sendable {
    let orders: PortOrders
    let lrns: NetworkLRNs

    struct Supplement: Decodable {
        var account: LosingCarrierAccount
    }

    struct LRN: Codable {
        var lata: String?
        var lrn: PhoneNumber
    }

    struct Events: Encodable {
        var data: [PortOrderEventRecord]
    }

    struct Calendar: Encodable {
        var data: [FOCCalendarEntry]
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post("port-orders", use: create)
        group.get("port-orders", use: list)
        group.get("port-orders/calendar", use: showCalendar)
        group.get("port-orders/:id", use: show)
        group.get("port-orders/:id/events", use: listEvents)
        group.post("port-orders/:id/submit", use: submit)
        group.post("port-orders/:id/supplement", use: supplement)
        group.post("port-orders/:id/cancel", use: cancel)
        group.post("port-orders/:id/activate", use: activate)
        group.post("port-orders/:id/end-cutover", use: endCutover)
        group.get("network/lrns", use: listLRNs)
        group.put("network/lrns/:lata", use: setLRN)
    }

    /// POST /v1/port-orders: creates a port-in order.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let draft = try await request.decodeJSON(as: PortOrderDraft.self, context: context)
        return try json(try await orders.create(draft, by: context.caller()), status: .created, context: context)
    }

    /// GET /v1/port-orders: the port orders the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        // Swift 6.3.1 crashes compiling this handler in release builds (LLVM's coroutine splitting, at the
        // swifterror of the throwing calls inside the async call's arguments): they are made first.
        let (page, caller) = (try request.page(), try context.caller())
        return try json(try await orders.orders(page: page, by: caller), context: context)
    }

    /// GET /v1/port-orders/calendar: the committed ports whose FOC date is from `from` to `to`.
    @Sendable func showCalendar(_ request: Request, context: APIContext) async throws -> Response {
        guard let from = request.query("from") else { throw Problem.badRequest("is required", field: "from") }
        guard let to = request.query("to") else { throw Problem.badRequest("is required", field: "to") }
        return try json(Calendar(data: try await orders.calendar(from: from, to: to, by: context.caller())), context: context)
    }

    /// GET /v1/port-orders/{id}: one port order.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await orders.order(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// GET /v1/port-orders/{id}/events: a port order's timeline.
    @Sendable func listEvents(_: Request, context: APIContext) async throws -> Response {
        try json(Events(data: try await orders.timeline(context.parameters.require("id"), by: context.caller())), context: context)
    }

    /// POST /v1/port-orders/{id}/submit: sends a draft order to the losing carrier.
    @Sendable func submit(_: Request, context: APIContext) async throws -> Response {
        try json(try await orders.submit(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-orders/{id}/supplement: corrects the losing carrier's account data and sends the order again.
    @Sendable func supplement(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: Supplement.self, context: context)
        let order = try await orders.supplement(context.parameters.require("id"), account: body.account, by: context.caller())
        return try json(order, context: context)
    }

    /// POST /v1/port-orders/{id}/cancel: cancels a port order.
    @Sendable func cancel(_: Request, context: APIContext) async throws -> Response {
        try json(try await orders.cancel(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-orders/{id}/activate: activates an order with a FOC now (operator only).
    @Sendable func activate(_: Request, context: APIContext) async throws -> Response {
        try json(try await orders.activate(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/port-orders/{id}/end-cutover: ends an activated order's cutover forwarding now.
    @Sendable func endCutover(_: Request, context: APIContext) async throws -> Response {
        try json(try await orders.endCutover(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// GET /v1/network/lrns: our LRN in each LATA.
    @Sendable func listLRNs(_: Request, context: APIContext) async throws -> Response {
        let all = try await lrns.all(by: context.caller()).sorted { $0.key < $1.key }.map { LRN(lata: $0.key, lrn: $0.value) }
        return try json(all, context: context)
    }

    /// PUT /v1/network/lrns/{lata}: sets our LRN in a LATA.
    @Sendable func setLRN(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let lata = try context.parameters.require("lata")
        let body = try await request.decodeJSON(as: LRN.self, context: context)
        try await lrns.set(lata: lata, lrn: body.lrn, by: context.caller())
        return try json(LRN(lata: lata, lrn: body.lrn), context: context)
    }
}
