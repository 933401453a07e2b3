import Inventory
import Platform
import SQLKit

extension PortOrders: TrunkHolder {
    /// A trunk an open port order brings its numbers to cannot be deleted; finished orders keep their history
    /// without it.
    public func release(trunk: String, in database: any SQLDatabase) async throws {
        let open = try await database.raw("""
            SELECT COUNT(*) AS n FROM port_orders WHERE trunk_id = \(bind: trunk) AND state NOT IN ('completed', 'canceled')
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        guard open == 0 else {
            throw ServiceError(.conflict, "\(open) open port order\(open == 1 ? " brings its numbers" : "s bring their numbers") to this trunk")
        }
        try await database.raw("UPDATE port_orders SET trunk_id = NULL WHERE trunk_id = \(bind: trunk)").run()
    }
}
