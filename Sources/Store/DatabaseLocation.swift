import Foundation

/// Where Tandem keeps its data: an embedded SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file, created on first use.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresLocation)

    /// Parses the `--database` argument: a `postgres://` (or `postgresql://`) URL, or else a SQLite file path.
    ///
    /// A URL may carry `?schema=NAME` to keep Tandem's tables in their own schema (created when missing).
    public init(parsing text: String) throws(StoreError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: text))
        } else if text.isEmpty {
            throw StoreError.invalidLocation("the database location is empty")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location with any password hidden, safe to print and log.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }
}

/// The coordinates of a PostgreSQL database, from a `postgres://user:password@host:port/database` URL.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The schema that holds Tandem's tables; `nil` uses the server's default search path.
    public var schema: String?

    /// Parses a `postgres://` URL.
    public init(url text: String) throws(StoreError) {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError.invalidLocation("not a valid postgres:// URL (expected postgres://user:password@host:port/database)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.invalidLocation("the postgres:// URL names no user")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw StoreError.invalidLocation("the postgres:// URL names no database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        let schema = components.queryItems?.first(where: { $0.name == "schema" })?.value
        if let schema {
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw StoreError.invalidLocation("schema must be a lowercase SQL identifier, got '\(schema)'")
            }
        }
        self.schema = schema
    }

    public var description: String {
        let auth = password == nil ? username : "\(username):***"
        let schemaPart = schema.map { "?schema=\($0)" } ?? ""
        return "postgres://\(auth)@\(host):\(port)/\(database)\(schemaPart)"
    }
}
