import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import Logging
import Observability
import Routing
import RoutingFeed
import Telephony
import TestSupport
import Testing
import Timekeeping

private func record(_ callID: String, trunk: String?) -> RoutingRecord {
    RoutingRecord(
        at: WallClock.system.unixMilliseconds(), callID: callID, source: IPAddress("192.0.2.10")!, trunkId: trunk,
        dialed: "+12025550100", normalized: "+12025550100", lrn: nil, jurisdiction: nil, status: 302,
        reason: trunk ?? "carrier", carriers: [], priceMicros: nil, callerIDFlagged: false
    )
}

@Suite("API routing records and metrics")
struct RoutingRecordsAPITests {
    @Test("customers see only calls from their own trunks; the operator sees all, or one trunk's",
          arguments: TestDatabase.available)
    func tenantIsolation(_ database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let acme = fixture.acmeTrunk.id, globex = fixture.globexTrunk.id
            try await fixture.routingRecords.insert([
                record("a1", trunk: acme), record("g1", trunk: globex), record("c1", trunk: nil),
                record("a2", trunk: acme), record("x1", trunk: "trk_deleted"),
            ])
            func callIDs(_ uri: String, key: String) async throws -> [String] {
                let response = try await client.send(.get, uri, key: key)
                #expect(response.status == .ok, "\(uri): \(response.text)")
                return response.items.compactMap { $0["call_id"] as? String }
            }
            let all = try await callIDs("/v1/routing-records", key: fixture.operatorKey)
            #expect(all == ["x1", "a2", "c1", "g1", "a1"])
            #expect(try await callIDs("/v1/routing-records?trunk_id=\(globex)", key: fixture.operatorKey) == ["g1"])
            #expect(try await callIDs("/v1/routing-records", key: fixture.acmeKey) == ["a2", "a1"])
            #expect(try await callIDs("/v1/routing-records", key: fixture.acmeReaderKey) == ["a2", "a1"])
            #expect(try await callIDs("/v1/routing-records", key: fixture.globexKey) == ["g1"])
            // Naming another tenant's trunk shows nothing, as a trunk that does not exist.
            #expect(try await callIDs("/v1/routing-records?trunk_id=\(globex)", key: fixture.acmeKey).isEmpty)
            #expect(try await callIDs("/v1/routing-records?trunk_id=\(acme)", key: fixture.acmeKey) == ["a2", "a1"])

            let agent = try await client.send(.get, "/v1/routing-records", key: fixture.agentKey)
            #expect(agent.status == .forbidden)
        }
    }

    @Test("pages newest first by an id cursor; a bad cursor or limit names the parameter")
    func paging() async throws {
        try await withAPI(.sqlite) { fixture, client in
            try await fixture.routingRecords.insert(
                (0..<5).map { record("p\($0)", trunk: fixture.acmeTrunk.id) }
            )
            var seen: [String] = []
            var uri = "/v1/routing-records?limit=2"
            for _ in 0..<5 {
                let response = try await client.send(.get, uri, key: fixture.acmeKey)
                seen += response.items.compactMap { $0["call_id"] as? String }
                guard let cursor = response.object["next_cursor"] as? String else { break }
                uri = "/v1/routing-records?limit=2&cursor=\(cursor)"
            }
            #expect(seen == ["p4", "p3", "p2", "p1", "p0"])
            for (query, field) in [("cursor=abc", "cursor"), ("limit=0", "limit")] {
                let response = try await client.send(.get, "/v1/routing-records?\(query)", key: fixture.acmeKey)
                #expect(response.status == .badRequest)
                #expect(response.object["field"] as? String == field)
            }
        }
    }

    @Test("GET /metrics needs no key and serves the Prometheus text of the live metrics")
    func metrics() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let fixture = try await Fixture.make(store)
            let routing = RoutingTable()
            try await RoutingPublisher(
                compiler: RoutingCompiler(store: store, emergency: nil, clock: fixture.clock), table: routing, logger: .test("test")
            ).refresh()
            let queue = RoutingRecordQueue(capacity: 1)
            let metrics = TandemMetrics(scraping: ScrapedFigures(
                snapshot: { (routing.current.version, routing.age) }, recordsDropped: { queue.dropped }
            ))
            metrics.countSIPRequest(method: "INVITE", status: 302)
            metrics.countSIPRequest(method: "INVITE", status: 302)
            metrics.countSIPRequest(method: "FOO", status: 405)
            metrics.decisionDuration.record(.microseconds(3))
            metrics.recordsWritten.increment(by: Int64(5))
            queue.offer(record("m1", trunk: nil))
            queue.offer(record("m2", trunk: nil))
            let app = Application(
                router: buildRouter(fixture.apiDependencies(routing: routing, metrics: metrics), limits: .forTests)
            )
            try await app.test(.router) { client in
                let response = try await client.send(.get, "/metrics", key: nil)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                var values: [String: Double] = [:]
                for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
                    let parts = line.split(separator: " ")
                    if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
                }
                #expect(values[#"tandem_sip_requests_total{method="INVITE",status="302"}"#] == 2, "\(response.text)")
                #expect(values[#"tandem_sip_requests_total{method="other",status="405"}"#] == 1)
                #expect(values["tandem_routing_decision_seconds_count"] == 1)
                #expect(values[#"tandem_routing_decision_seconds_bucket{le="0.000002"}"#] == 0)
                #expect(values[#"tandem_routing_decision_seconds_bucket{le="0.000005"}"#] == 1)
                #expect(values["tandem_routing_snapshot_version"] == Double(routing.current.version))
                #expect(values["tandem_routing_snapshot_version"] == 1)
                #expect((values["tandem_routing_snapshot_age_seconds"] ?? -1) >= 0)
                #expect(values["tandem_routing_records_dropped_total"] == 1)
                #expect(values["tandem_routing_records_written_total"] == 5)
                #expect(values["tandem_routing_records_lost_total"] == 0)
            }
        }
    }
}
