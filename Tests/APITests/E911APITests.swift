import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("E911 API")
struct E911APITests {
    @Test("a wrong street answers 422 problem JSON with candidates; the corrected address binds to a number",
          arguments: TestDatabase.available)
    func walkthrough(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let key = fixture.acmeKey
            let wrong = try await client.send(
                .post, "/v1/e911/addresses", key: key,
                json: #"{"street":"400 Capitol St","city":"Washington","state":"DC","zip":"20001"}"#
            )
            #expect(wrong.status.code == 422)
            #expect(wrong.headers[.contentType] == "application/problem+json")
            #expect(wrong.object["type"] as? String == "urn:tandem:problem:address-not-valid")
            #expect(wrong.object["candidates"] as? [String] == ["1-2000 N CAPITOL ST, WASHINGTON DC"])

            let created = try await client.send(
                .post, "/v1/e911/addresses", key: key,
                json: #"{"house_number":400,"pre_directional":"North","street_name":"Capitol","street_type":"Street","city":"Washington","state":"DC","zip":"20001"}"#
            )
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.object["id"] as? String)
            #expect(created.object["esn"] as? String == "104")

            _ = try await client.send(.post, "/v1/numbers/order", key: key, json: #"{"numbers":["+12025550042"]}"#)
            let bound = try await client.send(.put, "/v1/numbers/+12025550042/e911", key: key, json: #"{"address_id":"\#(id)"}"#)
            #expect(bound.status == .ok, "\(bound.text)")
            let read = try await client.send(.get, "/v1/numbers/+12025550042/e911", key: key)
            #expect((read.object["address"] as? [String: Any])?["line"] as? String == "400 N CAPITOL ST, WASHINGTON DC 20001")
            let malformed = try await client.send(.post, "/v1/e911/validate", key: key,
                                                  json: #"{"street":"400 Capitol St","city":"Washington","state":"DC","zip":"2001"}"#)
            #expect(malformed.status == .badRequest && malformed.object["field"] as? String == "zip")
        }
    }
}
