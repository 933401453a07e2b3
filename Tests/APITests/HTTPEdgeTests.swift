import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Routing
import TestSupport
import Testing

@Suite("The HTTP edge: rates per key, body limits, and what is told without a key")
struct HTTPEdgeTests {
    @Test("a key past its role's rate gets 429 with Retry-After; other keys and the operator are not held by it")
    func perKeyRate() async throws {
        var limits = HTTPLimits()
        // A token every 50 s: however slowly the machine runs the test, no bucket refills within it.
        limits.customerKeyRate = .init(perSecond: 0.02, burst: 3)
        limits.operatorKeyRate = .init(perSecond: 0.02, burst: 5)
        try await withAPI(.sqlite, limits: limits) { fixture, client in
            for _ in 0..<3 { #expect(try await client.send(.get, "/v1/me", key: fixture.acmeKey).status == .ok) }
            let refused = try await client.send(.get, "/v1/me", key: fixture.acmeKey)
            #expect(refused.status == .tooManyRequests, "\(refused.text)")
            #expect(refused.problemType == "urn:tandem:problem:rate-limited")
            let retryAfter = try #require(refused.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...50).contains(retryAfter), "the next token is at most 50 s away: \(retryAfter)")
            // Another key of another account, and the operator, have buckets of their own.
            #expect(try await client.send(.get, "/v1/me", key: fixture.globexKey).status == .ok)
            for _ in 0..<5 { #expect(try await client.send(.get, "/v1/me", key: fixture.operatorKey).status == .ok) }
            #expect(try await client.send(.get, "/v1/me", key: fixture.operatorKey).status == .tooManyRequests)
            // A bad key is refused 401 before it is counted: it cannot drain a real key's bucket.
            #expect(try await client.send(.get, "/v1/me", key: "tdm_notakey").status == .unauthorized)
        }
    }

    @Test("a source whose keys keep failing is refused 429 before its keys are looked up, valid ones too; others are not")
    func failedAuthenticationsPerSource() async throws {
        var limits = HTTPLimits.forTests
        // A token every 50 s: however slowly the machine runs the test, the source's bucket does not refill within it.
        limits.failedAuthenticationRate = .init(perSecond: 0.02, burst: 3)
        try await withLiveAPI(APIConfiguration(limits: limits)) { port, fixture in
            func get(_ path: String, key: String?) async throws -> String {
                let authorization = key.map { "Authorization: Bearer \($0)\r\n" } ?? ""
                return try await SlowClientTests.exchange(
                    port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Connection: close\r\n\r\n"
                )
            }
            #expect(try await get("/v1/me", key: fixture.operatorKey).hasPrefix("HTTP/1.1 200"), "a good key is not counted")
            let guessed = "tdm_" + String(repeating: "a", count: 48)
            for key in [guessed, nil, "tdm_short"] {
                #expect(try await get("/v1/me", key: key).hasPrefix("HTTP/1.1 401"))
            }
            let refused = try await get("/v1/me", key: guessed)
            #expect(refused.hasPrefix("HTTP/1.1 429"), "\(refused)")
            #expect(refused.contains("urn:tandem:problem:rate-limited"))
            let retryAfter = refused.split(separator: "\r\n").first { $0.lowercased().hasPrefix("retry-after:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
            #expect(retryAfter.map { (1...50).contains($0) } == true, "\(refused)")
            #expect(try await get("/v1/me", key: fixture.operatorKey).hasPrefix("HTTP/1.1 429"),
                    "the source waits, whatever key it sends next: a good one is not looked up either")
            #expect(try await get("/health", key: nil).hasPrefix("HTTP/1.1 200"), "paths outside /v1 need no key and are not held")
        }
    }

    @Test("a JSON body past the JSON limit is refused 413 before it is read; a stock upload may be larger")
    func bodyLimits() async throws {
        var limits = HTTPLimits.forTests
        limits.jsonBodyBytes = 1_024
        limits.uploadBodyBytes = 64 * 1_024
        try await withAPI(.sqlite, limits: limits) { fixture, client in
            let padding = String(repeating: " ", count: 2_000)
            let tooLarge = try await client.send(.post, "/v1/accounts", key: fixture.operatorKey,
                                                 json: #"{"name":"Big","kind":"customer"\#(padding)}"#)
            #expect(tooLarge.status == .contentTooLarge, "\(tooLarge.text)")
            #expect(tooLarge.object["detail"] as? String == "the body must be at most 1024 bytes")
            let small = try await client.send(.post, "/v1/accounts", key: fixture.operatorKey, json: #"{"name":"Small","kind":"customer"}"#)
            #expect(small.status == .created, "\(small.text)")

            // 2,000 lines of comments and one number: past JSON's limit, within the upload's.
            let file = String(repeating: "# stock\n", count: 2_000) + "+12025550999\n"
            let upload = try await client.send(.post, "/v1/inventory/numbers", key: fixture.operatorKey, json: file,
                                               contentType: "text/plain")
            #expect(upload.status != .contentTooLarge, "\(upload.text)")
            #expect(upload.status.code / 100 == 2, "\(upload.text)")
        }
    }

    @Test("without a key, a path under /v1 that does not exist, or a method it does not take, answers 401 like any other")
    func unknownPathsNeedAKey() async throws {
        try await withAPI(.sqlite) { fixture, client in
            for (method, path) in [(HTTPRequest.Method.get, "/v1/no-such-thing"), (.get, "/v1"), (.delete, "/v1/me"),
                                   (.put, "/v1/trunks"), (.get, "/v1/trunks/trk_x/nothing"), (.get, "//v1/no-such-thing"),
                                   (.get, "//v1/me")] {
                let anonymous = try await client.send(method, path, key: nil)
                #expect(anonymous.status == .unauthorized, "\(method) \(path): \(anonymous.status)")
                #expect(anonymous.headers[.allow] == nil)
            }
            // With a key, the same requests learn what is there.
            #expect(try await client.send(.get, "/v1/no-such-thing", key: fixture.acmeKey).status == .notFound)
            let wrongMethod = try await client.send(.delete, "/v1/me", key: fixture.acmeKey)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "GET")
            // Paths outside /v1 are open as before.
            #expect(try await client.send(.get, "/health", key: nil).status == .ok)
            #expect(try await client.send(.get, "/no-such-thing", key: nil).status == .notFound)
        }
    }

    @Test("with a metrics token, /metrics asks for it; without one it is open")
    func metricsToken() async throws {
        try await TestDatabase.sqlite.withFixture { _, fixture in
            let token = "prometheus-scrape-token-0123456789"
            let guarded = Application(router: buildRouter(fixture.apiDependencies(routing: RoutingTable()), metricsToken: token))
            try await guarded.test(.router) { client in
                #expect(try await client.send(.get, "/metrics", key: nil).status == .unauthorized)
                #expect(try await client.send(.get, "/metrics", key: "prometheus-scrape-token-012345678X").status == .unauthorized)
                #expect(try await client.send(.get, "/metrics", key: fixture.operatorKey).status == .unauthorized)
                let scraped = try await client.send(.get, "/metrics", key: token)
                #expect(scraped.status == .ok && scraped.text.contains("tandem_routing_snapshot_version"))
                #expect(try await client.send(.get, "/health", key: nil).status == .ok)
            }
            let open = Application(router: buildRouter(fixture.apiDependencies(routing: RoutingTable())))
            try await open.test(.router) { client in
                let scraped = try await client.send(.get, "/metrics", key: nil)
                #expect(scraped.status == .ok)
            }
        }
    }
}
