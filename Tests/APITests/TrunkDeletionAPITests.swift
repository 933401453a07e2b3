import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Deleting a trunk over the API")
struct TrunkDeletionAPITests {
    @Test("a trunk an open port order brings numbers to answers 409; once the order is canceled it is deleted",
          arguments: TestDatabase.available)
    func openPortOrderHoldsTheTrunk(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let acme = fixture.acmeKey
            let created = try await client.send(.post, "/v1/trunks", key: acme, json: """
                {"name":"Acme DR","hosts":[{"address":"dr.acme.example"}],"source_addresses":["192.0.2.20"]}
                """)
            let trunk = try #require(created.object["id"] as? String, "\(created.text)")
            let ordered = try await client.send(.post, "/v1/port-orders", key: acme, json: """
                {"numbers":["+12025551000"],"trunk_id":"\(trunk)",
                 "account":{"business_name":"Acme Dental Group","service_address":"1600 Main St","zip":"20001",
                            "account_number":"CB-7781","pin":"1234"},
                 "loa":{"signer":"Pat Doe","title":"Owner","signed_on":"\(TestDates.today)","document_name":"loa.pdf",
                        "document":"JVBERi0="}}
                """)
            let order = try #require((ordered.object["orders"] as? [[String: Any]])?.first?["id"] as? String, "\(ordered.text)")
            let refused = try await client.send(.delete, "/v1/trunks/\(trunk)", key: acme)
            #expect(refused.status == .conflict, "\(refused.text)")
            #expect((refused.object["detail"] as? String)?.contains("open port order") == true, "\(refused.text)")
            #expect(try await client.send(.get, "/v1/trunks/\(trunk)", key: acme).status == .ok, "the trunk is still there")

            #expect(try await client.send(.post, "/v1/port-orders/\(order)/cancel", key: acme).status == .ok)
            #expect(try await client.send(.delete, "/v1/trunks/\(trunk)", key: acme).status == .noContent)
            let detached = try await client.send(.get, "/v1/port-orders/\(order)", key: acme)
            #expect(detached.object["trunk_id"] == nil, "the canceled order keeps its history without the trunk")
        }
    }
}
