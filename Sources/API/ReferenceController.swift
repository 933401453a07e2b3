import Hummingbird
import NetworkData
import Platform

/// `/v1/reference`: NPA-NXX reference data.
struct ReferenceController: Sendable {
    let reference: ReferenceData

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("reference/exchanges/:npanxx", use: showExchange)
    }

    /// GET /v1/reference/exchanges/{npanxx}: the reference records of an exchange.
    @Sendable func showExchange(_: Request, context: APIContext) async throws -> Response {
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
