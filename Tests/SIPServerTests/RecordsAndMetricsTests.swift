import Foundation
import NIOCore
import NIOPosix
import Observability
import Routing
import SIP
import SIPServer
import Telephony
import TestSupport
import Testing

private let acmeSource = IPAddress("127.0.0.1")!

/// Acme's trunk takes calls from 127.0.0.0/8 (so socket tests are Acme's calls) and owns +12025550100.
private func table() -> RoutingTable {
    let acme = TrunkRoute(
        id: "trk_acme", accountId: "acc_acme", accountActive: true,
        hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
        sources: [CIDRBlock("127.0.0.0/8")!],
        callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: true)
    )
    return RoutingTable(RoutingSnapshot(
        version: 7, epoch: 1, trunks: [acme],
        numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme")],
        emergency: nil
    ))
}

private func text(_ method: String, to user: String = "+12025550100", callID: String, branch: String) -> String {
    [
        "\(method) sip:\(user)@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 127.0.0.1:9;branch=\(branch);rport",
        "From: <sip:+12025550101@127.0.0.1>;tag=a1",
        "To: <sip:\(user)@127.0.0.1>",
        "Call-ID: \(callID)",
        "CSeq: 1 \(method)",
        "Max-Forwards: 70",
        "Content-Length: 0", "", "",
    ].joined(separator: "\r\n")
}

private func message(_ method: String, to user: String = "+12025550100", callID: String, branch: String = "z9hG4bK-1")
    throws -> SIPMessage
{
    var parser = SIPParser()
    return try parser.parse(ByteBuffer(string: text(method, to: user, callID: callID, branch: branch)))
}

/// The samples of a Prometheus text exposition, by series (`name{labels}`); comments skipped.
func samples(_ exposition: String) -> [String: Double] {
    var values: [String: Double] = [:]
    for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            continue
        }
        values[String(line[..<space])] = value
    }
    return values
}

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Routing records and metrics of the redirect server", .timeLimit(.minutes(3)))
struct RecordsAndMetricsTests {
    @Test("every INVITE decision is offered as a record; retransmissions and other methods are not")
    func records() throws {
        let queue = RoutingRecordQueue()
        let responder = RedirectResponder(clock: .system, table: table(), records: queue)
        #expect(responder.respond(to: try message("INVITE", callID: "r1"), from: acmeSource)?.status == 302)
        #expect(responder.respond(to: try message("INVITE", callID: "r1"), from: acmeSource)?.status == 302)
        #expect(responder.respond(to: try message("OPTIONS", callID: "r2"), from: acmeSource)?.status == 200)
        #expect(responder.respond(to: try message("INVITE", to: "555", callID: "r3"), from: acmeSource)?.status == 484)
        #expect(responder.respond(to: try message("INVITE", callID: "r4"), from: IPAddress("192.0.2.99")!)?
            .status == 403)
        var out: [RoutingRecord] = []
        queue.drain(into: &out, maximum: 100)
        #expect(out.map(\.callID) == ["r1", "r3", "r4"])
        #expect(out.map(\.status) == [302, 484, 403])
        #expect(out[0].trunkId == "trk_acme")
        #expect(out[0].normalized == "+12025550100")
        #expect(out[0].reason == "trk_acme" || out[0].reason.contains("trk_acme"))
        #expect(out[0].source == acmeSource)
        #expect(out[2].trunkId == nil)
    }

    @Test("a full record queue drops records without changing the answers")
    func fullQueue() throws {
        let queue = RoutingRecordQueue(capacity: 1)
        let responder = RedirectResponder(clock: .system, table: table(), records: queue)
        for index in 0..<5 {
            #expect(responder.respond(to: try message("INVITE", callID: "f\(index)"), from: acmeSource)?.status == 302)
        }
        #expect(queue.count == 1)
        #expect(queue.dropped == 4)
        let metrics = TandemMetrics(scraping: ScrapedFigures(recordsDropped: { queue.dropped }))
        #expect(samples(metrics.exposition())["tandem_routing_records_dropped_total"] == 4)
    }

    @Test("/metrics text after calls over UDP and TCP: requests by method and status, decisions, snapshot, drops")
    func metricsOverSockets() async throws {
        let routing = table()
        let queue = RoutingRecordQueue(capacity: 2)
        let metrics = TandemMetrics(scraping: ScrapedFigures(
            snapshot: { (routing.current.version, routing.age) }, recordsDropped: { queue.dropped }
        ))
        let (bound, continuation) = AsyncStream<(SocketAddress?, SocketAddress?)>.makeStream()
        let server = SIPRedirectServer(
            configuration: SIPServerConfiguration(host: "127.0.0.1", port: 0),
            responder: RedirectResponder(clock: .system, table: routing, records: queue, metrics: metrics),
            logger: .test("test"), onBound: { bound in continuation.yield((bound.udp, bound.tcp)) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = bound.makeAsyncIterator()
            let (udpAddress, tcpAddress) = try #require(await iterator.next())
            let udpPort = try #require(udpAddress?.port), tcpPort = try #require(tcpAddress?.port)

            // UDP: three INVITEs (one to an incomplete number), an OPTIONS and an ACK (no answer).
            let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0)
                .flatMapThrowing {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: $0
                    )
                }
                .get()
            let server = try SocketAddress(ipAddress: "127.0.0.1", port: udpPort)
            try await client.executeThenClose { inbound, outbound in
                var responses = inbound.makeAsyncIterator()
                let requests = [
                    text("INVITE", callID: "m1", branch: "z9hG4bK-m1"),
                    text("INVITE", callID: "m2", branch: "z9hG4bK-m2"),
                    text("INVITE", to: "555", callID: "m3", branch: "z9hG4bK-m3"),
                    text("OPTIONS", callID: "m4", branch: "z9hG4bK-m4"),
                ]
                for request in requests {
                    try await outbound.write(
                        AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: request))
                    )
                    _ = try #require(try await responses.next())
                }
                try await outbound.write(AddressedEnvelope(
                    remoteAddress: server, data: ByteBuffer(string: text("ACK", callID: "m1", branch: "z9hG4bK-m1"))
                ))
            }

            // TCP: one INVITE.
            let tcp = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: tcpPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await tcp.executeThenClose { inbound, outbound in
                let invite = text("INVITE", callID: "m5", branch: "z9hG4bK-m5")
                    .replacingOccurrences(of: "UDP", with: "TCP")
                try await outbound.write(ByteBuffer(string: invite))
                var received = ""
                var chunks = inbound.makeAsyncIterator()
                while !(received.contains("SIP/2.0 ") && received.hasSuffix("\r\n\r\n")) {
                    guard let chunk = try await chunks.next() else { break }
                    received += String(buffer: chunk)
                }
                #expect(received.hasPrefix("SIP/2.0 302 "))
            }

            // The ACK has no answer to wait for: wait for it to be counted.
            let deadline = ContinuousClock.now + .seconds(5)
            while samples(metrics.exposition())[#"tandem_sip_requests_total{method="ACK",status="none"}"#] == nil,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(10))
            }
            let exposition = metrics.exposition()
            let values = samples(exposition)
            #expect(values[#"tandem_sip_requests_total{method="INVITE",status="302"}"#] == 3, "\(exposition)")
            #expect(values[#"tandem_sip_requests_total{method="INVITE",status="484"}"#] == 1)
            #expect(values[#"tandem_sip_requests_total{method="OPTIONS",status="200"}"#] == 1)
            #expect(values[#"tandem_sip_requests_total{method="ACK",status="none"}"#] == 1)
            #expect(values["tandem_routing_decision_seconds_count"] == 4)
            #expect(values[#"tandem_routing_decision_seconds_bucket{le="+Inf"}"#] == 4)
            #expect((values["tandem_routing_decision_seconds_sum"] ?? -1) >= 0)
            let buckets = values.filter { $0.key.hasPrefix("tandem_routing_decision_seconds_bucket") }
            #expect(buckets.count == TandemMetrics.decisionBuckets.count + 1)
            #expect(buckets.values.allSatisfy { $0 <= 4 })
            #expect(values["tandem_routing_snapshot_version"] == 7)
            #expect((values["tandem_routing_snapshot_age_seconds"] ?? -1) >= 0)
            #expect(values["tandem_routing_records_dropped_total"] == 2)
            #expect(values["tandem_routing_records_written_total"] == 0)
            #expect(exposition.contains("# TYPE tandem_routing_decision_seconds histogram"))
            #expect(exposition.contains("# TYPE tandem_sip_requests_total counter"))
            group.cancelAll()
        }
    }
}

@Suite("Calls from unknown sources under a flood")
struct UnknownSourceFloodTests {
    @Test("3,000 INVITEs from an address that is no trunk's: every one refused 403, a bounded sample recorded")
    func floodIsSampled() throws {
        let queue = RoutingRecordQueue(capacity: 10_000)
        let metrics = TandemMetrics()
        let responder = RedirectResponder(clock: .system, table: table(), records: queue, metrics: metrics)
        let stranger = IPAddress("192.0.2.99")!
        let started = ContinuousClock.now
        let statuses = try (0..<3_000).map { index in
            responder.respond(to: try message("INVITE", callID: "flood-\(index)"), from: stranger)?.status
        }
        let seconds = Int((ContinuousClock.now - started).components.seconds)
        #expect(statuses.allSatisfy { $0 == 403 })
        // The source's burst of 5, and one a second refilled while the flood ran (however slowly it ran).
        let recorded = queue.count
        #expect(recorded >= 5 && recorded <= 5 + seconds + 1, "\(recorded) records in \(seconds) s")
        #expect(samples(metrics.exposition())["tandem_routing_records_sampled_out_total"] == Double(3_000 - recorded))
        #expect(responder.respond(to: try message("INVITE", callID: "known"), from: acmeSource)?.status == 302)
        #expect(queue.count == recorded + 1, "a trunk's call is always recorded")
    }
}
