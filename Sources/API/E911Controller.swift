import Emergency
import Hummingbird
import Inventory
import NIOCore
import Telephony

/// `/v1/e911` and `/v1/numbers/{number}/e911`: validated emergency addresses and the numbers bound to them.
struct E911Controller: Sendable {
    let addresses: EmergencyAddresses
    let bindings: EmergencyBindings

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
        group.post("e911/addresses", use: create)
        group.get("e911/addresses", use: list)
        group.get("e911/addresses/:id", use: show)
        // Published under emergencyLocationsPath: the SIP server's 911 answers point there.
        group.get(RouterPath(String(emergencyLocationsPath.dropFirst("/v1/".count)) + "/:id"), use: showLocation)
        group.post("e911/validate", use: validate)
        group.get("e911/unbound", use: listUnbound)
        group.get("numbers/:number/e911", use: showBinding)
        group.put("numbers/:number/e911", use: bind)
        group.delete("numbers/:number/e911", use: unbind)
    }

    /// POST /v1/e911/addresses: validates and stores an address.
    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: NewAddress.self, context: context)
        let created = try await addresses.create(body.address, accountId: body.accountId, by: context.caller())
        return try json(created, status: .created, context: context)
    }

    /// GET /v1/e911/addresses: the addresses the caller may see, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await addresses.addresses(accountId: request.query("account_id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// GET /v1/e911/addresses/{id}: one address.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await addresses.address(context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// GET /v1/e911/locations/{id}: an address as a PIDF-LO location object.
    @Sendable func showLocation(_: Request, context: APIContext) async throws -> Response {
        // The emergency provider dereferences a 911 call's Geolocation here (with an operator key).
        let address = try await addresses.address(context.parameters.require("id"), by: context.caller())
        return Response(
            status: .ok, headers: [.contentType: "application/pidf+xml"],
            body: .init(byteBuffer: ByteBuffer(string: address.address.pidfLO(id: address.id)))
        )
    }

    /// POST /v1/e911/validate: what the MSAG says of an address, without storing it.
    @Sendable func validate(_ request: Request, context: APIContext) async throws -> Response {
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

    /// GET /v1/e911/unbound: the caller's assigned numbers with no E911 address, paged.
    @Sendable func listUnbound(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await bindings.unbound(accountId: request.query("account_id"), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// GET /v1/numbers/{number}/e911: the address a number is bound to.
    @Sendable func showBinding(_: Request, context: APIContext) async throws -> Response {
        try json(try await bindings.binding(of: try pathNumber(context), by: context.caller()), context: context)
    }

    /// PUT /v1/numbers/{number}/e911: binds a number to an address.
    @Sendable func bind(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let number = try pathNumber(context)
        let body = try await request.decodeJSON(as: Binding.self, context: context)
        return try json(try await bindings.bind(number, to: body.addressId, by: context.caller()), context: context)
    }

    /// DELETE /v1/numbers/{number}/e911: unbinds a number from its address.
    @Sendable func unbind(_: Request, context: APIContext) async throws -> Response {
        try await bindings.unbind(try pathNumber(context), by: context.caller())
        return Response(status: .noContent)
    }
}
