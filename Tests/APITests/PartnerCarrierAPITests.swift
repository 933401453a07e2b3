import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("A partner carrier files port-out requests with its own key")
struct PartnerCarrierAPITests {
    @Test("the operator makes a partner account (with its OCN) and key; the partner files, follows and withdraws a request",
          arguments: TestDatabase.available)
    func partnerFlow(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let noOCN = try await client.send(.post, "/v1/accounts", key: fixture.operatorKey, json: #"{"name":"Lone Star","kind":"partner"}"#)
            #expect(noOCN.status == .badRequest && noOCN.object["field"] as? String == "ocn", "\(noOCN.text)")
            let customerOCN = try await client.send(
                .post, "/v1/accounts", key: fixture.operatorKey, json: #"{"name":"Shop","kind":"customer","ocn":"1ABC"}"#
            )
            #expect(customerOCN.status == .badRequest && customerOCN.object["field"] as? String == "ocn", "\(customerOCN.text)")
            let created = try await client.send(
                .post, "/v1/accounts", key: fixture.operatorKey, json: #"{"name":"Lone Star Fiber","kind":"partner","ocn":"4lsf"}"#
            )
            #expect(created.status == .created && created.object["ocn"] as? String == "4LSF", "\(created.text)")
            let accountId = try #require(created.object["id"] as? String)
            let wrongRole = try await client.send(
                .post, "/v1/accounts/\(accountId)/keys", key: fixture.operatorKey, json: #"{"name":"lsr","role":"customer-admin"}"#
            )
            #expect(wrongRole.status == .badRequest, "\(wrongRole.text)")
            let issued = try await client.send(
                .post, "/v1/accounts/\(accountId)/keys", key: fixture.operatorKey, json: #"{"name":"lsr","role":"partner"}"#
            )
            let key = try #require(issued.object["secret"] as? String, "\(issued.text)")

            for (method, path) in [(HTTPRequest.Method.get, "/v1/numbers"), (.get, "/v1/trunks"),
                                   (.get, "/v1/routing-records"), (.get, "/v1/cnam/+12025550100"), (.post, "/v1/numbers/order")] {
                let refused = try await client.send(method, path, key: key, json: method == .post ? "{}" : nil)
                #expect(refused.status == .forbidden, "\(method) \(path): \(refused.text)")
            }
            #expect(try await client.send(.get, "/v1/me", key: key).object["role"] as? String == "partner")

            _ = try await fixture.provisioning.numbers.order(["+12025550100"], accountId: fixture.acme.accountId, by: fixture.operatorPrincipal)
            _ = try await fixture.provisioning.numbers.assign(["+12025550100"], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
            let filed = try await client.send(.post, "/v1/port-outs", key: key, json: """
                {"numbers":["+12025550100"],"account_number":"\(fixture.acme.accountId)","business_name":"Acme","zip":"20001"}
                """)
            #expect(filed.status == .created, "\(filed.text)")
            #expect(filed.object["gaining_carrier"] as? String == "Lone Star Fiber" && filed.object["gaining_ocn"] as? String == "4LSF")
            #expect(filed.object["state"] as? String == "pending-approval", "\(filed.text)")
            #expect(filed.object["account_id"] == nil, "\(filed.text)")
            let id = try #require(filed.object["id"] as? String)
            #expect(try await client.send(.get, "/v1/port-outs", key: key).items.count == 1)
            #expect(try await client.send(.get, "/v1/port-outs", key: fixture.partnerKey).items.isEmpty, "another partner sees none")
            #expect(try await client.send(.get, "/v1/port-outs/\(id)", key: fixture.partnerKey).status == .notFound)
            let seenByAcme = try await client.send(.get, "/v1/port-outs/\(id)", key: fixture.acmeKey)
            #expect(seenByAcme.object["account_id"] as? String == fixture.acme.accountId)
            #expect(seenByAcme.object["filed_by"] as? String == accountId)
            #expect(try await client.send(.post, "/v1/port-outs/\(id)/approve", key: key).status == .forbidden)
            #expect(try await client.send(.post, "/v1/port-outs/\(id)/activate", key: key).status == .forbidden)
            let withdrawn = try await client.send(.post, "/v1/port-outs/\(id)/cancel", key: key)
            #expect(withdrawn.status == .ok && withdrawn.object["state"] as? String == "canceled", "\(withdrawn.text)")
            let events = try await client.send(.get, "/v1/port-outs/\(id)/events", key: key)
            #expect(!events.text.contains(fixture.acme.accountId) && events.text.contains("canceled"), "\(events.text)")
        }
    }
}
