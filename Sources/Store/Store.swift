import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// The SQL engine behind a ``Store``, for the few statements whose spelling differs between them.
public enum DatabaseBackend: String, Sendable {
    case sqlite
    case postgres
}

/// Tandem's database: one interface over an embedded SQLite file or a PostgreSQL server.
///
/// Callers run SQL through sql-kit's `SQLDatabase`, either as a read (``read(_:)``) or inside a transaction
/// (``transaction(_:)``) that commits when the closure returns and rolls back when it throws.
///
/// - SQLite runs in WAL mode with one writer connection and a few reader connections: write transactions
///   start with `BEGIN IMMEDIATE`, so they queue on the write lock instead of failing midway, and reads
///   proceed while a write is in progress.
/// - PostgreSQL uses a `PostgresClient` pool; the store is a `Service` that runs it.
///
/// Run the store as a service (in a `ServiceGroup` or through ``withStore(_:logger:_:)``) for as long as
/// it is used.
public final class Store: Service, Sendable {
    /// Which SQL engine this store talks to.
    public let backend: DatabaseBackend
    /// Where the data lives, printable (passwords hidden).
    public let location: DatabaseLocation
    private let engine: Engine
    private let logger: Logger

    private enum Engine: Sendable {
        case sqlite(writer: ConnectionPool<SQLiteConnection>, readers: ConnectionPool<SQLiteConnection>, readerCount: Int)
        case postgres(PostgresClient, schema: String?)
    }

    private init(backend: DatabaseBackend, location: DatabaseLocation, engine: Engine, logger: Logger) {
        self.backend = backend
        self.location = location
        self.engine = engine
        self.logger = logger
    }

    /// Opens a store. SQLite files are created when missing; PostgreSQL connects lazily once the store runs.
    public static func open(_ location: DatabaseLocation, logger: Logger) async throws -> Store {
        switch location {
        case .sqlite(let path):
            let readerCount = 3
            let writer = try await openSQLite(path: path, logger: logger)
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerCount {
                readers.append(try await openSQLite(path: path, logger: logger))
            }
            return Store(
                backend: .sqlite,
                location: location,
                engine: .sqlite(
                    writer: ConnectionPool([writer]), readers: ConnectionPool(readers), readerCount: readerCount
                ),
                logger: logger
            )
        case .postgres(let target):
            var configuration = PostgresClient.Configuration(
                host: target.host,
                port: target.port,
                username: target.username,
                password: target.password,
                database: target.database,
                tls: .disable
            )
            if let schema = target.schema {
                configuration.options.additionalStartupParameters = [("search_path", schema)]
            }
            configuration.options.maximumConnections = 10
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            return Store(
                backend: .postgres, location: location, engine: .postgres(client, schema: target.schema), logger: logger
            )
        }
    }

    private static func openSQLite(path: String, logger: Logger) async throws -> SQLiteConnection {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let database = connection.sql()
        // WAL lets readers run beside the writer; NORMAL sync is durable across application crashes in WAL mode.
        for pragma in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
            "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY",
        ] {
            _ = try await database.raw(SQLQueryString(pragma)).all()
        }
        return connection
    }

    /// Opens a store, runs it for the duration of `body`, then closes it.
    public static func withStore<Result: Sendable>(
        _ location: DatabaseLocation,
        logger: Logger,
        _ body: (Store) async throws -> Result
    ) async throws -> Result {
        let store = try await open(location, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    // MARK: - Service

    /// Keeps the store's connections alive until graceful shutdown or cancellation, then closes them.
    public func run() async throws {
        switch engine {
        case .postgres(let client, _):
            await cancelWhenGracefulShutdown { await client.run() }
        case .sqlite(let writer, let readers, let readerCount):
            try? await gracefulShutdown()
            // The future-based close, because the async one refuses to run in a cancelled task.
            for connection in await writer.drain(count: 1) + readers.drain(count: readerCount) {
                try? await connection.close().get()
            }
        }
    }

    // MARK: - Queries

    /// Runs read-only work on a connection of its own.
    public func read<Result>(_ body: (any SQLDatabase) async throws -> sending Result) async throws -> sending Result {
        switch engine {
        case .sqlite(_, let readers, _):
            let connection = await readers.lease()
            do {
                let result = try await body(connection.sql(queryLogLevel: .trace))
                await readers.giveBack(connection)
                return result
            } catch {
                await readers.giveBack(connection)
                throw error
            }
        case .postgres(let client, _):
            return try await client.withConnection { connection in
                try await body(connection.sql(queryLogLevel: .trace))
            }
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<Result>(
        _ body: (any SQLDatabase) async throws -> sending Result
    ) async throws -> sending Result {
        switch engine {
        case .sqlite(let writer, _, _):
            let connection = await writer.lease()
            let database = connection.sql(queryLogLevel: .trace)
            do {
                try await database.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(database)
                    try await database.raw("COMMIT").run()
                    await writer.giveBack(connection)
                    return result
                } catch {
                    try? await database.raw("ROLLBACK").run()
                    throw error
                }
            } catch {
                await writer.giveBack(connection)
                throw error
            }
        case .postgres(let client, _):
            do {
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(connection.sql(queryLogLevel: .trace))
                }
            } catch let error as PostgresTransactionError {
                // The caller's own error, once rolled back, is what it should see, as with SQLite.
                if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
                throw error
            }
        }
    }

    // MARK: - Migrations

    /// Brings the schema up to date, applying each missing migration in its own transaction.
    ///
    /// Safe to run from several processes at once: SQLite serializes on its write lock and PostgreSQL on an
    /// advisory lock. Returns the versions applied.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [Int] {
        if case .postgres(let client, let schema?) = engine {
            _ = try await client.withConnection { connection in
                try await connection.sql().raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
        }
        let ordered = migrations.sorted { $0.version < $1.version }
        let known = ordered.last?.version ?? 0
        try await transaction { database in
            try await database.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
        }
        var applied: [Int] = []
        for migration in ordered {
            let didApply = try await transaction { database in
                if backend == .postgres {
                    try await database.raw("SELECT pg_advisory_xact_lock(7206130511)").run()
                }
                let current = try await Self.schemaVersion(database)
                guard current <= known else { throw StoreError.schemaTooNew(found: current, known: known) }
                let exists = try await database.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard exists == nil else { return false }
                for statement in migration.statements(backend) {
                    try await database.raw(SQLQueryString(statement)).run()
                }
                try await database.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Int(Date.now.timeIntervalSince1970)))
                    """).run()
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// The highest migration version recorded in the database, 0 for a new one.
    public func schemaVersion() async throws -> Int {
        try await read { try await Self.schemaVersion($0) }
    }

    private static func schemaVersion(_ database: any SQLDatabase) async throws -> Int {
        let row = try await database.raw("SELECT MAX(version) AS version FROM schema_migrations").first()
        return try row?.decode(column: "version", as: Int?.self) ?? 0
    }
}

/// One step of the schema's history. Versions are applied in order, once, each in a transaction.
public struct Migration: Sendable {
    /// The version this migration brings the schema to; unique and increasing.
    public let version: Int
    /// A short description, recorded in `schema_migrations`.
    public let name: String
    /// The DDL statements, spelled for the given backend.
    public let statements: @Sendable (DatabaseBackend) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (DatabaseBackend) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension SQLDatabase {
    /// `FOR UPDATE` on PostgreSQL, nothing on SQLite (whose write transactions already run one at a time).
    ///
    /// Append it to the `SELECT` of a read-modify-write, so that concurrent changes to the same row queue
    /// instead of overwriting each other.
    public var forUpdate: SQLQueryString {
        dialect.name == "postgresql" ? " FOR UPDATE" : ""
    }

    /// `FOR SHARE` on PostgreSQL, nothing on SQLite: keeps a referenced row from being deleted meanwhile.
    public var forShare: SQLQueryString {
        dialect.name == "postgresql" ? " FOR SHARE" : ""
    }
}
