import Foundation
import Schema
import SQLKit
import Store
import TestSupport
import Testing

/// The schema's statements live beside their owners and `TandemSchema` orders them: these tests hold the
/// result to what shipped, and databases made by earlier releases to the schema a fresh one gets.
@Suite("Schema history")
struct SchemaHistoryTests {
    /// The SQLite schema (every table and index as `sqlite_master` keeps it) made by the release before the
    /// tables moved to their owners' modules, at migration 16.
    static let shippedSQLiteSchema = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures/schema-16.sqlite.sql")

    @Test("a fresh SQLite database taken to migration 16 gets, statement for statement, the schema that shipped")
    func freshSchemaIsTheShippedOne() async throws {
        let shipped = try String(contentsOf: Self.shippedSQLiteSchema, encoding: .utf8)
        let fresh = try await TestDatabase.sqlite.withEmptyDatabase { location in
            try await Store.withStore(try DatabaseLocation(parsing: location), logger: .test("schema")) { store in
                try await store.migrate(TandemSchema.migrations.filter { $0.version <= 16 }, clock: .system)
                return try await Self.describe(store)
            }
        }
        #expect(fresh.trimmingCharacters(in: .newlines) == shipped.trimmingCharacters(in: .newlines))
    }

    @Test(
        "a database an earlier release made upgrades in place, keeps its rows, and ends with a fresh one's schema",
        arguments: TestDatabase.available, [1, 8, 15]
    )
    func upgradeInPlace(database: TestDatabase, shippedVersion: Int) async throws {
        let fresh = try await database.withStore { store in try await Self.describe(store) }
        try await database.withEmptyDatabase { location in
            try await Store.withStore(try DatabaseLocation(parsing: location), logger: .test("schema")) { store in
                let older = TandemSchema.migrations.filter { $0.version <= shippedVersion }
                try await store.migrate(older, clock: .system)
                try await store.transaction { db in
                    try await db.raw("""
                        INSERT INTO accounts (id, kind, name, status, created_at, updated_at)
                        VALUES ('acc_old', 'customer', 'Made by an older release', 'active', 0, 0)
                        """).run()
                }
                let applied = try await store.migrate(TandemSchema.migrations, clock: .system)
                #expect(applied == TandemSchema.migrations.map(\.version).filter { $0 > shippedVersion })
                #expect(try await Self.describe(store) == fresh)
                let name = try await store.read { db in
                    try await db.raw("SELECT name FROM accounts WHERE id = 'acc_old'").first()?
                        .decode(column: "name", as: String.self)
                }
                #expect(name == "Made by an older release")
            }
        }
    }

    /// Every table, column and index of the store's schema, as text two schemas can be compared by: on SQLite
    /// the statements `sqlite_master` keeps, on PostgreSQL the catalog's columns and index definitions.
    static func describe(_ store: Store) async throws -> String {
        try await store.read { db in
            switch store.backend {
            case .sqlite:
                return try await db.raw("""
                    SELECT type || ' ' || name || ' ON ' || tbl_name || char(10) || sql AS line FROM sqlite_master
                    WHERE sql IS NOT NULL ORDER BY type, name
                    """).all().map { try $0.decode(column: "line", as: String.self) }.joined(separator: "\n")
            case .postgres:
                let columns = try await db.raw("""
                    SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                        || ' ' || COALESCE(column_default, '') AS line
                    FROM information_schema.columns WHERE table_schema = current_schema()
                    ORDER BY table_name, ordinal_position
                    """).all().map { try $0.decode(column: "line", as: String.self) }
                let indexes = try await db.raw("""
                    SELECT replace(indexdef, current_schema() || '.', '') AS line FROM pg_indexes
                    WHERE schemaname = current_schema() ORDER BY indexname
                    """).all().map { try $0.decode(column: "line", as: String.self) }
                return (columns + indexes).joined(separator: "\n")
            }
        }
    }
}
