import Hummingbird
import Inventory
import NetworkData
import Platform

/// `/v1/carriers`: upstream carriers and their rate decks. Operator only: customers and agents get `403`.
struct CarriersController: Sendable {
    let carriers: CarrierDirectory
    let rateDecks: RateDecks

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("carriers", use: list)
        group.post("carriers", use: create)
        group.get("carriers/:id", use: show)
        group.patch("carriers/:id", use: update)
        group.delete("carriers/:id", use: delete)
        group.get("carriers/:id/ratedeck", use: showRateDeck)
    }

    /// GET /v1/carriers: the carriers, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        try json(try await carriers.carriers(page: request.page(), by: context.caller()), context: context)
    }

    /// POST /v1/carriers: adds a carrier.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let principal = try context.caller()
        try principal.requireOperator()
        let draft = try await request.decodeJSON(as: CarrierDraft.self, context: context)
        return try json(try await carriers.create(draft, by: principal), status: .created, context: context)
    }

    /// GET /v1/carriers/{id}: one carrier.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        let carrier = try await carriers.carrier(context.parameters.require("id"), by: context.caller())
        return try json(carrier, context: context)
    }

    /// PATCH /v1/carriers/{id}: changes the fields the draft sets.
    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let principal = try context.caller()
        try principal.requireOperator()
        let draft = try await request.decodeJSON(as: CarrierDraft.self, context: context)
        let carrier = try await carriers.update(context.parameters.require("id"), with: draft, by: principal)
        return try json(carrier, context: context)
    }

    /// DELETE /v1/carriers/{id}: removes a carrier.
    @Sendable func delete(_: Request, context: APIContext) async throws -> Response {
        try await carriers.delete(context.parameters.require("id"), by: context.caller())
        return Response(status: .noContent)
    }

    /// GET /v1/carriers/{id}/ratedeck: a carrier's rate deck (404 when it has none).
    @Sendable func showRateDeck(_: Request, context: APIContext) async throws -> Response {
        let carrier = try await carriers.carrier(context.parameters.require("id"), by: context.caller())
        guard let deck = try await rateDecks.deck(owner: .carrier(id: carrier.id)) else {
            throw ServiceError.notFound("rate deck")
        }
        return try json(deck, context: context)
    }
}
