import Foundation
import NIOSSL
import PostgresNIO

/// Where Tandem keeps its data: an embedded SQLite file or a PostgreSQL server.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite database file, created on first use.
    case sqlite(path: String)
    /// A PostgreSQL server.
    case postgres(PostgresLocation)

    /// Parses the `--database` argument: a `postgres://` (or `postgresql://`) URL, or else a SQLite file path.
    ///
    /// A URL may carry `?schema=NAME` to keep Tandem's tables in their own schema (created when missing), and
    /// libpq's `sslmode` and `sslrootcert` (see ``PostgresSSLMode``).
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
    /// Whether and how the connection is encrypted and the server's certificate checked (`sslmode`).
    public var sslMode: PostgresSSLMode
    /// A PEM file of the certificate authorities trusted to sign the server's certificate (`sslrootcert`), or
    /// `system` for the system's trust store, as libpq spells it (which then means `verify-full`).
    public var sslRootCertificate: String?

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
        let query = components.queryItems ?? []
        if let unknown = query.first(where: { !["schema", "sslmode", "sslrootcert"].contains($0.name) }) {
            throw StoreError.invalidLocation(
                "the postgres:// URL option '\(unknown.name)' is not supported (supported: schema, sslmode, sslrootcert)"
            )
        }
        let mode = query.first(where: { $0.name == "sslmode" })?.value
        if let mode {
            guard let parsed = PostgresSSLMode(rawValue: mode) else {
                throw StoreError.invalidLocation(
                    "sslmode must be one of \(PostgresSSLMode.allCases.map(\.rawValue).joined(separator: ", ")), got '\(mode)'"
                )
            }
            sslMode = parsed
        } else {
            sslMode = .prefer
        }
        sslRootCertificate = query.first(where: { $0.name == "sslrootcert" })?.value.flatMap { $0.isEmpty ? nil : $0 }
        // libpq (16 and later): the system's trust store means verify-full, and refuses any weaker mode, since any
        // public authority can sign a certificate for some other name.
        if sslRootCertificate == "system" {
            if mode == nil { sslMode = .verifyFull }
            guard sslMode == .verifyFull else {
                throw StoreError.invalidLocation("sslrootcert=system needs sslmode=verify-full, got sslmode=\(sslMode.rawValue)")
            }
        }
        if sslMode == .disable, sslRootCertificate != nil {
            throw StoreError.invalidLocation("sslrootcert was given with sslmode=disable")
        }
    }

    public var description: String {
        let auth = password == nil ? username : "\(username):***"
        var options = schema.map { ["schema=\($0)"] } ?? []
        options.append("sslmode=\(sslMode.rawValue)")
        if let sslRootCertificate { options.append("sslrootcert=\(sslRootCertificate)") }
        return "postgres://\(auth)@\(host):\(port)/\(database)?\(options.joined(separator: "&"))"
    }
}

/// libpq's `sslmode`, with libpq's meanings (PostgreSQL's documentation, "SSL Mode Descriptions"), but for
/// `allow`, which tries plain text first and is not offered.
public enum PostgresSSLMode: String, Sendable, Hashable, CaseIterable {
    /// Plain text only.
    case disable
    /// TLS when the server offers it, else plain text; the certificate is not checked. libpq's default, and ours.
    case prefer
    /// TLS always; the certificate is not checked, unless an `sslrootcert` is given (then as `verify-ca`, as libpq
    /// does when a root certificate file exists).
    case require
    /// TLS always, with a certificate signed by a trusted authority (`sslrootcert`).
    case verifyCA = "verify-ca"
    /// As `verify-ca`, and the certificate must name the host connected to.
    case verifyFull = "verify-full"
}

extension PostgresLocation {
    /// How the client encrypts its connections: not at all, or with a TLS configuration that is required or merely
    /// preferred.
    struct ClientTLS {
        var configuration: TLSConfiguration?
        var required: Bool

        var forPool: PostgresClient.Configuration.TLS {
            guard let configuration else { return .disable }
            return required ? .require(configuration) : .prefer(configuration)
        }

        var forConnection: PostgresConnection.Configuration.TLS {
            get throws {
                guard let configuration else { return .disable }
                let context = try NIOSSLContext(configuration: configuration)
                return required ? .require(context) : .prefer(context)
            }
        }
    }

    /// The client's TLS settings for this location's `sslmode` and `sslrootcert`.
    func clientTLS() throws(StoreError) -> ClientTLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        let roots = try trustRoots()
        let mode = sslMode == .require && roots != nil ? .verifyCA : sslMode
        switch mode {
        case .disable:
            return ClientTLS(configuration: nil, required: false)
        case .prefer, .require:
            tls.certificateVerification = .none
            return ClientTLS(configuration: tls, required: mode == .require)
        case .verifyCA, .verifyFull:
            guard let roots else {
                throw StoreError.invalidLocation("sslmode=\(sslMode.rawValue) needs sslrootcert (a PEM file, or 'system')")
            }
            tls.trustRoots = roots
            tls.certificateVerification = mode == .verifyFull ? .fullVerification : .noHostnameVerification
            return ClientTLS(configuration: tls, required: true)
        }
    }

    private func trustRoots() throws(StoreError) -> NIOSSLTrustRoots? {
        guard let sslRootCertificate else { return nil }
        if sslRootCertificate == "system" { return .default }
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(sslRootCertificate)
            guard !certificates.isEmpty else {
                throw StoreError.invalidLocation("sslrootcert \(sslRootCertificate) holds no PEM certificate")
            }
            return .certificates(certificates)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.invalidLocation("sslrootcert \(sslRootCertificate) cannot be read as PEM certificates: \(error)")
        }
    }
}
