import Store

/// The tables CallRecords owns, as its parts of the migrations that make them.
public enum CallRecordsTables {
    /// Migration 21 ("call detail records"): one row per call a switch reported, rated as it arrived.
    ///
    /// Times are Unix milliseconds. A record is stored once under its format, its key in that format and its start
    /// (`record_key` is the Kamailio Call-ID, Tandem's `record_id`...). On PostgreSQL the table is partitioned by
    /// `started_at`, a month a partition, made as records for it arrive (``CallDetailRecords``) and dropped whole
    /// when the month leaves the retention; the unique key includes `started_at`, as a partitioned table's must. The
    /// price and cost columns say how each side came out: `charged` (the micros are set), `free:<why>` or
    /// `unrated:<why>`.
    public static func cdrs(_ backend: DatabaseBackend) -> [String] {
        let columns = """
            id TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            format TEXT NOT NULL,
            record_key TEXT NOT NULL,
            call_id TEXT NOT NULL,
            received_at BIGINT NOT NULL,
            setup_at BIGINT,
            answered_at BIGINT,
            ended_at BIGINT NOT NULL,
            duration_ms BIGINT NOT NULL,
            billable_seconds BIGINT NOT NULL,
            sip_code BIGINT NOT NULL,
            source TEXT NOT NULL,
            caller TEXT NOT NULL,
            dialed TEXT NOT NULL,
            gateway TEXT NOT NULL,
            direction TEXT,
            account_id TEXT,
            trunk_id TEXT,
            destination TEXT,
            jurisdiction TEXT,
            carrier_id TEXT,
            price_micros BIGINT,
            price_rating TEXT NOT NULL,
            cost_micros BIGINT,
            cost_rating TEXT NOT NULL,
            problem TEXT,
            decision TEXT,
            PRIMARY KEY (id, started_at),
            UNIQUE (format, record_key, started_at)
            """
        let partitioning = backend == .postgres ? " PARTITION BY RANGE (started_at)" : ""
        return [
            "CREATE TABLE cdrs (\(columns))\(partitioning)",
            "CREATE INDEX cdrs_started ON cdrs(started_at)",
            "CREATE INDEX cdrs_account ON cdrs(account_id, started_at)",
            "CREATE INDEX cdrs_trunk ON cdrs(trunk_id, started_at)",
        ]
    }
}
