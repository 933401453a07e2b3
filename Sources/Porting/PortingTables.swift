import Store

/// The tables Porting owns, as its parts of the migrations that make them. `TandemSchema` puts the parts in
/// their one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum PortingTables {
    /// Migration 8 ("port-in orders and network LRNs"): port-in orders, their numbers, documents and events.
    public static func portOrders(_ backend: DatabaseBackend) -> [String] {
        // port_orders: one per losing carrier (OCN); `state_detail` holds the FOC, reject reasons or
        // jeopardy reason as JSON, `account` the losing-carrier account data, `loa` the LOA's fields.
        [
            """
            CREATE TABLE port_orders (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id),
                trunk_id TEXT REFERENCES trunks(id),
                losing_ocn TEXT NOT NULL,
                losing_carrier TEXT NOT NULL,
                state TEXT NOT NULL,
                state_detail TEXT,
                account TEXT NOT NULL,
                loa TEXT NOT NULL,
                activate_at BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX port_orders_account ON port_orders(account_id, id)",
            "CREATE INDEX port_orders_activation ON port_orders(state, activate_at)",
            """
            CREATE TABLE port_order_numbers (
                order_id TEXT NOT NULL REFERENCES port_orders(id),
                tn TEXT NOT NULL,
                PRIMARY KEY (order_id, tn))
            """,
            "CREATE INDEX port_order_numbers_tn ON port_order_numbers(tn)",
            """
            CREATE TABLE port_documents (
                order_id TEXT PRIMARY KEY REFERENCES port_orders(id),
                name TEXT NOT NULL,
                content TEXT NOT NULL,
                sha256 TEXT NOT NULL)
            """,
            """
            CREATE TABLE port_order_events (
                id \(backend.identityColumn),
                order_id TEXT NOT NULL REFERENCES port_orders(id),
                at BIGINT NOT NULL,
                event TEXT NOT NULL,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                detail TEXT,
                actor TEXT NOT NULL)
            """,
            "CREATE INDEX port_order_events_order ON port_order_events(order_id, id)",
        ]
    }

    /// Migration 12 ("port-out requests and port-out protection"): port-out requests, their numbers and events, and
    /// each account's port-out protection.
    public static func portOuts(_ backend: DatabaseBackend) -> [String] {
        // port_out_protection: an account's port-out PIN (PBKDF2-SHA256 of the PIN with `pin_salt`, hex), the
        // ZIP a request must name, whether the account approves each port-out, and the wrong-PIN count and lock.
        // port_outs: gaining carriers' requests (`account_id` NULL when the account number named no customer),
        // `reject_reasons` comma-separated; port_out_events: each request's timeline.
        [
            """
            CREATE TABLE port_out_protection (
                account_id TEXT PRIMARY KEY REFERENCES accounts(id),
                pin_hash TEXT NOT NULL,
                pin_salt TEXT NOT NULL,
                zip TEXT NOT NULL,
                approval_required BIGINT NOT NULL,
                failed_pins BIGINT NOT NULL,
                locked_until BIGINT,
                updated_at BIGINT NOT NULL,
                updated_by TEXT NOT NULL)
            """,
            """
            CREATE TABLE port_outs (
                id TEXT PRIMARY KEY,
                account_id TEXT REFERENCES accounts(id),
                gaining_carrier TEXT NOT NULL,
                gaining_ocn TEXT NOT NULL,
                state TEXT NOT NULL,
                reject_reasons TEXT,
                due_at BIGINT NOT NULL,
                approve_by BIGINT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX port_outs_account ON port_outs(account_id, id)",
            "CREATE INDEX port_outs_due ON port_outs(state, due_at)",
            """
            CREATE TABLE port_out_numbers (
                port_out_id TEXT NOT NULL REFERENCES port_outs(id),
                tn TEXT NOT NULL,
                PRIMARY KEY (port_out_id, tn))
            """,
            "CREATE INDEX port_out_numbers_tn ON port_out_numbers(tn)",
            """
            CREATE TABLE port_out_events (
                id \(backend.identityColumn),
                port_out_id TEXT NOT NULL REFERENCES port_outs(id),
                at BIGINT NOT NULL,
                event TEXT NOT NULL,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                detail TEXT,
                actor TEXT NOT NULL)
            """,
            "CREATE INDEX port_out_events_request ON port_out_events(port_out_id, id)",
        ]
    }

    /// Migration 13 ("E911 addresses on port-in orders"): the E911 address a port-in order's numbers are bound to.
    public static func portOrderEmergencyAddresses(_: DatabaseBackend) -> [String] {
        // The validated address a port-in order's numbers are bound to when they arrive.
        ["ALTER TABLE port_orders ADD COLUMN e911_address_id TEXT REFERENCES e911_addresses(id)"]
    }

    /// Migration 14 ("caller names on port-in orders"): the caller name a port-in order's numbers take.
    public static func portOrderCallerNames(_: DatabaseBackend) -> [String] {
        // The caller name (CNAM) a port-in order's numbers take when they arrive.
        ["ALTER TABLE port_orders ADD COLUMN caller_name TEXT"]
    }

    /// Migration 15 ("cutover forwarding and port changes to the LRN table"): how long a port-in order's numbers
    /// forward to their old path.
    public static func cutoverForwardHours(_: DatabaseBackend) -> [String] {
        // How long a port-in order's numbers forward to their old path after activation, if at all.
        ["ALTER TABLE port_orders ADD COLUMN cutover_forward_hours BIGINT"]
    }

    /// Migration 19 ("porting partners"): the partner carrier's account that filed a port-out request (`NULL`: the
    /// operator filed it), which is the account that may follow and withdraw it.
    public static func portOutFiler(_: DatabaseBackend) -> [String] {
        [
            "ALTER TABLE port_outs ADD COLUMN filed_by TEXT REFERENCES accounts(id)",
            "CREATE INDEX port_outs_filer ON port_outs(filed_by, id)",
        ]
    }
}
