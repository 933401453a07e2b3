import Hummingbird
import Inventory
import Platform
import Routing
import RoutingFeed
import Telephony
import Timekeeping

/// `/v1/routes/explain`: why a call from a trunk to a number would go where it goes, on the live snapshot.
struct RoutesController: Sendable {
    let table: RoutingTable
    let trunks: TrunkDirectory
    /// The time the explained call is placed at: rate-deck rows and cutover windows apply by it.
    let clock: WallClock

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("routes/explain", use: explain)
    }

    /// GET /v1/routes/explain: where a call from `trunk_id` to `to` would go, and why.
    @Sendable func explain(_ request: Request, context: APIContext) async throws -> Response {
        let caller = try context.caller()
        try caller.requireCustomerOrOperator()
        guard let trunkId = request.query("trunk_id"), !trunkId.isEmpty else {
            throw Problem.badRequest("is required: the trunk the call comes from", field: "trunk_id")
        }
        guard let to = request.query("to"), !to.isEmpty else {
            throw Problem.badRequest("is required: the dialed number", field: "to")
        }
        // The trunk must be the caller's (404 otherwise, as for a missing one).
        _ = try await trunks.trunk(trunkId, by: caller)
        let snapshot = table.current
        guard let source = snapshot.sourceAddress(ofTrunk: trunkId) else {
            throw ServiceError(.conflict, "the trunk is not in the routing snapshot yet; try again in a second")
        }
        var explanation = RouteExplanation(
            CallRequest(source: source, dialed: to, caller: request.query("from"), callID: "explain", time: clock.unixSeconds()), in: snapshot
        )
        // Customers learn where their call goes and why, but not the operator's carriers, gateways and costs.
        if !caller.isOperator, !explanation.carriers.isEmpty {
            explanation.carriers = []
            explanation.contacts = []
            explanation.steps = explanation.steps.filter { !$0.hasPrefix("carrier ") && !$0.hasPrefix("routes: ") }
        }
        return try json(explanation, context: context)
    }
}
