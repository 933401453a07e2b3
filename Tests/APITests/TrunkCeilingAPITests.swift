import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Trunk ceilings: a customer cannot lift its own limits")
struct TrunkCeilingAPITests {
    @Test("a customer's trunk limits stay under its account's ceiling; the operator sets the ceiling and may pass it",
          arguments: TestDatabase.available)
    func ceilings(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let trunk = "/v1/trunks/\(fixture.acmeTrunk.id)"
            let acme = fixture.acmeKey
            let me = try await client.send(.get, "/v1/me", key: acme)
            let ceiling = (me.object["account"] as? [String: Any])?["trunk_ceiling"] as? [String: Any]
            #expect(ceiling?["max_calls_per_second"] as? Int == 10 && ceiling?["max_channels"] as? Int == 100)

            // The observation: a customer key lifted its own trunk to 100,000 calls per second.
            for (field, value) in [("max_calls_per_second", 100_000), ("max_channels", 101)] {
                let lifted = try await client.send(.patch, trunk, key: acme, json: #"{"\#(field)":\#(value)}"#)
                #expect(lifted.status == .forbidden && lifted.object["field"] as? String == field, "\(lifted.text)")
            }
            let unchanged = try await client.send(.get, trunk, key: acme)
            #expect(unchanged.object["max_calls_per_second"] as? Int == fixture.acmeTrunk.maxCallsPerSecond)
            #expect(unchanged.object["max_channels"] as? Int == fixture.acmeTrunk.maxChannels)
            let atCeiling = try await client.send(.patch, trunk, key: acme, json: #"{"max_calls_per_second":10,"max_channels":100}"#)
            #expect(atCeiling.status == .ok, "\(atCeiling.text)")
            let created = try await client.send(.post, "/v1/trunks", key: acme, json: """
                {"name":"Branch","hosts":[{"address":"pbx2.acme.example"}],"source_addresses":["192.0.2.77"],"max_calls_per_second":11}
                """)
            #expect(created.status == .forbidden && created.object["field"] as? String == "max_calls_per_second")

            // Only the operator moves the ceiling; then the customer may go up to it.
            let account = "/v1/accounts/\(fixture.acme.accountId)"
            let own = try await client.send(.patch, account, key: acme, json: #"{"trunk_ceiling":{"max_calls_per_second":1000,"max_channels":1000}}"#)
            #expect(own.status == .forbidden)
            let zero = try await client.send(.patch, account, key: fixture.operatorKey,
                                             json: #"{"trunk_ceiling":{"max_calls_per_second":0,"max_channels":10}}"#)
            #expect(zero.status == .badRequest && zero.object["field"] as? String == "trunk_ceiling.max_calls_per_second")
            let raised = try await client.send(.patch, account, key: fixture.operatorKey,
                                               json: #"{"trunk_ceiling":{"max_calls_per_second":50,"max_channels":200}}"#)
            #expect((raised.object["trunk_ceiling"] as? [String: Any])?["max_calls_per_second"] as? Int == 50, "\(raised.text)")
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"max_calls_per_second":50}"#).status == .ok)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"max_calls_per_second":51}"#).status == .forbidden)

            // The operator may pass the ceiling; the customer keeps that value through other changes, may lower
            // it, and may not raise it again.
            #expect(try await client.send(.patch, trunk, key: fixture.operatorKey, json: #"{"max_calls_per_second":1000}"#).status == .ok)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"name":"Acme PBX (main)"}"#).status == .ok)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"max_calls_per_second":500}"#).status == .ok)
            let again = try await client.send(.patch, trunk, key: acme, json: #"{"max_calls_per_second":600}"#)
            #expect(again.status == .forbidden && again.object["detail"] as? String == "may be at most 500, the account's ceiling; the operator can raise it")
        }
    }

    @Test("a customer's trunk hosts must be public unless the operator allows private ones; the operator is not held",
          arguments: TestDatabase.available)
    func privateHosts(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let trunk = "/v1/trunks/\(fixture.acmeTrunk.id)"
            let acme = fixture.acmeKey
            // The observation: link-local and loopback hosts became Contacts the SBC would dial.
            for (address, index) in [("169.254.169.254", 0), ("127.0.0.1", 0), ("10.1.2.3", 0), ("fe80::1", 0),
                                     ("::ffff:127.0.0.1", 0), ("localhost", 0), ("pbx.localhost", 0), ("printer.local", 0),
                                     ("pbx", 0)] {
                let hosts = #"[{"address":"\#(address)"}]"#
                let changed = try await client.send(.patch, trunk, key: acme, json: #"{"hosts":\#(hosts)}"#)
                #expect(changed.status == .forbidden && changed.object["field"] as? String == "hosts[\(index)].address",
                        "\(address): \(changed.text)")
                let created = try await client.send(.post, "/v1/trunks", key: acme, json: """
                    {"name":"Branch \(address)","hosts":\(hosts),"source_addresses":["192.0.2.78"]}
                    """)
                #expect(created.status == .forbidden, "\(address): \(created.text)")
            }
            // The second of two hosts is named.
            let second = try await client.send(.patch, trunk, key: acme,
                                               json: #"{"hosts":[{"address":"pbx.acme.example"},{"address":"192.168.1.10"}]}"#)
            #expect(second.object["field"] as? String == "hosts[1].address", "\(second.text)")
            let unchanged = try await client.send(.get, trunk, key: acme)
            #expect((unchanged.object["hosts"] as? [[String: Any]])?.first?["address"] as? String == fixture.acmeTrunk.hosts[0].address)

            // Public addresses and names pass.
            #expect(try await client.send(.patch, trunk, key: acme,
                                          json: #"{"hosts":[{"address":"8.8.4.4"},{"address":"pbx.acme.example."}]}"#).status == .ok)

            // The operator may point a customer's trunk anywhere, and the customer keeps that host through changes.
            #expect(try await client.send(.patch, trunk, key: fixture.operatorKey,
                                          json: #"{"hosts":[{"address":"10.0.0.5"}]}"#).status == .ok)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"hosts":[{"address":"10.0.0.5"},{"address":"pbx.acme.example"}]}"#).status == .ok)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"hosts":[{"address":"10.0.0.6"}]}"#).status == .forbidden)

            // Only the operator gives an account leave for private hosts; then its own keys may use them.
            let account = "/v1/accounts/\(fixture.acme.accountId)"
            #expect(try await client.send(.patch, account, key: acme, json: #"{"private_trunk_hosts":true}"#).status == .forbidden)
            let allowed = try await client.send(.patch, account, key: fixture.operatorKey, json: #"{"private_trunk_hosts":true}"#)
            #expect(allowed.object["private_trunk_hosts"] as? Bool == true, "\(allowed.text)")
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"hosts":[{"address":"10.0.0.6"}]}"#).status == .ok)
            let withdrawn = try await client.send(.patch, account, key: fixture.operatorKey, json: #"{"private_trunk_hosts":false}"#)
            #expect(withdrawn.object["private_trunk_hosts"] as? Bool == false)
            #expect(try await client.send(.patch, trunk, key: acme, json: #"{"hosts":[{"address":"10.0.0.7"}]}"#).status == .forbidden)
        }
    }
}
