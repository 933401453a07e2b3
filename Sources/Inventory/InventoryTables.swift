import Store

/// The tables Inventory owns, as its parts of the migrations that make them. `TandemSchema` puts the parts in
/// their one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum InventoryTables {
    /// Migration 1 ("provisioning core"): trunks, numbers and number events (accounts, exchanges and import
    /// runs are other owners' parts of it).
    public static func provisioningCore(_ backend: DatabaseBackend) -> [String] {
        let identity = backend.identityColumn
        return [
            """
            CREATE TABLE trunks (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                name TEXT NOT NULL,
                configuration TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                UNIQUE (account_id, name))
            """,
            """
            CREATE TABLE numbers (
                tn TEXT PRIMARY KEY,
                reversed_tn TEXT NOT NULL,
                rate_center TEXT NOT NULL,
                state TEXT NOT NULL,
                lata TEXT NOT NULL,
                status TEXT NOT NULL,
                account_id TEXT REFERENCES accounts(id),
                trunk_id TEXT REFERENCES trunks(id),
                reserved_until BIGINT,
                aging_until BIGINT,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX numbers_available ON numbers(tn) WHERE status = 'available'",
            "CREATE INDEX numbers_available_rate_center ON numbers(rate_center, tn) WHERE status = 'available'",
            """
            CREATE INDEX numbers_available_state_rate_center ON numbers(state, rate_center, tn)
            WHERE status = 'available'
            """,
            "CREATE INDEX numbers_available_suffix ON numbers(reversed_tn) WHERE status = 'available'",
            "CREATE INDEX numbers_available_state ON numbers(state, tn) WHERE status = 'available'",
            "CREATE INDEX numbers_available_lata ON numbers(lata, tn) WHERE status = 'available'",
            "CREATE INDEX numbers_account ON numbers(account_id, tn)",
            "CREATE INDEX numbers_trunk ON numbers(trunk_id)",
            "CREATE INDEX numbers_reserved ON numbers(reserved_until) WHERE status = 'reserved'",
            "CREATE INDEX numbers_aging ON numbers(aging_until) WHERE status = 'aging'",
            """
            CREATE TABLE number_events (
                id \(identity),
                tn TEXT NOT NULL,
                at BIGINT NOT NULL,
                action TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT,
                account_id TEXT,
                trunk_id TEXT,
                actor TEXT NOT NULL,
                reason TEXT)
            """,
            "CREATE INDEX number_events_tn ON number_events(tn, id)",
        ]
    }

    /// Migration 5 ("number failover targets"): each number's failover targets, in order.
    public static func numberFailover(_: DatabaseBackend) -> [String] {
        // A number's failover targets in order: each row names a trunk or a number (10 digits), not both.
        [
            """
            CREATE TABLE number_failover (
                tn TEXT NOT NULL REFERENCES numbers(tn),
                position BIGINT NOT NULL,
                target_trunk TEXT REFERENCES trunks(id),
                target_number TEXT,
                PRIMARY KEY (tn, position),
                CHECK ((target_trunk IS NULL) <> (target_number IS NULL)))
            """,
            "CREATE INDEX number_failover_trunk ON number_failover(target_trunk)",
        ]
    }

    /// Migration 7 ("E911 addresses, MSAG and bindings"), the numbers' part: `number_e911` binds a number to one
    /// of its owner's validated addresses.
    public static func numberEmergencyBindings(_: DatabaseBackend) -> [String] {
        [
            """
            CREATE TABLE number_e911 (
                tn TEXT PRIMARY KEY REFERENCES numbers(tn),
                address_id TEXT NOT NULL REFERENCES e911_addresses(id),
                bound_at BIGINT NOT NULL)
            """,
            "CREATE INDEX number_e911_address ON number_e911(address_id)",
        ]
    }

    /// Migration 10 ("caller names"): a number's CNAM name.
    public static func callerNames(_: DatabaseBackend) -> [String] {
        // A number's CNAM name, set by its owner; at most 15 printable ASCII characters.
        ["ALTER TABLE numbers ADD COLUMN caller_name TEXT"]
    }

    /// Migration 15 ("cutover forwarding and port changes to the LRN table"): cutover forwarding per ported-in number.
    public static func cutoverForwards(_: DatabaseBackend) -> [String] {
        [
            // The forwarding itself, per activated number: the old LRN (NULL: the number's own exchange).
            """
            CREATE TABLE cutover_forwards (
                tn TEXT PRIMARY KEY REFERENCES numbers(tn),
                order_id TEXT NOT NULL REFERENCES port_orders(id),
                old_lrn BIGINT,
                ends_at BIGINT NOT NULL)
            """,
            "CREATE INDEX cutover_forwards_order ON cutover_forwards(order_id)",
        ]
    }
}
