import SQLKit
import Store

extension NumberInventory {
    /// How many numbers the inventory holds, and how many of those are assigned.
    public func counts() async throws -> (held: Int, assigned: Int) {
        try await store.read { database in
            let row = try await database.raw("""
                SELECT COUNT(*) AS held, SUM(CASE WHEN status = 'assigned' THEN 1 ELSE 0 END) AS assigned FROM numbers
                """).first()
            return (try row?.decode(column: "held", as: Int.self) ?? 0, try row?.decode(column: "assigned", as: Int?.self) ?? 0)
        }
    }

    /// For `tandem bench` alone: marks the available numbers ending in 1, 4 or 7 (three in ten) assigned to
    /// `accountId` in one statement, without number events or a move of the routing epoch, so that searches over
    /// a synthetic inventory skip rows as they would in production. Never for a customer's numbers.
    package func assignSyntheticShare(to accountId: String) async throws {
        try await store.transaction { database in
            try await database.raw("""
                UPDATE numbers SET status = 'assigned', account_id = \(bind: accountId)
                WHERE status = 'available' AND (tn LIKE '%1' OR tn LIKE '%4' OR tn LIKE '%7')
                """).run()
        }
    }
}
