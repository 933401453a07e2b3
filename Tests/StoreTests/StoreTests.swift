import Foundation
import Logging
import Schema
import SQLKit
import Store
import TestSupport
import Testing
import Timekeeping

@Suite("Store")
struct StoreTests {
    @Test("migrations apply once and record their versions", arguments: TestDatabase.available)
    func migrationsAreIdempotent(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            #expect(try await store.schemaVersion() == TandemSchema.migrations.last!.version)
            #expect(try await store.migrate(TandemSchema.migrations, clock: .system).isEmpty)
        }
    }

    @Test("a throwing transaction leaves nothing behind", arguments: TestDatabase.available)
    func rollback(database: TestDatabase) async throws {
        struct Boom: Error {}
        try await database.withStore { store async throws in
            await #expect(throws: Boom.self) {
                try await store.transaction { db in
                    try await db.raw("""
                        INSERT INTO accounts (id, kind, name, status, created_at, updated_at)
                        VALUES ('acc_x', 'customer', 'X', 'active', 0, 0)
                        """).run()
                    throw Boom()
                }
            }
            let count = try await store.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM accounts").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test("a committed transaction is visible to readers", arguments: TestDatabase.available)
    func commitVisible(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            try await store.transaction { db in
                try await db.raw("""
                    INSERT INTO accounts (id, kind, name, status, created_at, updated_at)
                    VALUES ('acc_y', 'customer', 'Y', 'active', 0, 0)
                    """).run()
            }
            let name = try await store.read { db in
                try await db.raw("SELECT name FROM accounts WHERE id = 'acc_y'").first()?.decode(column: "name", as: String.self)
            }
            #expect(name == "Y")
        }
    }

    @Test("a transaction cut short by cancellation rolls back: the next transaction starts clean",
          arguments: TestDatabase.available)
    func cancelledTransactions(database: TestDatabase) async throws {
        try await database.withStore { store in
            for _ in 0..<20 {
                let writer = Task {
                    while !Task.isCancelled {
                        _ = try? await store.transaction { database in
                            _ = try await database.raw("SELECT 1 AS x").all()
                            _ = try await database.raw("SELECT 2 AS x").all()
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...10)))
                writer.cancel()
                _ = await writer.result
                // Before the fix, SQLite's writer went back to the pool inside the cancelled transaction, and every
                // later transaction failed with "cannot start a transaction within a transaction".
                try await store.transaction { database in _ = try await database.raw("SELECT 1 AS x").all() }
            }
        }
    }

    @Test("a transaction whose connection dies midway fails with the error, and the store carries on")
    func connectionDiesMidway() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await TestDatabase.postgres.withStore { store in
            for _ in 0..<3 {
                await #expect(throws: (any Error).self) {
                    try await store.transaction { database in
                        let pid = try await database.raw("SELECT pg_backend_pid() AS pid").first()!.decode(column: "pid", as: Int.self)
                        // Another connection ends this one's backend: the rest of the transaction, and its ROLLBACK, fail.
                        try await store.read { other in
                            _ = try await other.raw("SELECT pg_terminate_backend(\(bind: pid))").all()
                        }
                        _ = try await database.raw("SELECT 1 AS x").all()
                    }
                }
            }
            // The pool lends no dead connection afterwards: as many transactions as it has connections all succeed.
            for _ in 0..<12 {
                try await store.transaction { database in _ = try await database.raw("SELECT 1 AS x").all() }
            }
        }
    }

    @Test("concurrent write transactions serialize instead of failing", arguments: TestDatabase.available)
    func concurrentWrites(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            try await store.transaction { db in
                try await db.raw("""
                    INSERT INTO accounts (id, kind, name, status, created_at, updated_at)
                    VALUES ('acc_c', 'customer', '0', 'active', 0, 0)
                    """).run()
            }
            // Each transaction reads, then writes the incremented value: lost updates would show as a short count.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.transaction { db in
                            if store.backend == .postgres {
                                try await db.raw("SELECT id FROM accounts WHERE id = 'acc_c' FOR UPDATE").run()
                            }
                            let value = Int(try await db.raw("SELECT name FROM accounts WHERE id = 'acc_c'").first()!
                                .decode(column: "name", as: String.self))!
                            try await db.raw("UPDATE accounts SET name = \(bind: String(value + 1)) WHERE id = 'acc_c'").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await store.read { db in
                try await db.raw("SELECT name FROM accounts WHERE id = 'acc_c'").first()!.decode(column: "name", as: String.self)
            }
            #expect(final == "20")
        }
    }

    @Test("a database from a newer Tandem is refused", arguments: TestDatabase.available)
    func schemaTooNew(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            try await store.transaction { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run()
            }
            let known = TandemSchema.migrations.map(\.version).max() ?? 0
            let extra = Migration(version: known, name: "next") { _ in [] }
            await #expect(throws: StoreError.schemaTooNew(found: 999, known: known)) {
                try await store.migrate(TandemSchema.migrations + [extra], clock: .system)
            }
        }
    }

    @Test("data survives closing and reopening a SQLite file")
    func survivesRestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-restart-\(UUID()).db").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let logger = Logger.test("test")
        try await Store.withStore(.sqlite(path: path), logger: logger) { store async throws in
            try await store.migrate(TandemSchema.migrations, clock: .system)
            try await store.transaction { db in
                try await db.raw("""
                    INSERT INTO accounts (id, kind, name, status, created_at, updated_at)
                    VALUES ('acc_r', 'customer', 'R', 'active', 0, 0)
                    """).run()
            }
        }
        try await Store.withStore(.sqlite(path: path), logger: logger) { store async throws in
            #expect(try await store.migrate(TandemSchema.migrations, clock: .system).isEmpty)
            let name = try await store.read { db in
                try await db.raw("SELECT name FROM accounts WHERE id = 'acc_r'").first()?.decode(column: "name", as: String.self)
            }
            #expect(name == "R")
        }
    }

    @Test("database locations parse, and bad ones say why", arguments: [
        ("./tandem.db", "sqlite:./tandem.db"),
        ("postgres://u:secret@db.example:5433/tandem", "postgres://u:***@db.example:5433/tandem?sslmode=prefer"),
        ("postgresql://u@localhost/tandem?schema=t1", "postgres://u@localhost:5432/tandem?schema=t1&sslmode=prefer"),
        ("postgres://u@db/tandem?sslmode=verify-full&sslrootcert=/etc/ca.pem",
         "postgres://u@db:5432/tandem?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
        ("postgres://u@db/tandem?sslmode=disable", "postgres://u@db:5432/tandem?sslmode=disable"),
        // The system's trust store means verify-full, as libpq 16 has it.
        ("postgres://u@db/tandem?sslrootcert=system", "postgres://u@db:5432/tandem?sslmode=verify-full&sslrootcert=system"),
    ])
    func locations(input: String, printed: String) throws {
        #expect(try DatabaseLocation(parsing: input).description == printed)
    }

    @Test("bad database locations are refused", arguments: [
        "", "postgres://localhost/tandem", "postgres://u@localhost/", "postgres://u@localhost/db?schema=Bad-Name",
        "postgres://u@db/tandem?sslmode=allow", "postgres://u@db/tandem?sslmode=REQUIRE",
        "postgres://u@db/tandem?sslmode=disable&sslrootcert=/etc/ca.pem", "postgres://u@db/tandem?sslcert=/etc/client.pem",
        "postgres://u@db/tandem?sslmode=require&sslrootcert=system", "postgres://u@db/tandem?sslmode=verify-ca&sslrootcert=system",
    ])
    func badLocations(input: String) {
        #expect(throws: StoreError.self) { try DatabaseLocation(parsing: input) }
    }
}
