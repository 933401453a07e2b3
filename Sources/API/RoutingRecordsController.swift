import Hummingbird
import RoutingFeed

/// `/v1/routing-records`: what routing decided for each call, newest first. Customers see the records of calls
/// from their own trunks; the operator sees all.
struct RoutingRecordsController: Sendable {
    let records: RoutingRecords

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("routing-records", use: list)
    }

    /// GET /v1/routing-records: the routing records the caller may see, newest first, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await records.records(
            trunkId: request.query("trunk_id"), page: request.page(), by: context.caller()
        )
        return try json(page, context: context)
    }
}
