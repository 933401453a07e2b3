import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("The losing carrier's PIN on a port order is write-only")
struct PortOrderPINAPITests {
    @Test("a port order never shows the PIN it holds, in its creation or its reads; it says one is on file",
          arguments: TestDatabase.available)
    func pinIsWriteOnly(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let acme = fixture.acmeKey
            let created = try await client.send(.post, "/v1/port-orders", key: acme, json: """
                {"numbers":["+12025551001"],"trunk_id":"\(fixture.acmeTrunk.id)",
                 "account":{"business_name":"Acme Dental Group","service_address":"1600 Main St","zip":"20001",
                            "account_number":"CB-7781","pin":"1234"},
                 "loa":{"signer":"Pat Doe","title":"Owner","signed_on":"\(TestDates.today)","document_name":"loa.pdf",
                        "document":"JVBERi0="}}
                """)
            let order = try #require((created.object["orders"] as? [[String: Any]])?.first, "\(created.text)")
            let id = try #require(order["id"] as? String)
            let reads = [
                order,
                try await client.send(.get, "/v1/port-orders/\(id)", key: acme).object,
                try await client.send(.get, "/v1/port-orders/\(id)", key: fixture.operatorKey).object,
            ]
            for read in reads {
                let account = read["account"] as? [String: Any]
                #expect(account?["pin"] == nil, "the PIN is never returned: \(read)")
                #expect(account?["pin_on_file"] as? Bool == true)
                #expect(account?["account_number"] as? String == "CB-7781")
            }
            #expect(!created.text.contains("1234") && created.text.contains("pin_on_file"))
            // The store still holds it: submitting sends it to the losing carrier, which checks it.
            let submitted = try await client.send(.post, "/v1/port-orders/\(id)/submit", key: acme)
            #expect(submitted.status == .ok, "\(submitted.text)")
            #expect(submitted.object["state"] as? String != "rejected", "\(submitted.text)")
        }
    }
}
