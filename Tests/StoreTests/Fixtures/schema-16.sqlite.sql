index accounts_agent ON accounts
CREATE INDEX accounts_agent ON accounts(agent_id)
index api_keys_account ON api_keys
CREATE INDEX api_keys_account ON api_keys(account_id, id)
index blocked_destinations_account ON blocked_destinations
CREATE INDEX blocked_destinations_account ON blocked_destinations(account_id, prefix)
index cutover_forwards_order ON cutover_forwards
CREATE INDEX cutover_forwards_order ON cutover_forwards(order_id)
index e911_addresses_account ON e911_addresses
CREATE INDEX e911_addresses_account ON e911_addresses(account_id, id)
index exchanges_rate_center ON exchanges
CREATE INDEX exchanges_rate_center ON exchanges(state, rate_center)
index msag_ranges_name ON msag_ranges
CREATE INDEX msag_ranges_name ON msag_ranges(state, street_name)
index msag_ranges_street ON msag_ranges
CREATE INDEX msag_ranges_street ON msag_ranges(state, community, street)
index number_e911_address ON number_e911
CREATE INDEX number_e911_address ON number_e911(address_id)
index number_events_tn ON number_events
CREATE INDEX number_events_tn ON number_events(tn, id)
index number_failover_trunk ON number_failover
CREATE INDEX number_failover_trunk ON number_failover(target_trunk)
index numbers_account ON numbers
CREATE INDEX numbers_account ON numbers(account_id, tn)
index numbers_aging ON numbers
CREATE INDEX numbers_aging ON numbers(aging_until) WHERE status = 'aging'
index numbers_available ON numbers
CREATE INDEX numbers_available ON numbers(tn) WHERE status = 'available'
index numbers_available_lata ON numbers
CREATE INDEX numbers_available_lata ON numbers(lata, tn) WHERE status = 'available'
index numbers_available_rate_center ON numbers
CREATE INDEX numbers_available_rate_center ON numbers(rate_center, tn) WHERE status = 'available'
index numbers_available_state ON numbers
CREATE INDEX numbers_available_state ON numbers(state, tn) WHERE status = 'available'
index numbers_available_state_rate_center ON numbers
CREATE INDEX numbers_available_state_rate_center ON numbers(state, rate_center, tn)
WHERE status = 'available'
index numbers_available_suffix ON numbers
CREATE INDEX numbers_available_suffix ON numbers(reversed_tn) WHERE status = 'available'
index numbers_reserved ON numbers
CREATE INDEX numbers_reserved ON numbers(reserved_until) WHERE status = 'reserved'
index numbers_trunk ON numbers
CREATE INDEX numbers_trunk ON numbers(trunk_id)
index port_order_events_order ON port_order_events
CREATE INDEX port_order_events_order ON port_order_events(order_id, id)
index port_order_numbers_tn ON port_order_numbers
CREATE INDEX port_order_numbers_tn ON port_order_numbers(tn)
index port_orders_account ON port_orders
CREATE INDEX port_orders_account ON port_orders(account_id, id)
index port_orders_activation ON port_orders
CREATE INDEX port_orders_activation ON port_orders(state, activate_at)
index port_out_events_request ON port_out_events
CREATE INDEX port_out_events_request ON port_out_events(port_out_id, id)
index port_out_numbers_tn ON port_out_numbers
CREATE INDEX port_out_numbers_tn ON port_out_numbers(tn)
index port_outs_account ON port_outs
CREATE INDEX port_outs_account ON port_outs(account_id, id)
index port_outs_due ON port_outs
CREATE INDEX port_outs_due ON port_outs(state, due_at)
index routing_records_at ON routing_records
CREATE INDEX routing_records_at ON routing_records(at)
index routing_records_trunk ON routing_records
CREATE INDEX routing_records_trunk ON routing_records(trunk_id, at)
index webhook_deliveries_due ON webhook_deliveries
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)
index webhook_deliveries_endpoint ON webhook_deliveries
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id)
index webhook_endpoints_account ON webhook_endpoints
CREATE INDEX webhook_endpoints_account ON webhook_endpoints(account_id, id)
table accounts ON accounts
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    agent_id TEXT REFERENCES accounts(id),
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL)
table api_keys ON api_keys
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
table blocked_destinations ON blocked_destinations
CREATE TABLE blocked_destinations (
    id TEXT PRIMARY KEY,
    prefix TEXT NOT NULL,
    account_id TEXT REFERENCES accounts(id),
    reason TEXT,
    created_at BIGINT NOT NULL, set_by_operator BIGINT NOT NULL DEFAULT 0)
table carriers ON carriers
CREATE TABLE carriers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    priority BIGINT NOT NULL,
    intra_means TEXT NOT NULL,
    configuration TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL)
table cutover_forwards ON cutover_forwards
CREATE TABLE cutover_forwards (
    tn TEXT PRIMARY KEY REFERENCES numbers(tn),
    order_id TEXT NOT NULL REFERENCES port_orders(id),
    old_lrn BIGINT,
    ends_at BIGINT NOT NULL)
table e911_addresses ON e911_addresses
CREATE TABLE e911_addresses (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    address TEXT NOT NULL,
    line TEXT NOT NULL,
    esn TEXT NOT NULL,
    psap TEXT NOT NULL,
    created_at BIGINT NOT NULL)
table e911_events ON e911_events
CREATE TABLE e911_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    tn TEXT,
    address_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL)
table exchanges ON exchanges
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
table import_runs ON import_runs
CREATE TABLE import_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    rows BIGINT NOT NULL,
    completed_at BIGINT NOT NULL)
table lnp_changes ON lnp_changes
CREATE TABLE lnp_changes (tn BIGINT PRIMARY KEY, lrn BIGINT, changed_at BIGINT NOT NULL)
table msag_ranges ON msag_ranges
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
table network_lrns ON network_lrns
CREATE TABLE network_lrns (lata TEXT PRIMARY KEY, lrn BIGINT NOT NULL, updated_at BIGINT NOT NULL)
table number_e911 ON number_e911
CREATE TABLE number_e911 (
    tn TEXT PRIMARY KEY REFERENCES numbers(tn),
    address_id TEXT NOT NULL REFERENCES e911_addresses(id),
    bound_at BIGINT NOT NULL)
table number_events ON number_events
CREATE TABLE number_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tn TEXT NOT NULL,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    account_id TEXT,
    trunk_id TEXT,
    actor TEXT NOT NULL,
    reason TEXT)
table number_failover ON number_failover
CREATE TABLE number_failover (
    tn TEXT NOT NULL REFERENCES numbers(tn),
    position BIGINT NOT NULL,
    target_trunk TEXT REFERENCES trunks(id),
    target_number TEXT,
    PRIMARY KEY (tn, position),
    CHECK ((target_trunk IS NULL) <> (target_number IS NULL)))
table numbers ON numbers
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
    updated_at BIGINT NOT NULL, caller_name TEXT)
table port_documents ON port_documents
CREATE TABLE port_documents (
    order_id TEXT PRIMARY KEY REFERENCES port_orders(id),
    name TEXT NOT NULL,
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL)
table port_order_events ON port_order_events
CREATE TABLE port_order_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES port_orders(id),
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    detail TEXT,
    actor TEXT NOT NULL)
table port_order_numbers ON port_order_numbers
CREATE TABLE port_order_numbers (
    order_id TEXT NOT NULL REFERENCES port_orders(id),
    tn TEXT NOT NULL,
    PRIMARY KEY (order_id, tn))
table port_orders ON port_orders
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
    updated_at BIGINT NOT NULL, e911_address_id TEXT REFERENCES e911_addresses(id), caller_name TEXT, cutover_forward_hours BIGINT)
table port_out_events ON port_out_events
CREATE TABLE port_out_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    port_out_id TEXT NOT NULL REFERENCES port_outs(id),
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    detail TEXT,
    actor TEXT NOT NULL)
table port_out_numbers ON port_out_numbers
CREATE TABLE port_out_numbers (
    port_out_id TEXT NOT NULL REFERENCES port_outs(id),
    tn TEXT NOT NULL,
    PRIMARY KEY (port_out_id, tn))
table port_out_protection ON port_out_protection
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
table port_outs ON port_outs
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
table ported_numbers ON ported_numbers
CREATE TABLE ported_numbers (tn BIGINT PRIMARY KEY, lrn BIGINT NOT NULL) WITHOUT ROWID
table rate_decks ON rate_decks
CREATE TABLE rate_decks (
    id TEXT PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    layout TEXT NOT NULL,
    source TEXT NOT NULL,
    rows BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    UNIQUE (owner_kind, owner_id))
table rate_npanxx ON rate_npanxx
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
table rate_prefixes ON rate_prefixes
CREATE TABLE rate_prefixes (
    deck_id TEXT NOT NULL REFERENCES rate_decks(id) ON DELETE CASCADE,
    prefix TEXT NOT NULL,
    rate_micros BIGINT NOT NULL,
    initial_seconds BIGINT NOT NULL,
    increment_seconds BIGINT NOT NULL,
    effective_at BIGINT NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (deck_id, prefix, effective_at))
table routing_epoch ON routing_epoch
CREATE TABLE routing_epoch (id BIGINT PRIMARY KEY, epoch BIGINT NOT NULL)
table routing_records ON routing_records
CREATE TABLE routing_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
table schema_migrations ON schema_migrations
CREATE TABLE schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
table sqlite_sequence ON sqlite_sequence
CREATE TABLE sqlite_sequence(name,seq)
table trunks ON trunks
CREATE TABLE trunks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    name TEXT NOT NULL,
    configuration TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, name))
table webhook_deliveries ON webhook_deliveries
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
table webhook_endpoints ON webhook_endpoints
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    deleted_at BIGINT, previous_secret TEXT, previous_secret_expires_at BIGINT)
table webhook_events ON webhook_events
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL)
