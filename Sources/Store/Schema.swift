/// Tandem's schema, as the ordered list of migrations that builds it.
///
/// Times are Unix seconds in `BIGINT` columns (routing records: milliseconds); money is integer micros.
/// Telephone numbers are stored as their ten NANP digits (`2025550143`) so prefix searches use the primary-key
/// order, and reversed (`3410555202`) so that "ends with" searches are prefix searches too.
public enum TandemSchema {
    /// Every migration, oldest first. Append new ones; never edit one that has shipped.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "provisioning core") { backend in
            let identity = backend.identityColumn
            return [
                """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    agent_id TEXT REFERENCES accounts(id),
                    status TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX accounts_agent ON accounts(agent_id)",
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    account_id TEXT NOT NULL REFERENCES accounts(id),
                    role TEXT NOT NULL,
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    created_by TEXT,
                    expires_at BIGINT,
                    revoked_at BIGINT,
                    replaced_by TEXT)
                """,
                "CREATE INDEX api_keys_account ON api_keys(account_id, id)",
                """
                CREATE TABLE exchanges (
                    npa TEXT NOT NULL,
                    nxx TEXT NOT NULL,
                    block TEXT NOT NULL,
                    state TEXT NOT NULL,
                    lata TEXT NOT NULL,
                    rate_center TEXT NOT NULL,
                    ocn TEXT NOT NULL,
                    company TEXT NOT NULL,
                    company_type TEXT NOT NULL,
                    PRIMARY KEY (npa, nxx, block))
                """,
                "CREATE INDEX exchanges_rate_center ON exchanges(state, rate_center)",
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
                """
                CREATE TABLE import_runs (
                    id \(identity),
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    rows BIGINT NOT NULL,
                    completed_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(version: 2, name: "routing epoch") { _ in
            [
                "CREATE TABLE routing_epoch (id BIGINT PRIMARY KEY, epoch BIGINT NOT NULL)",
                "INSERT INTO routing_epoch (id, epoch) VALUES (1, 0)",
            ]
        },
        Migration(version: 3, name: "carriers, rate decks and ported numbers") { backend in
            let compact = backend == .sqlite ? " WITHOUT ROWID" : ""
            return [
                """
                CREATE TABLE carriers (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL,
                    priority BIGINT NOT NULL,
                    intra_means TEXT NOT NULL,
                    configuration TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE rate_decks (
                    id TEXT PRIMARY KEY,
                    owner_kind TEXT NOT NULL,
                    owner_id TEXT NOT NULL,
                    layout TEXT NOT NULL,
                    source TEXT NOT NULL,
                    rows BIGINT NOT NULL,
                    imported_at BIGINT NOT NULL,
                    UNIQUE (owner_kind, owner_id))
                """,
                """
                CREATE TABLE rate_prefixes (
                    deck_id TEXT NOT NULL REFERENCES rate_decks(id) ON DELETE CASCADE,
                    prefix TEXT NOT NULL,
                    rate_micros BIGINT NOT NULL,
                    initial_seconds BIGINT NOT NULL,
                    increment_seconds BIGINT NOT NULL,
                    effective_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    PRIMARY KEY (deck_id, prefix, effective_at))
                """,
                """
                CREATE TABLE rate_npanxx (
                    deck_id TEXT NOT NULL REFERENCES rate_decks(id) ON DELETE CASCADE,
                    npanxx TEXT NOT NULL,
                    interstate_micros BIGINT NOT NULL,
                    intrastate_micros BIGINT NOT NULL,
                    indeterminate_micros BIGINT NOT NULL,
                    initial_seconds BIGINT NOT NULL,
                    increment_seconds BIGINT NOT NULL,
                    effective_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    PRIMARY KEY (deck_id, npanxx, effective_at))
                """,
                "CREATE TABLE ported_numbers (tn BIGINT PRIMARY KEY, lrn BIGINT NOT NULL)\(compact)",
            ]
        },
        Migration(version: 4, name: "routing records") { backend in
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
        },
        Migration(version: 5, name: "number failover targets") { _ in
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
        },
        Migration(version: 6, name: "blocked destinations") { _ in
            // `prefix` is E.164 digits without `+`; `account_id` NULL blocks for the whole network.
            [
                """
                CREATE TABLE blocked_destinations (
                    id TEXT PRIMARY KEY,
                    prefix TEXT NOT NULL,
                    account_id TEXT REFERENCES accounts(id),
                    reason TEXT,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX blocked_destinations_account ON blocked_destinations(account_id, prefix)",
            ]
        },
        Migration(version: 7, name: "E911 addresses, MSAG and bindings") { backend in
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
        },
        Migration(version: 8, name: "port-in orders and network LRNs") { backend in
            // network_lrns: the LRN of our switch in each LATA we serve (numbers ported in there get it).
            // port_orders: one per losing carrier (OCN); `state_detail` holds the FOC, reject reasons or
            // jeopardy reason as JSON, `account` the losing-carrier account data, `loa` the LOA's fields.
            [
                "CREATE TABLE network_lrns (lata TEXT PRIMARY KEY, lrn BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
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
        },
        Migration(version: 9, name: "blocks set by the operator") { _ in
            // A block the operator set on an account: the account's admins cannot lift it.
            ["ALTER TABLE blocked_destinations ADD COLUMN set_by_operator BIGINT NOT NULL DEFAULT 0"]
        },
        Migration(version: 10, name: "caller names") { _ in
            // A number's CNAM name, set by its owner; at most 15 printable ASCII characters.
            ["ALTER TABLE numbers ADD COLUMN caller_name TEXT"]
        },
        Migration(version: 11, name: "webhook endpoints and their outbox") { backend in
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
        },
        Migration(version: 12, name: "port-out requests and port-out protection") { backend in
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
        },
        Migration(version: 13, name: "E911 addresses on port-in orders") { _ in
            // The validated address a port-in order's numbers are bound to when they arrive.
            ["ALTER TABLE port_orders ADD COLUMN e911_address_id TEXT REFERENCES e911_addresses(id)"]
        },
        Migration(version: 14, name: "caller names on port-in orders") { _ in
            // The caller name (CNAM) a port-in order's numbers take when they arrive.
            ["ALTER TABLE port_orders ADD COLUMN caller_name TEXT"]
        },
        Migration(version: 15, name: "cutover forwarding and port changes to the LRN table") { _ in
            [
                // How long a port-in order's numbers forward to their old path after activation, if at all.
                "ALTER TABLE port_orders ADD COLUMN cutover_forward_hours BIGINT",
                // The forwarding itself, per activated number: the old LRN (NULL: the number's own exchange).
                """
                CREATE TABLE cutover_forwards (
                    tn TEXT PRIMARY KEY REFERENCES numbers(tn),
                    order_id TEXT NOT NULL REFERENCES port_orders(id),
                    old_lrn BIGINT,
                    ends_at BIGINT NOT NULL)
                """,
                "CREATE INDEX cutover_forwards_order ON cutover_forwards(order_id)",
                // Our ports' changes to ported_numbers since the last import of the national feed (which replaces
                // them): routing applies these few rows over its compiled table. A NULL LRN: no longer ported.
                "CREATE TABLE lnp_changes (tn BIGINT PRIMARY KEY, lrn BIGINT, changed_at BIGINT NOT NULL)",
            ]
        },
        Migration(version: 16, name: "webhook secret rotation") { _ in
            // After a rotation, the secret it replaced still signs deliveries, beside the new one, until it expires.
            [
                "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT",
                "ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at BIGINT",
            ]
        },
    ]
}
