import SQLKit

/// The store's routing epoch: a counter every provisioning change that can affect routing increments, in the
/// same transaction, so that snapshot publishers in any process notice it. It lives in the kernel so that every
/// table's owner can bump it without depending on the routing feed, which reads those tables.
package enum RoutingEpoch {
    /// Moves the epoch on, inside the caller's transaction.
    package static func bump(in database: any SQLDatabase) async throws {
        try await database.raw("UPDATE routing_epoch SET epoch = epoch + 1 WHERE id = 1").run()
    }

    /// The epoch as the database has it now.
    package static func read(in database: any SQLDatabase) async throws -> Int64 {
        try await database.raw("SELECT epoch FROM routing_epoch WHERE id = 1").first()?.decode(column: "epoch", as: Int64.self) ?? 0
    }
}
