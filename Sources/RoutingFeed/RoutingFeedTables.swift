import Store

/// The tables the routing feed owns: the record of every routing decision.
public enum RoutingFeedTables {
    /// Migration 4 ("routing records"): one row per routing decision.
    public static func routingRecords(_ backend: DatabaseBackend) -> [String] {
        let identity = backend.identityColumn
        // One row per routing decision. `at` is in Unix milliseconds; `carriers` and `costs` (micros) are
        // comma-separated lists in the same order, cheapest first.
        return [
            """
            CREATE TABLE routing_records (
                id \(identity),
                at BIGINT NOT NULL,
                call_id TEXT NOT NULL,
                source TEXT NOT NULL,
                trunk_id TEXT,
                dialed TEXT NOT NULL,
                normalized TEXT,
                lrn TEXT,
                jurisdiction TEXT,
                status BIGINT NOT NULL,
                reason TEXT NOT NULL,
                carriers TEXT NOT NULL,
                costs TEXT NOT NULL,
                price_micros BIGINT,
                caller_id_flagged BIGINT NOT NULL)
            """,
            "CREATE INDEX routing_records_at ON routing_records(at)",
            "CREATE INDEX routing_records_trunk ON routing_records(trunk_id, at)",
        ]
    }
}
