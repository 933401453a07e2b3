import Store

/// The tables Accounts owns, as its parts of the migrations that make them. `TandemSchema` puts the parts in
/// their one order; a part that has shipped never changes (a change is a new part in a new migration).
public enum AccountsTables {
    /// Migration 1 ("provisioning core"): accounts and their API keys.
    public static func accountsAndKeys(_: DatabaseBackend) -> [String] {
        [
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
        ]
    }

    /// Migration 17 ("trunk ceilings"): the most each account may set its own trunks' limits to; `NULL` is
    /// ``TrunkCeiling/standard``.
    public static func trunkCeilings(_: DatabaseBackend) -> [String] {
        [
            "ALTER TABLE accounts ADD COLUMN trunk_cps_ceiling BIGINT",
            "ALTER TABLE accounts ADD COLUMN trunk_channel_ceiling BIGINT",
        ]
    }

    /// Migration 18 ("private trunk hosts"): whether the account's own keys may point its trunks at loopback and
    /// private addresses; `NULL` or `0` is no.
    public static func privateTrunkHosts(_: DatabaseBackend) -> [String] {
        ["ALTER TABLE accounts ADD COLUMN private_trunk_hosts BIGINT"]
    }

    /// Migration 19 ("porting partners"): a partner carrier's OCN, which its port-out requests carry.
    public static func partnerOCN(_: DatabaseBackend) -> [String] {
        ["ALTER TABLE accounts ADD COLUMN ocn TEXT"]
    }
}
