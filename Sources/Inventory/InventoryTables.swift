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

    /// Migration 7 ("E911 addresses, MSAG and bindings"): the MSAG, validated E911 addresses, their bindings to
    /// numbers, and their events.
    public static func emergencyAddresses(_ backend: DatabaseBackend) -> [String] {
        let identity = backend.identityColumn
        // MSAG street ranges; e911_addresses hold validated, normalized addresses (the CLDXF fields as JSON in
        // `address`); number_e911 binds a number to one; e911_events record who changed which, and when.
        return [
            """
            CREATE TABLE msag_ranges (
                state TEXT NOT NULL,
                community TEXT NOT NULL,
                street TEXT NOT NULL,
                street_name TEXT NOT NULL,
                low BIGINT NOT NULL,
                high BIGINT NOT NULL,
                parity TEXT NOT NULL,
                esn TEXT NOT NULL,
                psap TEXT NOT NULL,
                range TEXT NOT NULL)
            """,
            "CREATE INDEX msag_ranges_street ON msag_ranges(state, community, street)",
            "CREATE INDEX msag_ranges_name ON msag_ranges(state, street_name)",
            """
            CREATE TABLE e911_addresses (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                address TEXT NOT NULL,
                line TEXT NOT NULL,
                esn TEXT NOT NULL,
                psap TEXT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX e911_addresses_account ON e911_addresses(account_id, id)",
            """
            CREATE TABLE number_e911 (
                tn TEXT PRIMARY KEY REFERENCES numbers(tn),
                address_id TEXT NOT NULL REFERENCES e911_addresses(id),
                bound_at BIGINT NOT NULL)
            """,
            "CREATE INDEX number_e911_address ON number_e911(address_id)",
            """
            CREATE TABLE e911_events (
                id \(identity),
                at BIGINT NOT NULL,
                tn TEXT,
                address_id TEXT NOT NULL,
                action TEXT NOT NULL,
                actor TEXT NOT NULL)
            """,
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
