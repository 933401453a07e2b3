import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Telephony
import Testing

@testable import Identity

/// The x5u fetch against a real HTTP server on loopback: cache headers, sizes, timeouts, redirects, refusals.
/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Fetching certificates over HTTP", .timeLimit(.minutes(3)))
struct HTTPDocumentSourceTests {
    /// A certificate server with good and bad answers, and its base URL, for the duration of `body`.
    static func withServer(_ pki: TestPKI, _ body: @Sendable (String) async throws -> Void) async throws {
        let chain = try pki.chainPEM()
        let crl = try pki.authority.revocationList(revoking: [], now: Date() - 60)
        let router = Router()
        router.get("sp.pem") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-pem-file", .cacheControl: "public, max-age=600"],
                     body: .init(byteBuffer: ByteBuffer(bytes: chain)))
        }
        router.get("sti.crl") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: crl))) }
        router.get("garbage") { _, _ in "this is not a certificate" }
        router.get("big") { _, _ in String(repeating: "A", count: 100_000) }
        router.get("slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(15))
            return "late"
        }
        router.get("trickle") { _, _ in
            // The head at once, then the body a byte at a time, too slowly to ever finish in time.
            Response(status: .ok, body: ResponseBody { writer in
                for byte in "-----BEGIN CERTIFICATE-----".utf8 {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: .seconds(1))
                }
                try await writer.finish(nil)
            })
        }
        router.get("broken") { _, _ -> Response in Response(status: .internalServerError) }
        router.get("missing") { _, _ -> Response in Response(status: .notFound) }
        router.get("to-private") { _, _ in
            Response(status: .found, headers: [.location: "http://10.1.2.3/sp.pem"])
        }
        router.get("to-chain") { _, _ in Response(status: .found, headers: [.location: "/sp.pem"]) }
        router.get("loop") { _, _ in Response(status: .found, headers: [.location: "/loop"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }

    static let loopback = [try! CIDRBlock(parsing: "127.0.0.1/32")]
    /// Long enough for a loopback answer on a loaded machine, well short of the slow handler's 15 s.
    static let timeout = TimeAmount.milliseconds(10_000)
    /// For fetches whose server answers at once, where a timeout is never the answer being tested: long enough to
    /// outlast a test machine that stalls every task for a minute while the rest of the suite runs. The clients'
    /// connect and read timeouts get it too; the fetch's own timeout is what cuts the slow servers.
    static let patient = TimeAmount.seconds(90)

    /// The fetch timeout for a path: short only where the server is slow on purpose.
    static func timeout(for path: String) -> TimeAmount {
        ["/slow", "/trickle"].contains(path) ? timeout : patient
    }

    static func withSource(_ configuration: FetchConfiguration, _ body: (HTTPDocumentSource) async throws -> Void) async throws {
        let client = HTTPDocumentSource.makeClient(connectTimeout: patient, readTimeout: patient)
        do {
            try await body(HTTPDocumentSource(client: client, configuration: configuration, clock: .system))
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test("a chain is fetched with its cache lifetime; redirects are followed, each hop checked")
    func fetches() async throws {
        let pki = try TestPKI()
        try await Self.withServer(pki) { base in
            try await Self.withSource(FetchConfiguration(timeout: Self.patient, allowedPrivateNetworks: Self.loopback)) { source in
                let document = try await source.fetch("\(base)/sp.pem")
                #expect(document.maxAge == 600)
                #expect(try IdentityVerifier.certificates(document.bytes, from: "x").count == 2)
                #expect(try await source.fetch("\(base)/to-chain").bytes == document.bytes)
            }
        }
    }

    @Test("a name is fetched by its checked address: one that rebinds to loopback after the check is not reached")
    func rebindingCannotReachLoopback() async throws {
        let pki = try TestPKI()
        try await Self.withServer(pki) { base in
            // Fetched by a name the system resolves to loopback, where the server is...
            let named = base.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/sp.pem"
            // ...while the check's resolver answers a public address, as a rebinding name's first answer would.
            var configuration = FetchConfiguration(timeout: .seconds(3))
            configuration.resolve = { _ in [IPAddress("93.184.216.34")!] }
            try await Self.withSource(configuration) { source in
                await #expect { try await source.fetch(named) } throws: { error in
                    guard let failure = error as? VerificationFailure else { return false }
                    return failure.code == "x5u-unavailable"
                }
            }
            // The same name, resolved honestly, is refused before any connection...
            try await Self.withSource(FetchConfiguration(timeout: .seconds(3))) { source in
                await #expect { try await source.fetch(named) } throws: { ($0 as? VerificationFailure)?.code == "x5u-refused" }
            }
            // ...and, where loopback is allowed, fetched through the pinned address with its cache lifetime.
            var allowed = FetchConfiguration(timeout: Self.patient, allowedPrivateNetworks: Self.loopback)
            allowed.resolve = { _ in [IPAddress("127.0.0.1")!] }
            try await Self.withSource(allowed) { source in
                let document = try await source.fetch(named)
                #expect(document.maxAge == 600)
                #expect(try IdentityVerifier.certificates(document.bytes, from: named).count == 2)
                let big = base.replacingOccurrences(of: "127.0.0.1", with: "localhost") + "/big"
                await #expect { try await source.fetch(big) } throws: { ($0 as? VerificationFailure)?.code == "certificate-invalid" }
            }
        }
    }

    @Test("bad answers are refused with the right failure", arguments: [
        ("/garbage", "verify:certificate-invalid"),
        ("/big", "certificate-invalid"),
        ("/slow", "x5u-unavailable"),
        ("/trickle", "x5u-unavailable"),
        ("/broken", "x5u-unavailable"),
        ("/missing", "certificate-invalid"),
        ("/to-private", "x5u-refused"),
        ("/loop", "x5u-refused"),
    ])
    func badAnswers(path: String, expected: String) async throws {
        let pki = try TestPKI()
        try await Self.withServer(pki) { base in
            let configuration = FetchConfiguration(timeout: Self.timeout(for: path), allowedPrivateNetworks: Self.loopback)
            try await Self.withSource(configuration) { source in
                if expected.hasPrefix("verify:") {
                    let document = try await source.fetch(base + path)
                    #expect(throws: VerificationFailure.self) { try IdentityVerifier.certificates(document.bytes, from: path) }
                    return
                }
                let started = ContinuousClock.now
                do {
                    _ = try await source.fetch(base + path)
                    Issue.record("\(path) was fetched")
                } catch {
                    #expect((error as? VerificationFailure)?.code == expected, "\(error)")
                }
                // The whole fetch is bounded by its 10 s timeout, however slowly the server answers (the trickle
                // would take 27 s).
                if Self.timeout(for: path) == Self.timeout { #expect(ContinuousClock.now - started < .seconds(15)) }
            }
        }
    }

    @Test("URLs a verifier must not fetch are refused before any connection", arguments: [
        "ftp://cert.example.net/sp.pem", "file:///etc/passwd", "https://user:secret@cert.example.net/sp.pem",
        "http://127.0.0.1/sp.pem", "http://[::1]/sp.pem", "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/sp.pem", "http://[::ffff:192.168.1.1]/sp.pem", "http://localhost/sp.pem", "not a url",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data", "http://[2002:a9fe:a9fe::1]/sp.pem", "http://[fe80::1]/sp.pem",
    ])
    func refusals(url: String) async throws {
        try await Self.withSource(FetchConfiguration()) { source in
            do {
                _ = try await source.fetch(url)
                Issue.record("\(url) was fetched")
            } catch {
                #expect((error as? VerificationFailure)?.code == "x5u-refused", "\(error)")
            }
        }
    }

    @Test("a call verifies end to end against the live certificate server")
    func endToEnd() async throws {
        let pki = try TestPKI(revocationListURL: nil)
        try await Self.withServer(pki) { base in
            try await Self.withSource(FetchConfiguration(timeout: Self.patient, allowedPrivateNetworks: Self.loopback)) { source in
                let signer = PASSporTSigner(key: pki.key, certificateURL: "\(base)/sp.pem")
                let verifier = IdentityVerifier(
                    configuration: .init(trustAnchors: [pki.authority.certificate], timeBudget: .seconds(100)), source: source
                )
                let now = Date()
                let header = try signer.identityHeader(for: TestPKI.claims(at: Int64(now.timeIntervalSince1970)))
                let result = await verifier.verify(header, caller: "+12025550143", called: "+13125550100", at: now)
                #expect(result.verstat == .passed, "\(String(describing: result.failure))")
            }
        }
    }

    @Test("a call whose x5u times out, redirects to a private address or serves garbage gets the right verstat", arguments: [
        ("/slow", Verstat.noValidation, "x5u-unavailable"),
        ("/trickle", .noValidation, "x5u-unavailable"),
        ("/broken", .noValidation, "x5u-unavailable"),
        ("/to-private", .failed, "x5u-refused"),
        ("/garbage", .failed, "certificate-invalid"),
        ("/big", .failed, "certificate-invalid"),
    ])
    func verdictsOverHTTP(path: String, verstat: Verstat, reason: String) async throws {
        let pki = try TestPKI(revocationListURL: nil)
        try await Self.withServer(pki) { base in
            let configuration = FetchConfiguration(timeout: Self.timeout(for: path), allowedPrivateNetworks: Self.loopback)
            try await Self.withSource(configuration) { source in
                let signer = PASSporTSigner(key: pki.key, certificateURL: base + path)
                let verifier = IdentityVerifier(
                    configuration: .init(trustAnchors: [pki.authority.certificate], timeBudget: .seconds(100)), source: source
                )
                let now = Date()
                let result = await verifier.verify(try signer.identityHeader(for: TestPKI.claims(at: Int64(now.timeIntervalSince1970))),
                                                   caller: "+12025550143", called: "+13125550100", at: now)
                #expect(result.verstat == verstat)
                #expect(result.failure?.code == reason, "\(String(describing: result.failure))")
            }
        }
    }

    @Test("the CNAM provider adapter: plain text, JSON, no name, credentials, and a budget it cannot outlast")
    func callerNameProvider() async throws {
        let router = Router()
        router.get("cnam") { request, _ -> Response in
            guard request.headers[.authorization] == "Bearer secret" else { return Response(status: .unauthorized) }
            switch request.uri.queryParameters.get("tn") {
            case "12025550143": return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "  ACME   DENTAL \n")))
            case "13125550100":
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"name":"Windy City Pizza","type":"business"}"#)))
            case "14155550123":
                try await Task.sleep(for: .seconds(15))
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "TOO LATE")))
            case "16175550100": return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "Zoë's Café")))
            default: return Response(status: .notFound)
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let http = HTTPDocumentSource.makeClient(connectTimeout: Self.patient, readTimeout: Self.patient)
            let template = "http://127.0.0.1:\(client.port!)/cnam?tn={tn}"
            // Where the answer is at once, the timeout and budget outlast a machine that stalls every task for a
            // minute while the suite starts; only the budget test below is short, and only the budget can cut it.
            let loopbackAllowed = FetchConfiguration(maximumSize: 4_096, allowedPrivateNetworks: Self.loopback)
            let provider = HTTPCallerNameProvider(
                template: template, authorization: "Bearer secret", client: http, timeout: .seconds(90), fetch: loopbackAllowed
            )
            // The connection is opened outside the budget (on a loaded machine that alone can take seconds).
            // (Nothing here may throw before the client is shut down: a client dropped unshut stops the test process.)
            _ = try? await provider.name(for: "19995550100")
            let lookup = CallerNameLookup(provider: provider, budget: .seconds(90))
            #expect(await lookup.name(for: "12025550143")?.text == "ACME DENTAL")
            #expect(await lookup.name(for: "13125550100")?.text == "Windy City Pizz", "cut to CNAM's 15 characters")
            #expect(await lookup.name(for: "19995550100") == nil)
            #expect(await lookup.name(for: "16175550100") == nil, "a name CNAM cannot carry is no name")
            #expect(lookup.cached("12025550143") == .some(try CallerName(normalizing: "ACME DENTAL")))
            // A budget of 10 s against an answer that takes 15 s.
            let hurried = CallerNameLookup(provider: provider, budget: .seconds(10))
            #expect(await hurried.name(for: "14155550123") == nil, "past the budget the call goes without a name")
            let unauthorized = HTTPCallerNameProvider(template: template, client: http, fetch: loopbackAllowed)
            await #expect(throws: (any Error).self) { try await unauthorized.name(for: "12025550143") }
            // A provider on loopback is refused unless allowed, before any connection.
            let unallowed = HTTPCallerNameProvider(template: template, authorization: "Bearer secret", client: http)
            await #expect { try await unallowed.name(for: "12025550143") } throws: { ($0 as? VerificationFailure)?.code == "x5u-refused" }
            // A name the check sees public and the system resolves to loopback (rebinding) is connected to at the
            // checked address, never at loopback: no name comes back.
            var rebinding = FetchConfiguration(maximumSize: 4_096)
            rebinding.resolve = { _ in [IPAddress("93.184.216.34")!] }
            let rebound = HTTPCallerNameProvider(
                template: template.replacingOccurrences(of: "127.0.0.1", with: "localhost"), authorization: "Bearer secret",
                client: http, timeout: .seconds(2), fetch: rebinding
            )
            #expect((try? await rebound.name(for: "12025550143")) == nil)
            try await http.shutdown()
        }
    }

    @Test("Cache-Control and Expires give the cache lifetime; Expires counts from the response's Date, or its arrival")
    func cacheLifetime() {
        let received = Date(timeIntervalSince1970: 1_796_634_000)  // Mon, 07 Dec 2026 09:00:00 GMT
        #expect(HTTPDocumentSource.maxAge(["Cache-Control": "public, max-age=86400"], receivedAt: received) == 86_400)
        #expect(HTTPDocumentSource.maxAge(["Cache-Control": "no-store"], receivedAt: received) == 0)
        #expect(HTTPDocumentSource.maxAge(["Expires": "Thu, 01 Jan 1970 00:00:00 GMT"], receivedAt: received) == 0)
        #expect(HTTPDocumentSource.maxAge(["Expires": "garbage"], receivedAt: received) == 0)
        #expect(HTTPDocumentSource.maxAge([:], receivedAt: received) == nil)
        #expect(HTTPDocumentSource.maxAge(["Expires": "Mon, 07 Dec 2026 10:00:00 GMT"], receivedAt: received) == 3_600)
        // A server whose clock is ahead of ours: the lifetime is what it meant, not what our clock makes of it.
        #expect(HTTPDocumentSource.maxAge(
            ["Date": "Mon, 07 Dec 2026 09:30:00 GMT", "Expires": "Mon, 07 Dec 2026 10:00:00 GMT"], receivedAt: received
        ) == 1_800)
    }
}
