import Hummingbird
import Inventory
import NetworkData
import Platform

/// `/v1/trunks`: customers' SIP trunks.
struct TrunksController {
    let trunks: TrunkDirectory

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("trunks") { request, context in
            let page = try await trunks.trunks(accountId: request.query("account_id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
        group.post("trunks") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: TrunkDraft.self, context: context)
            return try json(try await trunks.create(draft, by: context.caller()), status: .created, context: context)
        }
        group.get("trunks/:id") { _, context in
            try json(try await trunks.trunk(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.patch("trunks/:id") { request, context in
            var request = request
            let draft = try await request.decodeJSON(as: TrunkDraft.self, context: context)
            let trunk = try await trunks.update(context.parameters.require("id"), with: draft, by: context.caller())
            return try json(trunk, context: context)
        }
        group.delete("trunks/:id") { _, context in
            try await trunks.delete(context.parameters.require("id"), by: context.caller())
            return Response(status: .noContent)
        }
    }
}

/// `/v1/reference`: NPA-NXX reference data.
struct ReferenceController {
    let reference: ReferenceData

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("reference/exchanges/:npanxx") { _, context in
            _ = try context.caller()
            let text = try context.parameters.require("npanxx")
            guard text.count == 6, text.allSatisfy(\.isWholeNumber), text.allSatisfy(\.isASCII),
                let npa = UInt16(text.prefix(3)), let nxx = UInt16(text.suffix(3))
            else {
                throw Problem.badRequest("must be six digits (area code and exchange)", field: "npanxx")
            }
            let records = try await reference.exchange(npa: npa, nxx: nxx)
            guard !records.isEmpty else { throw ServiceError.notFound("exchange") }
            return try json(Page(data: records, nextCursor: nil), context: context)
        }
    }
}
