import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import TestSupport
import Testing

@Suite("API tenant isolation")
struct TenantIsolationTests {
    /// Which of Globex's resources a probe names.
    enum Target: String, Sendable {
        case account, key, trunk, number, webhook, portOrder, portOut, address, block

        /// An id of the same kind that exists nowhere.
        var missing: String {
            switch self {
            case .account: "acc_doesnotexist00"
            case .key: "key_doesnotexist00"
            case .trunk: "trk_doesnotexist00"
            case .number: "+13125550000"
            case .webhook: "whk_doesnotexist00"
            case .portOrder: "po_doesnotexist00"
            case .portOut: "pout_doesnotexist00"
            case .address: "adr_doesnotexist00"
            case .block: "blk_doesnotexist00"
            }
        }

        /// Globex's id of this kind.
        func foreign(in globex: ForeignResources) -> String {
            switch self {
            case .account: globex.fixture.globex.accountId
            case .key: globex.fixture.globex.keyId
            case .trunk: globex.fixture.globexTrunk.id
            case .number: ForeignResources.number
            case .webhook: globex.webhookId
            case .portOrder: globex.portOrderId
            case .portOut: globex.portOutId
            case .address: globex.addressId
            case .block: globex.blockId
            }
        }
    }

    /// A request a customer might aim at another tenant's resource, written once with `{id}` where Globex's id,
    /// or one that exists nowhere, goes. `status` is what Acme's admin gets for both: 404 where the request names
    /// the resource, and otherwise what the missing id gets (a role refusal, an empty filter, a per-number result,
    /// a refused reference in a body).
    struct Probe: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var target: Target
        var status: HTTPResponse.Status

        init(_ method: HTTPRequest.Method, _ path: String, _ body: String, _ target: Target,
             status: HTTPResponse.Status = .notFound) {
            (self.method, self.path, self.body, self.target, self.status) = (method, path, body, target, status)
        }

        init(_ method: HTTPRequest.Method, _ path: String, _ target: Target, status: HTTPResponse.Status = .notFound) {
            (self.method, self.path, self.body, self.target, self.status) = (method, path, nil, target, status)
        }

        var testDescription: String {
            let body = body.map { " " + $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") } ?? ""
            return "\(method) \(path)\(body)"
        }
    }

    private static let portOrderBody = """
        {"numbers":["+12025551001"],"trunk_id":"TRUNK","e911_address_id":"ADDRESS",ACCOUNT
         "account":{"business_name":"Acme Dental Group","service_address":"1600 Main St","zip":"20001",
                    "account_number":"CB-7781","pin":"1234"},
         "loa":{"signer":"Pat Doe","title":"Owner","signed_on":"\(TestDates.today)","document_name":"loa.pdf",
                "document":"JVBERi0="}}
        """

    /// A port-in order of Acme's naming `{id}` as its account, trunk or E911 address (the others Acme's own).
    private static func portOrder(
        account: String = "", trunk: String = "ACME_TRUNK", address: String = "ACME_ADDRESS"
    ) -> String {
        portOrderBody.replacingOccurrences(of: "ACCOUNT", with: account.isEmpty ? "" : #""account_id":"\#(account)","#)
            .replacingOccurrences(of: "TRUNK", with: trunk).replacingOccurrences(of: "ADDRESS", with: address)
    }

    static let probes: [Probe] = [
        // Accounts, by path and by account_id in queries and bodies.
        Probe(.get, "/v1/accounts/{id}", .account),
        Probe(.patch, "/v1/accounts/{id}", #"{"name":"Hijacked"}"#, .account, status: .forbidden),
        Probe(.get, "/v1/accounts/{id}/keys", .account),
        Probe(.post, "/v1/accounts/{id}/keys", #"{"name":"x","role":"customer-admin"}"#, .account),
        Probe(.get, "/v1/accounts/{id}/port-out-protection", .account),
        Probe(.put, "/v1/accounts/{id}/port-out-protection", #"{"pin":"1111","zip":"20001"}"#, .account),
        Probe(.get, "/v1/numbers?account_id={id}", .account),
        Probe(.get, "/v1/trunks?account_id={id}", .account),
        Probe(.get, "/v1/webhooks?account_id={id}", .account),
        Probe(.get, "/v1/blocked-destinations?account_id={id}", .account),
        Probe(.get, "/v1/e911/addresses?account_id={id}", .account),
        Probe(.get, "/v1/e911/unbound?account_id={id}", .account),
        Probe(.post, "/v1/trunks",
              #"{"account_id":"{id}","name":"x","hosts":[{"address":"a.example"}],"source_addresses":["192.0.2.1"]}"#, .account),
        Probe(.post, "/v1/numbers/order", #"{"account_id":"{id}","numbers":["+12025550001"]}"#, .account),
        Probe(.post, "/v1/numbers/reserve", #"{"account_id":"{id}","quantity":1}"#, .account),
        Probe(.post, "/v1/webhooks", #"{"account_id":"{id}","url":"https://hooks.example.com/x"}"#, .account),
        Probe(.post, "/v1/blocked-destinations", #"{"account_id":"{id}","prefix":"+1900"}"#, .account),
        Probe(.post, "/v1/e911/addresses",
              #"{"account_id":"{id}","street":"1600 Main St","city":"Washington","state":"DC","zip":"20001"}"#, .account),
        Probe(.post, "/v1/port-orders", portOrder(account: "{id}"), .account),
        // Keys.
        Probe(.post, "/v1/keys/{id}/rotate", .key),
        Probe(.post, "/v1/keys/{id}/rotate", #"{"grace_seconds":0}"#, .key),
        Probe(.delete, "/v1/keys/{id}", .key),
        // Trunks, by path, as a filter and as a reference in bodies.
        Probe(.get, "/v1/trunks/{id}", .trunk),
        Probe(.patch, "/v1/trunks/{id}", #"{"max_channels":1}"#, .trunk),
        Probe(.delete, "/v1/trunks/{id}", .trunk),
        Probe(.get, "/v1/routes/explain?trunk_id={id}&to=911", .trunk),
        Probe(.get, "/v1/routes/explain?trunk_id={id}&to=%2B13125550100&from=%2B12025550150", .trunk),
        Probe(.get, "/v1/routing-records?trunk_id={id}", .trunk, status: .ok),
        Probe(.get, "/v1/numbers?trunk_id={id}", .trunk, status: .ok),
        Probe(.post, "/v1/numbers/assign", #"{"numbers":["\#(ForeignResources.acmeNumber)"],"trunk_id":"{id}"}"#, .trunk,
              status: .ok),
        Probe(.put, "/v1/numbers/\(ForeignResources.acmeNumber)/failover", #"{"targets":[{"trunk_id":"{id}"}]}"#, .trunk,
              status: .badRequest),
        Probe(.post, "/v1/port-orders", portOrder(trunk: "{id}"), .trunk),
        // Numbers, by path and in bulk bodies.
        Probe(.get, "/v1/numbers/{id}", .number),
        Probe(.get, "/v1/numbers/{id}/history", .number),
        Probe(.get, "/v1/numbers/{id}/failover", .number),
        Probe(.put, "/v1/numbers/{id}/failover", #"{"targets":[]}"#, .number),
        Probe(.put, "/v1/numbers/{id}/failover", #"{"targets":[{"number":"+13015550199"}]}"#, .number),
        Probe(.get, "/v1/numbers/{id}/cnam", .number),
        Probe(.put, "/v1/numbers/{id}/cnam", #"{"name":"Hijacked"}"#, .number),
        Probe(.delete, "/v1/numbers/{id}/cnam", .number),
        Probe(.get, "/v1/numbers/{id}/e911", .number),
        Probe(.put, "/v1/numbers/{id}/e911", #"{"address_id":"ACME_ADDRESS"}"#, .number),
        Probe(.delete, "/v1/numbers/{id}/e911", .number),
        Probe(.post, "/v1/numbers/release", #"{"numbers":["{id}"]}"#, .number, status: .ok),
        Probe(.post, "/v1/numbers/unassign", #"{"numbers":["{id}"]}"#, .number, status: .ok),
        Probe(.post, "/v1/numbers/assign", #"{"numbers":["{id}"],"trunk_id":"ACME_TRUNK"}"#, .number, status: .ok),
        // Per-number results: another tenant's number and one Tandem does not have are both "not available".
        Probe(.post, "/v1/numbers/order", #"{"numbers":["{id}"]}"#, .number, status: .ok),
        Probe(.post, "/v1/numbers/reserve", #"{"numbers":["{id}"]}"#, .number, status: .ok),
        // Webhook endpoints.
        Probe(.get, "/v1/webhooks/{id}", .webhook),
        Probe(.get, "/v1/webhooks/{id}/deliveries", .webhook),
        Probe(.post, "/v1/webhooks/{id}/rotate-secret", .webhook),
        Probe(.post, "/v1/webhooks/{id}/rotate-secret", #"{"previous_secret_hours":0}"#, .webhook),
        Probe(.delete, "/v1/webhooks/{id}", .webhook),
        // Port-in orders.
        Probe(.get, "/v1/port-orders/{id}", .portOrder),
        Probe(.get, "/v1/port-orders/{id}/events", .portOrder),
        Probe(.post, "/v1/port-orders/{id}/submit", .portOrder),
        Probe(.post, "/v1/port-orders/{id}/supplement",
              #"{"account":{"business_name":"X","service_address":"1 X St","zip":"20001","account_number":"1","pin":"1"}}"#,
              .portOrder),
        Probe(.post, "/v1/port-orders/{id}/cancel", .portOrder),
        Probe(.post, "/v1/port-orders/{id}/end-cutover", .portOrder),
        Probe(.post, "/v1/port-orders/{id}/activate", .portOrder, status: .forbidden),
        // Port-out requests.
        Probe(.get, "/v1/port-outs/{id}", .portOut),
        Probe(.get, "/v1/port-outs/{id}/events", .portOut),
        Probe(.post, "/v1/port-outs/{id}/approve", .portOut),
        Probe(.post, "/v1/port-outs/{id}/decline", .portOut),
        Probe(.post, "/v1/port-outs/{id}/cancel", .portOut, status: .forbidden),
        Probe(.post, "/v1/port-outs/{id}/activate", .portOut, status: .forbidden),
        // E911 addresses, by path and as a reference in bodies.
        Probe(.get, "/v1/e911/addresses/{id}", .address),
        Probe(.get, "/v1/e911/locations/{id}", .address),
        Probe(.put, "/v1/numbers/\(ForeignResources.acmeNumber)/e911", #"{"address_id":"{id}"}"#, .address),
        Probe(.post, "/v1/port-orders", portOrder(address: "{id}"), .address, status: .badRequest),
        // Blocked destinations.
        Probe(.delete, "/v1/blocked-destinations/{id}", .block),
    ]

    /// Sends the probe with Globex's id and with a missing one, as Acme's admin, Acme's read-only key and Acme's
    /// agent: each pair must answer alike (status, media type, body apart from the id), Acme's admin with the probe's
    /// status, and afterwards Globex must read all its resources exactly as before.
    @Test("another tenant's resource answers exactly like a missing one, and stays as it was",
          arguments: TestDatabase.available, probes)
    func indistinguishable(database: TestDatabase, probe: Probe) async throws {
        try await withAPI(database) { fixture, client async throws in
            let globex = try await ForeignResources.make(fixture, client)
            let foreign = probe.target.foreign(in: globex), missing = probe.target.missing
            func send(_ id: String, key: String) async throws -> TestResponse {
                func fill(_ text: String) -> String {
                    text.replacingOccurrences(of: "{id}", with: id)
                        .replacingOccurrences(of: "ACME_TRUNK", with: fixture.acmeTrunk.id)
                        .replacingOccurrences(of: "ACME_ADDRESS", with: fixture.acmeAddress.id)
                }
                return try await client.send(probe.method, fill(probe.path), key: key, json: probe.body.map(fill))
            }
            let before = try await globex.ownerView(client)
            for (caller, key) in [("Acme", fixture.acmeKey), ("Acme's reader", fixture.acmeReaderKey),
                                  ("Acme's agent", fixture.agentKey)] {
                let other = try await send(foreign, key: key)
                let absent = try await send(missing, key: key)
                #expect(other.status == absent.status, "\(caller): \(other.text) vs \(absent.text)")
                #expect(other.headers[.contentType] == absent.headers[.contentType], "\(caller)")
                #expect(other.text == absent.text.replacingOccurrences(of: missing, with: foreign), "\(caller)")
                if caller == "Acme" {
                    #expect(other.status == probe.status, "\(other.text)")
                }
            }
            let after = try await globex.ownerView(client)
            for uri in globex.ownerURIs {
                #expect(after[uri] == before[uri], "\(uri) changed")
            }
        }
    }

    @Test("Globex's resources exist and are Globex's own to read", arguments: TestDatabase.available)
    func foreignResourcesAreReal(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client async throws in
            let globex = try await ForeignResources.make(fixture, client)
            for (uri, answer) in try await globex.ownerView(client) {
                #expect(answer.hasPrefix("200 "), "\(uri): \(answer)")
            }
            // The lists a leak would show in are not empty for their owner.
            for uri in ["/v1/webhooks/\(globex.webhookId)/deliveries", "/v1/routing-records",
                        "/v1/port-orders/\(globex.portOrderId)/events", "/v1/numbers/\(ForeignResources.number)/history"] {
                #expect(try await client.send(.get, uri, key: fixture.globexKey).items.isEmpty == false, "\(uri)")
            }
            let portOut = try await client.send(.get, "/v1/port-outs/\(globex.portOutId)", key: fixture.globexKey)
            #expect(portOut.object["state"] as? String == "pending-approval")
        }
    }

    @Test("bulk operations on another tenant's numbers fail per number, as not found",
          arguments: TestDatabase.available)
    func bulk(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client async throws in
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

    @Test("lists show a customer only its own numbers and trunks; the operator sees all",
          arguments: TestDatabase.available)
    func lists(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client async throws in
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

    @Test("read-only and agent keys cannot write; agents cannot see numbers", arguments: TestDatabase.available)
    func roles(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client async throws in
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
            // A year from now, whatever the date: a fixed date would stop being in the future one day.
            for date in [TestDates.future(), TestDates.future(fractionalSeconds: true)] {
                let response = try await client.send(.post, path, key: fixture.acmeKey,
                                                     json: #"{"name":"ci","role":"customer-read","expires_at":"\#(date)"}"#)
                #expect(response.status == .created, "\(date): \(response.text)")
            }
            let bad = try await client.send(.post, path, key: fixture.acmeKey,
                                            json: #"{"name":"ci","role":"customer-read","expires_at":"31/01/2031"}"#)
            #expect(bad.status == .badRequest && bad.object["field"] as? String == "expires_at")
            let past = try await client.send(.post, path, key: fixture.acmeKey,
                                             json: #"{"name":"ci","role":"customer-read","expires_at":"2001-01-01T00:00:00Z"}"#)
            #expect(past.status == .badRequest && past.object["field"] as? String == "expires_at", "\(past.text)")
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
    @Test("a customer explains calls from its own trunk; another tenant's trunk is 404",
          arguments: TestDatabase.available)
    func explain(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client async throws in
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
