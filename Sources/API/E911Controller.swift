import Emergency
import Hummingbird
import Inventory
import NIOCore
import Telephony

/// `/v1/e911` and `/v1/numbers/{number}/e911`: validated emergency addresses and the numbers bound to them.
struct E911Controller {
    let addresses: EmergencyAddresses

    /// A new address: the fields of an address draft, and the account (operator only).
    struct NewAddress: Decodable {
        var accountId: String?
        var address: AddressDraft

        init(from decoder: any Decoder) throws {
            address = try AddressDraft(from: decoder)
            accountId = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .accountId)
        }

        private enum CodingKeys: String, CodingKey { case accountId }
    }

    /// What the MSAG says of an address, without storing it.
    struct Validation: Encodable {
        var valid: Bool
        var normalized: CivicAddress
        var line: String
        var esn: String?
        var psap: String?
        var problem: MSAGProblem?
        var candidates: [String]
    }

    struct Binding: Decodable {
        var addressId: String
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post("e911/addresses") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: NewAddress.self, context: context)
            let created = try await addresses.create(body.address, accountId: body.accountId, by: context.caller())
            return try json(created, status: .created, context: context)
        }
        group.get("e911/addresses") { request, context in
            let page = try await addresses.addresses(accountId: request.query("account_id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
        group.get("e911/addresses/:id") { _, context in
            try json(try await addresses.address(context.parameters.require("id"), by: context.caller()), context: context)
        }
        group.get("e911/locations/:id") { _, context in
            // The emergency provider dereferences a 911 call's Geolocation here (with an operator key).
            let address = try await addresses.address(context.parameters.require("id"), by: context.caller())
            return Response(
                status: .ok, headers: [.contentType: "application/pidf+xml"],
                body: .init(byteBuffer: ByteBuffer(string: address.address.pidfLO(id: address.id)))
            )
        }
        group.post("e911/validate") { request, context in
            var request = request
            try context.caller().requireCustomerOrOperator()
            let draft = try await request.decodeJSON(as: AddressDraft.self, context: context)
            let (address, verdict) = try await addresses.validate(draft)
            let validation = switch verdict {
            case .valid(let range):
                Validation(valid: true, normalized: address, line: address.line, esn: range.esn, psap: range.psap, candidates: [])
            case .invalid(let problem, let candidates):
                Validation(valid: false, normalized: address, line: address.line, problem: problem, candidates: candidates.map(\.summary))
            }
            return try json(validation, context: context)
        }
        group.get("e911/unbound") { request, context in
            let page = try await addresses.unbound(accountId: request.query("account_id"), page: request.page(), by: context.caller())
            return try json(page, context: context)
        }
        group.get("numbers/:number/e911") { _, context in
            try json(try await addresses.binding(of: try pathNumber(context), by: context.caller()), context: context)
        }
        group.put("numbers/:number/e911") { request, context in
            var request = request
            let number = try pathNumber(context)
            let body = try await request.decodeJSON(as: Binding.self, context: context)
            return try json(try await addresses.bind(number, to: body.addressId, by: context.caller()), context: context)
        }
        group.delete("numbers/:number/e911") { _, context in
            try await addresses.unbind(try pathNumber(context), by: context.caller())
            return Response(status: .noContent)
        }
    }
}
