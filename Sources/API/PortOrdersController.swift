import Hummingbird
import Inventory
import NetworkData
import Porting
import Telephony

/// `/v1/port-orders` (port-in orders, their timelines and the FOC calendar) and `/v1/network/lrns` (our LRN in each
/// LATA).
struct PortOrdersController {
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
        group.post("port-orders") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: PortOrderDraft.self, context: context)
            return try json(try await orders.create(draft, by: context.caller()), status: .created, context: context)
        }
        group.get("port-orders") { request, context in
            // Swift 6.3.1 crashes compiling this closure in release builds (LLVM's coroutine splitting, at the
            // swifterror of the throwing calls inside the async call's arguments): they are made first.
            let (page, caller) = (try request.page(), try context.caller())
            return try json(try await orders.orders(page: page, by: caller), context: context)
        }
        group.get("port-orders/calendar") { request, context in
            guard let from = request.query("from") else { throw Problem.badRequest("is required", field: "from") }
            guard let to = request.query("to") else { throw Problem.badRequest("is required", field: "to") }
            return try json(Calendar(data: try await orders.calendar(from: from, to: to, by: context.caller())), context: context)
        }
        group.get("port-orders/:id") { _, context in
            try json(try await orders.order(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.get("port-orders/:id/events") { _, context in
            try json(Events(data: try await orders.timeline(context.parameters.require("id"), by: context.caller())), context: context)
        }
        group.post("port-orders/:id/submit") { _, context in
            try json(try await orders.submit(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.post("port-orders/:id/supplement") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: Supplement.self, context: context)
            let order = try await orders.supplement(context.parameters.require("id"), account: body.account, by: context.caller())
            return try json(order, context: context)
        }
        group.post("port-orders/:id/cancel") { _, context in
            try json(try await orders.cancel(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.post("port-orders/:id/activate") { _, context in
            try json(try await orders.activate(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.post("port-orders/:id/end-cutover") { _, context in
            try json(try await orders.endCutover(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.get("network/lrns") { _, context in
            let all = try await lrns.all(by: context.caller()).sorted { $0.key < $1.key }.map { LRN(lata: $0.key, lrn: $0.value) }
            return try json(all, context: context)
        }
        group.put("network/lrns/:lata") { request, context in
            var request = request
            let lata = try context.parameters.require("lata")
            let body = try await request.decodeJSON(as: LRN.self, context: context)
            try await lrns.set(lata: lata, lrn: body.lrn, by: context.caller())
            return try json(LRN(lata: lata, lrn: body.lrn), context: context)
        }
    }
}
