import Store

/// The table Platform owns, as its part of the migration that makes it. `TandemSchema` puts the parts in their
/// one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum PlatformTables {
    /// Migration 2 ("routing epoch"): the routing epoch, one row that every provisioning change moves on.
    public static func routingEpoch(_: DatabaseBackend) -> [String] {
        [
            "CREATE TABLE routing_epoch (id BIGINT PRIMARY KEY, epoch BIGINT NOT NULL)",
            "INSERT INTO routing_epoch (id, epoch) VALUES (1, 0)",
        ]
    }

    /// Migration 20 ("server keys"): random keys the server makes once and keeps, by name (``ServerKeys``).
    public static func serverKeys(_: DatabaseBackend) -> [String] {
        ["CREATE TABLE server_keys (name TEXT PRIMARY KEY, key TEXT NOT NULL, created_at BIGINT NOT NULL)"]
    }
}
