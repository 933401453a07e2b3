import Store

/// The tables Webhooks owns, as its parts of the migrations that make them. `TandemSchema` puts the parts in
/// their one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum WebhooksTables {
    /// Migration 11 ("webhook endpoints and their outbox"): endpoints, the outbox of events, and their deliveries.
    public static func endpointsAndOutbox(_ backend: DatabaseBackend) -> [String] {
        // webhook_endpoints: where an account's events go (`events` is a comma-separated list of types, `*`
        // for all; `secret` signs them, so it is kept as it is). webhook_events: the outbox, written in the
        // same transaction as the change an event tells of; `payload` is the body exactly as delivered.
        // webhook_deliveries: one per event and endpoint, retried until delivered or out of attempts; times
        // in Unix milliseconds.
        [
            """
            CREATE TABLE webhook_endpoints (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                events TEXT NOT NULL,
                description TEXT,
                created_at BIGINT NOT NULL,
                created_by TEXT NOT NULL,
                deleted_at BIGINT)
            """,
            "CREATE INDEX webhook_endpoints_account ON webhook_endpoints(account_id, id)",
            """
            CREATE TABLE webhook_events (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE webhook_deliveries (
                id \(backend.identityColumn),
                event_id TEXT NOT NULL REFERENCES webhook_events(id),
                endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                last_attempt_at BIGINT,
                last_response_status BIGINT,
                last_error TEXT,
                delivered_at BIGINT,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)",
            "CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id)",
        ]
    }

    /// Migration 16 ("webhook secret rotation"): the previous secret that signs beside a rotated one until it expires.
    public static func secretRotation(_: DatabaseBackend) -> [String] {
        // After a rotation, the secret it replaced still signs deliveries, beside the new one, until it expires.
        [
            "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT",
            "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at BIGINT",
        ]
    }
}
