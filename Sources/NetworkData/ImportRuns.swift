import Platform
import SQLKit
import Store
import Timekeeping

/// The log of completed imports (`import_runs`): which data set was loaded, from where, how many rows, and
/// when. The routing feed reads it to know when a large table needs compiling again; a seed reads it to know
/// whether it has run.
public struct ImportRuns: Sendable {
    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Whether an import of `kind` has completed.
    public func hasCompleted(kind: String) async throws -> Bool {
        try await store.read { database in
            try await database.raw("SELECT id FROM import_runs WHERE kind = \(bind: kind) LIMIT 1").first() != nil
        }
    }

    /// Records a completed import of `kind`.
    public func record(kind: String, source: String, rows: Int) async throws {
        try await store.transaction { database in
            try await database.raw("""
                INSERT INTO import_runs (kind, source, rows, completed_at)
                VALUES (\(bind: kind), \(bind: source), \(bind: rows), \(bind: clock.unixSeconds()))
                """).run()
        }
    }
}
