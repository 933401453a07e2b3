import Hummingbird
import Inventory
import NetworkData
import Platform

/// `/v1/carriers`: upstream carriers and their rate decks. Operator only: customers and agents get `403`.
struct CarriersController {
    let carriers: CarrierDirectory
    let rateDecks: RateDecks

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("carriers") { request, context in
            try json(try await carriers.carriers(page: request.page(), by: context.caller()), context: context)
        }
        group.post("carriers") { request, context in
            var request = request
            let principal = try context.caller()
            try principal.requireOperator()
            let draft = try await request.decodeJSON(as: CarrierDraft.self, context: context)
            return try json(try await carriers.create(draft, by: principal), status: .created, context: context)
        }
        group.get("carriers/:id") { _, context in
            let carrier = try await carriers.carrier(context.parameters.require("id"), by: context.caller())
            return try json(carrier, context: context)
        }
        group.patch("carriers/:id") { request, context in
            var request = request
            let principal = try context.caller()
            try principal.requireOperator()
            let draft = try await request.decodeJSON(as: CarrierDraft.self, context: context)
            let carrier = try await carriers.update(context.parameters.require("id"), with: draft, by: principal)
            return try json(carrier, context: context)
        }
        group.delete("carriers/:id") { _, context in
            try await carriers.delete(context.parameters.require("id"), by: context.caller())
            return Response(status: .noContent)
        }
        group.get("carriers/:id/ratedeck") { _, context in
            let carrier = try await carriers.carrier(context.parameters.require("id"), by: context.caller())
            guard let deck = try await rateDecks.deck(owner: .carrier(id: carrier.id)) else {
                throw ServiceError.notFound("rate deck")
            }
            return try json(deck, context: context)
        }
    }
}
