import Store

/// The tables E911's address book owns, in the parts each migration takes.
public enum EmergencyTables {
    /// Migration 7 ("E911 addresses, MSAG and bindings"), first part: MSAG street ranges, and `e911_addresses`,
    /// validated, normalized addresses (the CLDXF fields as JSON in `address`).
    public static func addressesAndMSAG(_: DatabaseBackend) -> [String] {
        [
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
        ]
    }

    /// Migration 7, last part: `e911_events` record who changed which address or binding, and when.
    public static func addressEvents(_ backend: DatabaseBackend) -> [String] {
        let identity = backend.identityColumn
        return [
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
}
