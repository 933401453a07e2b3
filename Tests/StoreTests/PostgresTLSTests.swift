import Foundation
import Logging
import SQLKit
import Store
import TestSupport
import Testing

/// The test server's URL and the authority that signed its certificate, when the environment names both.
private let testServer: (url: URLComponents, authority: String)? = {
    let environment = ProcessInfo.processInfo.environment
    guard let url = environment["TANDEM_TEST_POSTGRES_URL"].flatMap(URLComponents.init(string:)),
        let authority = environment["TANDEM_TEST_POSTGRES_CA"], !authority.isEmpty
    else { return nil }
    return (url, authority)
}()

/// `sslmode` and `sslrootcert` with libpq's meanings, against a live server whose certificate a test authority
/// signed for "localhost" only (`.ci/run` sets it up and names the authority in `TANDEM_TEST_POSTGRES_CA`).
@Suite("PostgreSQL over TLS", .enabled(if: testServer != nil, "needs TANDEM_TEST_POSTGRES_URL and TANDEM_TEST_POSTGRES_CA"))
struct PostgresTLSTests {
    static var server: (url: URLComponents, authority: String)? { testServer }

    /// The test server's URL with `host` and the given options.
    static func location(host: String = "127.0.0.1", _ options: [String: String]) throws -> DatabaseLocation {
        var url = try #require(server).url
        url.host = host
        url.queryItems = options.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return try DatabaseLocation(parsing: try #require(url.string))
    }

    /// Whether the store's connection is encrypted; the store refuses to open when it cannot connect.
    static func encrypted(_ location: DatabaseLocation) async throws -> Bool {
        try await Store.withStore(location, logger: .test("tls")) { store in
            try await store.read { database in
                try await database.raw("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first()!
                    .decode(column: "ssl", as: Bool.self)
            }
        }
    }

    @Test("sslmode=disable connects in plain text, prefer and require over TLS")
    func unverifiedModes() async throws {
        #expect(try await Self.encrypted(Self.location(["sslmode": "disable"])) == false)
        #expect(try await Self.encrypted(Self.location(["sslmode": "prefer"])) == true)
        #expect(try await Self.encrypted(Self.location(["sslmode": "require"])) == true)
        // No sslmode is libpq's default, prefer.
        #expect(try await Self.encrypted(Self.location([:])) == true)
    }

    @Test("verify-full takes a certificate that names the host; verify-ca one that does not")
    func verifiedModes() async throws {
        let authority = try #require(Self.server).authority
        #expect(try await Self.encrypted(Self.location(host: "localhost", ["sslmode": "verify-full", "sslrootcert": authority])) == true)
        #expect(try await Self.encrypted(Self.location(["sslmode": "verify-ca", "sslrootcert": authority])) == true)
        // require with a root certificate verifies the chain, as libpq does.
        #expect(try await Self.encrypted(Self.location(["sslmode": "require", "sslrootcert": authority])) == true)
    }

    @Test("a certificate that does not name the host, or that no trusted authority signed, fails the connection with the reason",
          arguments: [
              ("127.0.0.1", "verify-full", true),
              ("127.0.0.1", "verify-full", false),
              ("localhost", "verify-full", false),
          ])
    func refusedCertificates(host: String, mode: String, trustTestAuthority: Bool) async throws {
        let roots = trustTestAuthority ? try #require(Self.server).authority : "system"
        let location = try Self.location(host: host, ["sslmode": mode, "sslrootcert": roots])
        let error = await #expect(throws: StoreError.self) { _ = try await Self.encrypted(location) }
        #expect(error?.description.contains("cannot connect to postgres://") == true)
        #expect(error?.description.contains("tandem:***") == true)
    }

    @Test("verify-ca without sslrootcert, or with a file of no certificates, is refused when the store opens")
    func missingRoots() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-empty-\(UUID()).pem")
        try Data("not a certificate\n".utf8).write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        for options in [["sslmode": "verify-ca"], ["sslmode": "verify-full", "sslrootcert": empty.path],
                        ["sslmode": "verify-ca", "sslrootcert": "/nonexistent/root.pem"]] {
            let location = try Self.location(options)
            await #expect(throws: StoreError.self) { _ = try await Store.open(location, logger: .test("tls")) }
        }
    }
}
