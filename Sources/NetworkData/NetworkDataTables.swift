import Store

/// The tables NetworkData owns, as its parts of the migrations that make them. `TandemSchema` puts the parts in
/// their one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum NetworkDataTables {
    /// Migration 1 ("provisioning core"): NPA-NXX exchanges and thousands-blocks.
    public static func exchanges(_: DatabaseBackend) -> [String] {
        [
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
        ]
    }

    /// Migration 1 ("provisioning core"): the record of each file import.
    public static func importRuns(_ backend: DatabaseBackend) -> [String] {
        let identity = backend.identityColumn
        return [
            """
            CREATE TABLE import_runs (
                id \(identity),
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                rows BIGINT NOT NULL,
                completed_at BIGINT NOT NULL)
            """,
        ]
    }

    /// Migration 3 ("carriers, rate decks and ported numbers"): carriers, rate decks and their rows, the ported-number
    /// table.
    public static func carriersRateDecksAndPortedNumbers(_ backend: DatabaseBackend) -> [String] {
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
    }

    /// Migration 6 ("blocked destinations"): destinations blocked per account or network-wide.
    public static func blockedDestinations(_: DatabaseBackend) -> [String] {
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
    }

    /// Migration 8 ("port-in orders and network LRNs"): our switch's LRN in each LATA.
    public static func networkLRNs(_: DatabaseBackend) -> [String] {
        // network_lrns: the LRN of our switch in each LATA we serve (numbers ported in there get it).
        ["CREATE TABLE network_lrns (lata TEXT PRIMARY KEY, lrn BIGINT NOT NULL, updated_at BIGINT NOT NULL)"]
    }

    /// Migration 9 ("blocks set by the operator"): marks the blocks the operator set.
    public static func operatorBlocks(_: DatabaseBackend) -> [String] {
        // A block the operator set on an account: the account's admins cannot lift it.
        ["ALTER TABLE blocked_destinations ADD COLUMN set_by_operator BIGINT NOT NULL DEFAULT 0"]
    }

    /// Migration 15 ("cutover forwarding and port changes to the LRN table"): our ports' changes to the LRN table.
    public static func lnpChanges(_: DatabaseBackend) -> [String] {
        [
            // Our ports' changes to ported_numbers since the last import of the national feed (which replaces
            // them): routing applies these few rows over its compiled table. A NULL LRN: no longer ported.
            "CREATE TABLE lnp_changes (tn BIGINT PRIMARY KEY, lrn BIGINT, changed_at BIGINT NOT NULL)",
        ]
    }
}
