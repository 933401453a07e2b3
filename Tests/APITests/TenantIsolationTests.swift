import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import TestSupport
import Testing

@Suite("API tenant isolation")
struct TenantIsolationTests {
    /// A request a customer might aim at another tenant's resource, written once with a placeholder for the
    /// foreign id: `{id}` is replaced by Globex's id, or by an id that exists nowhere.
    struct Probe: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var testDescription: String { "\(method) \(path)" }
    }

    static let accountProbes: [Probe] = [
        Probe(method: .get, path: "/v1/accounts/{id}"),
        Probe(method: .get, path: "/v1/accounts/{id}/keys"),
        Probe(method: .post, path: "/v1/accounts/{id}/keys", body: #"{"name":"x","role":"customer-read"}"#),
        Probe(method: .get, path: "/v1/numbers?account_id={id}"),
        Probe(method: .get, path: "/v1/trunks?account_id={id}"),
        Probe(method: .post, path: "/v1/trunks",
              body: #"{"account_id":"{id}","name":"x","hosts":[{"address":"a.example"}],"source_addresses":["192.0.2.1"]}"#),
        Probe(method: .post, path: "/v1/numbers/order", body: #"{"account_id":"{id}","numbers":["+12025550001"]}"#),
        Probe(method: .post, path: "/v1/numbers/reserve", body: #"{"account_id":"{id}","quantity":1}"#),
    ]

    static let trunkProbes: [Probe] = [
        Probe(method: .get, path: "/v1/trunks/{id}"),
        Probe(method: .patch, path: "/v1/trunks/{id}", body: #"{"max_channels":1}"#),
        Probe(method: .delete, path: "/v1/trunks/{id}"),
    ]

    static let keyProbes: [Probe] = [
        Probe(method: .post, path: "/v1/keys/{id}/rotate"),
        Probe(method: .delete, path: "/v1/keys/{id}"),
    ]

    static let numberProbes: [Probe] = [
        Probe(method: .get, path: "/v1/numbers/{id}"),
        Probe(method: .get, path: "/v1/numbers/{id}/history"),
        Probe(method: .get, path: "/v1/numbers/{id}/failover"),
        Probe(method: .put, path: "/v1/numbers/{id}/failover", body: #"{"targets":[]}"#),
        Probe(method: .get, path: "/v1/numbers/{id}/e911"),
        Probe(method: .put, path: "/v1/numbers/{id}/e911", body: #"{"address_id":"adr_none"}"#),
        Probe(method: .delete, path: "/v1/numbers/{id}/e911"),
    ]

    /// Sends the probe with Globex's id and with a missing one, as Acme; both must answer 404 with the same body.
    private func expectIndistinguishable(_ probe: Probe, foreign: String, missing: String) async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            _ = try await fixture.provisioning.numbers.order(["+12025550150"], accountId: nil, by: fixture.globex)
            func send(_ id: String) async throws -> TestResponse {
                let foreignId = id == "FOREIGN" ? Self.foreignId(foreign, fixture) : id
                return try await client.send(
                    probe.method, probe.path.replacingOccurrences(of: "{id}", with: foreignId), key: fixture.acmeKey,
                    json: probe.body?.replacingOccurrences(of: "{id}", with: foreignId)
                )
            }
            let other = try await send("FOREIGN")
            let absent = try await send(missing)
            #expect(other.status == .notFound, "\(probe.testDescription): \(other.text)")
            #expect(other.status == absent.status)
            #expect(other.text == absent.text.replacingOccurrences(of: missing, with: Self.foreignId(foreign, fixture)))
        }
    }

    private static func foreignId(_ kind: String, _ fixture: Fixture) -> String {
        switch kind {
        case "account": fixture.globex.accountId
        case "trunk": fixture.globexTrunk.id
        case "key": fixture.globex.keyId
        default: "+12025550150"
        }
    }

    @Test("another tenant's account answers exactly like a missing one", arguments: accountProbes)
    func accounts(probe: Probe) async throws {
        try await expectIndistinguishable(probe, foreign: "account", missing: "acc_doesnotexist00")
    }

    @Test("another tenant's trunk answers exactly like a missing one", arguments: trunkProbes)
    func trunks(probe: Probe) async throws {
        try await expectIndistinguishable(probe, foreign: "trunk", missing: "trk_doesnotexist00")
    }

    @Test("another tenant's key answers exactly like a missing one", arguments: keyProbes)
    func keys(probe: Probe) async throws {
        try await expectIndistinguishable(probe, foreign: "key", missing: "key_doesnotexist00")
    }

    @Test("another tenant's number answers exactly like one not in the inventory", arguments: numberProbes)
    func numbers(probe: Probe) async throws {
        try await expectIndistinguishable(probe, foreign: "number", missing: "+13125550000")
    }

    @Test("bulk operations on another tenant's numbers fail per number, as not found")
    func bulk() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            _ = try await fixture.provisioning.numbers.order(["+12025550150"], accountId: nil, by: fixture.globex)
            _ = try await fixture.provisioning.numbers.order(["+12025550151"], accountId: nil, by: fixture.acme)
            for (path, body) in [
                ("/v1/numbers/release", #"{"numbers":["+12025550150"]}"#),
                ("/v1/numbers/unassign", #"{"numbers":["+12025550150"]}"#),
                ("/v1/numbers/assign", #"{"numbers":["+12025550150"],"trunk_id":"\#(fixture.acmeTrunk.id)"}"#),
                ("/v1/numbers/assign", #"{"numbers":["+12025550151"],"trunk_id":"\#(fixture.globexTrunk.id)"}"#),
            ] {
                let response = try await client.send(.post, path, key: fixture.acmeKey, json: body)
                #expect(response.status == .ok)
                let result = (response.object["results"] as? [[String: Any]])?.first
                #expect((result?["error"] as? [String: Any])?["code"] as? String == "not-found", "\(path) \(body)")
            }
            // Nothing changed for Globex.
            let record = try await fixture.provisioning.numbers.number(.init(parsing: "+12025550150"), by: fixture.globex)
            #expect(record.status == .assigned && record.accountId == fixture.globex.accountId)
        }
    }

    @Test("lists show a customer only its own numbers and trunks; the operator sees all")
    func lists() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            _ = try await fixture.provisioning.numbers.order(["+12025550150"], accountId: nil, by: fixture.globex)
            _ = try await fixture.provisioning.numbers.order(["+12025550151"], accountId: nil, by: fixture.acme)
            let acmeNumbers = try await client.send(.get, "/v1/numbers", key: fixture.acmeKey).items
            #expect(acmeNumbers.map { $0["number"] as? String } == ["+12025550151"])
            let acmeTrunks = try await client.send(.get, "/v1/trunks", key: fixture.acmeKey).items
            #expect(acmeTrunks.map { $0["id"] as? String } == [fixture.acmeTrunk.id])
            let all = try await client.send(.get, "/v1/numbers?status=assigned", key: fixture.operatorKey).items
            #expect(all.count == 2)
        }
    }

    @Test("read-only and agent keys cannot write; agents cannot see numbers")
    func roles() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let order = #"{"numbers":["+12025550001"]}"#
            #expect(try await client.send(.post, "/v1/numbers/order", key: fixture.acmeReaderKey, json: order).status == .forbidden)
            #expect(try await client.send(.get, "/v1/numbers", key: fixture.acmeReaderKey).status == .ok)
            #expect(try await client.send(.get, "/v1/numbers", key: fixture.agentKey).status == .forbidden)
            #expect(try await client.send(.get, "/v1/accounts/\(fixture.acme.accountId)", key: fixture.agentKey).status == .ok)
            #expect(try await client.send(.get, "/v1/accounts/\(fixture.globex.accountId)", key: fixture.agentKey).status == .notFound)
            #expect(try await client.send(.post, "/v1/accounts", key: fixture.acmeKey,
                                          json: #"{"name":"x","kind":"customer"}"#).status == .forbidden)
        }
    }
}

@Suite("API input handling")
struct InputHandlingTests {
    static let writes: [(HTTPRequest.Method, String)] = [
        (.post, "/v1/accounts"), (.post, "/v1/numbers/order"), (.post, "/v1/numbers/reserve"),
        (.post, "/v1/numbers/release"), (.post, "/v1/numbers/assign"), (.post, "/v1/numbers/unassign"),
        (.post, "/v1/trunks"), (.post, "/v1/inventory/numbers"),
    ]

    @Test("malformed JSON is a 400 problem on every write route, and changes nothing")
    func malformed() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            for (method, path) in Self.writes {
                for body in ["{", "[1,2", "\u{0}", "{\"numbers\": [\"+12025550001\"", "null garbage"] {
                    let response = try await client.send(method, path, key: fixture.operatorKey, json: body)
                    #expect(response.status == .badRequest, "\(path) \(body)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.object["type"] as? String == "urn:tandem:problem:malformed-body", "\(path): \(response.text)")
                }
            }
            #expect(try await fixture.provisioning.numbers.numbers(
                accountId: nil, status: .assigned, trunkId: nil, page: .init(), by: fixture.operatorPrincipal).data.isEmpty)
        }
    }

    @Test("wrongly typed and missing fields are named", arguments: [
        ("/v1/numbers/release", #"{"numbers": 5}"#, "numbers"),
        ("/v1/numbers/release", #"{"numbers": ["+12025550001", 7]}"#, "numbers[1]"),
        ("/v1/numbers/assign", #"{"numbers": []}"#, "trunk_id"),
        ("/v1/trunks", #"{"name": "x", "hosts": [{"port": 5060}], "source_addresses": []}"#, "hosts[0].address"),
        ("/v1/trunks", #"{"name": "x", "hosts": [{"address": "a.example", "transport": "sctp"}]}"#, "hosts[0].transport"),
        ("/v1/trunks", #"{"name": "x", "hosts": [{"address": "a.example", "port": 99999}], "source_addresses": ["192.0.2.1"]}"#,
         "hosts[0].port"),
        ("/v1/numbers/order", #"{"quantity": 0}"#, "quantity"),
        ("/v1/numbers/order", #"{"quantity": 1, "search": {"npa": "1234"}}"#, "npa"),
        ("/v1/numbers/order", #"{}"#, "numbers"),
    ])
    func badFields(path: String, body: String, field: String) async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let response = try await client.send(.post, path, key: fixture.acmeKey, json: body)
            #expect(response.status == .badRequest)
            #expect(response.object["field"] as? String == field, "\(response.text)")
            #expect(response.object["status"] as? Int == 400)
        }
    }

    @Test("bad query parameters are named", arguments: [
        ("/v1/numbers/available?limit=0", "limit"), ("/v1/numbers/available?limit=abc", "limit"),
        ("/v1/numbers/available?npanxx=12", "npanxx"), ("/v1/numbers?status=sold", "status"),
        ("/v1/numbers/available?cursor=zzz", "cursor"), ("/v1/numbers/911", "number"),
    ])
    func badQueries(uri: String, field: String) async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let response = try await client.send(.get, uri, key: fixture.acmeKey)
            #expect(response.status == .badRequest)
            #expect(response.object["field"] as? String == field, "\(response.text)")
        }
    }

    @Test("dates are accepted with and without fractional seconds; other spellings are named")
    func dates() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let path = "/v1/accounts/\(fixture.acme.accountId)/keys"
            for date in ["2031-01-31T12:00:00Z", "2031-01-31T12:00:00.250Z"] {
                let response = try await client.send(.post, path, key: fixture.acmeKey,
                                                     json: #"{"name":"ci","role":"customer-read","expires_at":"\#(date)"}"#)
                #expect(response.status == .created, "\(date): \(response.text)")
            }
            let bad = try await client.send(.post, path, key: fixture.acmeKey,
                                            json: #"{"name":"ci","role":"customer-read","expires_at":"31/01/2031"}"#)
            #expect(bad.status == .badRequest && bad.object["field"] as? String == "expires_at")
        }
    }

    @Test("errors never leak SQL or internals")
    func noLeaks() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/v1/trunks/'%20OR%201=1--", nil as String?),
                (.get, "/v1/accounts/%27;DROP%20TABLE%20accounts", nil),
                (.post, "/v1/numbers/order", #"{"numbers":["'; DROP TABLE numbers; --"]}"#),
            ] {
                let response = try await client.send(method, uri, key: fixture.acmeKey, json: body)
                #expect(![.internalServerError].contains(response.status))
                #expect(!response.text.lowercased().contains("sql"))
            }
            #expect(try await fixture.provisioning.reference.count() == Fixture.exchanges.count)
        }
    }

    @Test("the operator stocks numbers from JSON ranges and from a text file")
    func stock() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let json = try await client.send(.post, "/v1/inventory/numbers", key: fixture.operatorKey,
                                             json: #"{"ranges":[{"from":"+12025550200","to":"+12025550299"}],"numbers":["2025550300"]}"#)
            #expect(json.object["added"] as? Int == 101)
            let text = try await client.send(.post, "/v1/inventory/numbers", key: fixture.operatorKey,
                                             json: "number\n202-555-0400\n# a comment\n2025550500..2025550509\n2025550400\n",
                                             contentType: "text/plain")
            #expect(text.object["added"] as? Int == 11, "\(text.text)")
            #expect(text.object["failed"] as? Int == 1)
            let backwards = try await client.send(.post, "/v1/inventory/numbers", key: fixture.operatorKey,
                                                  json: #"{"ranges":[{"from":"+12025550299","to":"+12025550200"}]}"#)
            #expect(backwards.status == .badRequest && backwards.object["field"] as? String == "ranges[0]")
            let customer = try await client.send(.post, "/v1/inventory/numbers", key: fixture.acmeKey, json: #"{"numbers":["2025550600"]}"#)
            #expect(customer.status == .forbidden)
        }
    }
}

@Suite("Route explanations over the API")
struct RouteExplainAPITests {
    @Test("a customer explains calls from its own trunk; another tenant's trunk is 404")
    func explain() async throws {
        try await withAPI(.sqlite) { fixture, client async throws in
            let emergency = try await client.send(
                .get, "/v1/routes/explain?trunk_id=\(fixture.acmeTrunk.id)&to=911", key: fixture.acmeKey
            )
            #expect(emergency.status == .ok)
            #expect(emergency.object["status"] as? Int == 302)
            #expect((emergency.object["contacts"] as? [[String: Any]])?.first?["label"] as? String == "emergency")
            #expect((emergency.object["steps"] as? [String])?.isEmpty == false)
            let outbound = try await client.send(
                .get, "/v1/routes/explain?trunk_id=\(fixture.acmeTrunk.id)&to=%2B13125550100&from=%2B12025550001",
                key: fixture.acmeKey
            )
            #expect(outbound.object["outcome"] as? String == "refuse", "\(outbound.text)")
            let foreign = try await client.send(
                .get, "/v1/routes/explain?trunk_id=\(fixture.globexTrunk.id)&to=911", key: fixture.acmeKey
            )
            #expect(foreign.status == .notFound)
            let missing = try await client.send(.get, "/v1/routes/explain?to=911", key: fixture.acmeKey)
            #expect(missing.status == .badRequest && missing.object["field"] as? String == "trunk_id")
        }
    }
}
