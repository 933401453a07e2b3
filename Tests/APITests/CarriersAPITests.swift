import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Carriers API")
struct CarriersAPITests {
    @Test("only the operator reaches carriers: every other role gets 403", arguments: TestDatabase.available)
    func operatorOnly(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let id = fixture.carrier.id
            let calls: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/carriers", nil), (.get, "/v1/carriers/\(id)", nil),
                (.get, "/v1/carriers/\(id)/ratedeck", nil),
                (.post, "/v1/carriers", #"{"name":"Mine","gateways":[{"address":"a.example"}]}"#),
                (.patch, "/v1/carriers/\(id)", #"{"priority":1}"#), (.delete, "/v1/carriers/\(id)", nil),
            ]
            for key in [fixture.acmeKey, fixture.globexKey, fixture.acmeReaderKey, fixture.agentKey] {
                for (method, uri, body) in calls {
                    let response = try await client.send(method, uri, key: key, json: body)
                    #expect(response.status == .forbidden, "\(method) \(uri) answered \(response.status)")
                    #expect(response.object["type"] as? String == "urn:tandem:problem:forbidden")
                }
            }
            let check = try await client.send(.get, "/v1/carriers/\(id)", key: fixture.operatorKey)
            #expect(check.object["priority"] as? Int == 100)
        }
    }

    @Test("create, change, read the rate deck and delete", arguments: TestDatabase.available)
    func lifecycle(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let key = fixture.operatorKey
            let created = try await client.send(.post, "/v1/carriers", key: key, json: """
                {"name": "Northwind", "intra_means": "intra-lata",
                 "gateways": [{"address": "sip.northwind.example"}, {"address": "203.0.113.40", "transport": "tls"}]}
                """)
            #expect(created.status == .created)
            let id = try #require(created.object["id"] as? String)
            let gateways = created.object["gateways"] as? [[String: Any]] ?? []
            #expect(gateways.map { $0["port"] as? Int } == [5060, 5060])
            #expect(gateways.map { $0["transport"] as? String } == ["udp", "tls"])
            #expect(created.object["source_addresses"] as? [String] == [])
            #expect(created.object["intra_means"] as? String == "intra-lata")

            let changed = try await client.send(.patch, "/v1/carriers/\(id)", key: key, json: #"{"status":"down"}"#)
            #expect(changed.object["status"] as? String == "down" && changed.object["name"] as? String == "Northwind")

            let noDeck = try await client.send(.get, "/v1/carriers/\(id)/ratedeck", key: key)
            #expect(noDeck.status == .notFound && noDeck.object["detail"] as? String == "rate deck not found")
            let deck = try await client.send(.get, "/v1/carriers/\(fixture.carrier.id)/ratedeck", key: key)
            #expect(deck.object["layout"] as? String == "prefix" && deck.object["rows"] as? Int == 2)

            #expect(try await client.send(.delete, "/v1/carriers/\(id)", key: key).status == .noContent)
            #expect(try await client.send(.get, "/v1/carriers/\(id)", key: key).status == .notFound)
        }
    }

    @Test("bad members are named in the problem", arguments: [
        (#"{"name":"X","gateways":[{"address":"a.example","port":70000}]}"#, "gateways[0].port"),
        (#"{"name":"X","gateways":[{"port":5060}]}"#, "gateways[0].address"),
        (#"{"name":"X","gateways":[{"address":"a.example","transport":"sctp"}]}"#, "gateways[0].transport"),
        (#"{"name":"X","gateways":[{"address":"a.example"}],"intra_means":"lata"}"#, "intra_means"),
        (#"{"name":"X","gateways":[{"address":"a.example"}],"source_addresses":["300.0.0.1"]}"#, "source_addresses[0]"),
        (#"{"name":"X"}"#, "gateways"),
        (#"{"name":"Fixture Wholesale","gateways":[{"address":"a.example"}]}"#, "name"),
    ])
    func namedFields(body: String, field: String) async throws {
        try await withAPI(.sqlite) { fixture, client in
            let response = try await client.send(.post, "/v1/carriers", key: fixture.operatorKey, json: body)
            #expect([400, 409].contains(response.status.code))
            #expect(response.object["field"] as? String == field, "\(response.text)")
        }
    }
}
