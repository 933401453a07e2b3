import Crypto
import Foundation
import NIOCore
import NIOPosix
import Observability
import Rating
import Routing
import SIP
import SIPServer
import Telephony
import TestSupport
import Testing

private let acmeSource = IPAddress("192.0.2.10")!

private func table(maxCallsPerSecond: Int = 0) -> RoutingTable {
    let acme = TrunkRoute(
        id: "trk_acme", accountId: "acc_acme", accountActive: true,
        hosts: [
            .init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100),
            .init(address: "2001:db8::10", port: 5061, transport: "tls", priority: 20, weight: 100),
        ],
        sources: [CIDRBlock("192.0.2.0/24")!],
        callerID: .init(allowAny: false, allowedPrefixes: [], rejectViolations: true),
        maxCallsPerSecond: maxCallsPerSecond
    )
    var plan = RateDeck()
    plan.add(prefix: "1", rate: Rate(micros: 10_000))
    return RoutingTable(RoutingSnapshot(
        version: 1, epoch: 1, trunks: [acme],
        numbers: [
            NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme"),
            NumberRoute(number: PhoneNumber("+12025550101")!, accountId: "acc_acme", trunkId: "trk_acme",
                        emergencyLocation: EmergencyLocation(addressId: "adr_1", line: "1 MAIN ST, WASHINGTON DC 20001",
                                                             esn: "101", psap: "DC-OUC")),
        ],
        emergency: EmergencyRoute(host: "psap.example", port: 5080),
        customerDecks: ["acc_acme": plan]
    ))
}

private func request(
    _ method: String = "INVITE", uri: String = "sip:+12025550100@tandem.example;user=phone",
    from: String = "<sip:+12025550101@192.0.2.10>;tag=a1", extra: [String] = [], version: String = "SIP/2.0",
    callID: String = "call-1@192.0.2.10", branch: String = "z9hG4bK-1", cseqMethod: String? = nil
) -> SIPMessage {
    let lines = [
        "\(method) \(uri) \(version)",
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=\(branch)",
        "From: \(from)",
        "To: <sip:+12025550100@tandem.example>",
        "Call-ID: \(callID)",
        "CSeq: 1 \(cseqMethod ?? method)",
        "Max-Forwards: 70",
    ] + extra + ["Content-Length: 0", "", ""]
    var parser = SIPParser()
    return try! parser.parse(ByteBuffer(string: lines.joined(separator: "\r\n")))
}

@Suite("Redirect responder")
struct RedirectResponderTests {
    let responder = RedirectResponder(clock: .system, table: table())

    @Test("INVITE to one of our numbers: 302 with ordered Contacts and q-values")
    func redirect() throws {
        let response = try #require(responder.respond(to: request(), from: acmeSource))
        #expect(response.status == 302)
        #expect(response.headers.values("Contact") == [
            "<sip:+12025550100@pbx.acme.example:5060;user=phone>;q=1.0",
            "<sips:+12025550100@[2001:db8::10]:5061;transport=tls;user=phone>;q=0.9",
        ])
        #expect(try response.headers.to()?.tag != nil)
        #expect(response.headers.callID == "call-1@192.0.2.10")
    }

    @Test("past the trunk's calls per second: 503 with Retry-After 1; retransmissions and 911 still answered")
    func callsPerSecond() throws {
        let limited = RedirectResponder(clock: .system, table: table(maxCallsPerSecond: 2))
        let statuses = (0..<4).map { limited.respond(to: request(callID: "cps-\($0)"), from: acmeSource)?.status }
        #expect(statuses == [302, 302, 503, 503])
        let refused = try #require(limited.respond(to: request(callID: "cps-2"), from: acmeSource))
        #expect(refused.status == 503, "a retransmission gets the same answer")
        #expect(refused.headers.values("Retry-After") == ["1"])
        #expect(refused.headers.values("Reason").first?.contains("limit of 2 calls per second") == true)
        let emergency = limited.respond(to: request(uri: "sip:911@tandem.example", callID: "cps-911"), from: acmeSource)
        #expect(emergency?.status == 302)
    }

    @Test("911: the callback number and the location by reference (RFC 6442); without an address, a warning")
    func emergencyHeaders() throws {
        let responder = RedirectResponder(clock: .system, table: table(), emergencyLocations: "https://tandem.example.net/v1/e911/locations")
        let located = try #require(responder.respond(to: request(uri: "sip:911@tandem.example", callID: "e1"), from: acmeSource))
        #expect(located.status == 302)
        #expect(located.headers.values("P-Asserted-Identity") == ["<sip:+12025550101@psap.example;user=phone>"])
        #expect(located.headers.values("Geolocation") == ["<https://tandem.example.net/v1/e911/locations/adr_1>"])
        #expect(located.headers.values("Geolocation-Routing") == ["no"])
        let unlocated = try #require(responder.respond(
            to: request(uri: "sip:911@tandem.example", from: "<sip:+12025550100@192.0.2.10>;tag=a2", callID: "e2"), from: acmeSource
        ))
        #expect(unlocated.status == 302)
        #expect(unlocated.headers.values("Geolocation").isEmpty)
        #expect(unlocated.headers.values("Warning").first?.contains("no validated address") == true)
    }

    @Test("each emergency call is announced once for Kari's Law, and one without an address is counted")
    func emergencyAnnouncements() async throws {
        let calls = EmergencyCallQueue(capacity: 2)
        let metrics = TandemMetrics(scraping: ScrapedFigures(noticesDropped: { calls.dropped }))
        let responder = RedirectResponder(clock: .system, table: table(), metrics: metrics, emergencyCalls: calls)
        let located = request(uri: "sip:911@tandem.example", callID: "k1")
        #expect(await responder.respond(to: located, from: acmeSource)?.status == 302)
        #expect(await responder.respond(to: located, from: acmeSource)?.status == 302, "a retransmission")
        let unlocated = request(uri: "sip:933@tandem.example", from: "<sip:+12025550100@192.0.2.10>;tag=a2", callID: "k2")
        #expect(await responder.respond(to: unlocated, from: acmeSource)?.status == 302)
        #expect(await responder.respond(to: request(callID: "k3"), from: acmeSource)?.status == 302, "not an emergency call")
        // The queue is full: a third emergency call is still routed, its notice dropped and counted.
        #expect(await responder.respond(to: request(uri: "sip:911@tandem.example", callID: "k4"), from: acmeSource)?.status == 302)
        #expect(calls.dropped == 1)
        calls.finish()
        var notices: [EmergencyCallNotice] = []
        for await notice in calls.notices { notices.append(notice) }
        #expect(notices.map(\.callID) == ["k1", "k2"])
        #expect(notices.map(\.dialed) == ["911", "933"])
        #expect(notices[0].call.location?.addressId == "adr_1" && notices[0].call.callback == PhoneNumber("+12025550101"))
        #expect(notices[1].call.location == nil && notices[1].trunkId == "trk_acme" && notices[1].call.accountId == "acc_acme")
        let counted = samples(metrics.exposition())
        #expect(counted["tandem_emergency_calls_unlocated_total{dialed=\"933\"}"] == 1)
        #expect(counted["tandem_emergency_calls_unlocated_total{dialed=\"911\"}"] == 0)
        #expect(counted["tandem_emergency_notices_dropped_total"] == 1)
    }

    @Test("a retransmitted INVITE gets the same answer; CANCEL finds it, ACK is absorbed")
    func transactions() throws {
        let first = try #require(responder.respond(to: request(), from: acmeSource))
        let again = try #require(responder.respond(to: request(), from: acmeSource))
        #expect(first == again)
        #expect(responder.respond(to: request("CANCEL"), from: acmeSource)?.status == 200)
        #expect(responder.respond(to: request("CANCEL", callID: "other"), from: acmeSource)?.status == 481)
        #expect(responder.respond(to: request("ACK"), from: acmeSource) == nil)
    }

    @Test("refusals carry a Reason header, and Retry-After when temporary")
    func refusals() throws {
        let forbidden = try #require(responder.respond(
            to: request(from: "<sip:+13125550000@192.0.2.10>;tag=x"), from: acmeSource))
        #expect(forbidden.status == 403)
        #expect(forbidden.headers["Reason"]?.hasPrefix("SIP ;cause=403 ;text=\"caller ID not allowed") == true)
        let unknown = try #require(responder.respond(to: request(callID: "c2"), from: IPAddress("10.1.1.1")!))
        #expect(unknown.status == 403)
        let outbound = try #require(responder.respond(to: request(uri: "sip:+13125550000@x", callID: "c3"), from: acmeSource))
        // Acme has a rate plan but no carrier serves the destination: a temporary failure.
        #expect(outbound.status == 503 && outbound.headers["Retry-After"] != nil)
        let incomplete = try #require(responder.respond(to: request(uri: "sip:202555@x", callID: "c4"), from: acmeSource))
        #expect(incomplete.status == 484)
    }

    @Test("protocol refusals: 483, 416, 420, 405, 505, 400", arguments: [
        (request(extra: []).withMaxForwardsZero, 483),
        (request(uri: "mailto:someone@example.com"), 416),
        (request(extra: ["Require: 100rel, timer"]), 420),
        (request("OPTIONS", uri: "mailto:someone@example.com"), 416),
        (request("OPTIONS", uri: "sip:tandem.example", extra: ["Require: 100rel, timer"]), 420),
        (request("REGISTER"), 405),
        (request("REGISTER", uri: "mailto:someone@example.com"), 405),
        (request(version: "SIP/7.0"), 505),
        (request(cseqMethod: "OPTIONS"), 400),
    ] as [(SIPMessage, Int)])
    func protocolRefusals(message: SIPMessage, status: Int) throws {
        let response = try #require(responder.respond(to: message, from: acmeSource))
        #expect(response.status == status)
        if status == 405 { #expect(response.headers["Allow"] == RedirectMethods.allowed) }
        if status == 420 { #expect(response.headers["Unsupported"] == "100rel, timer") }
        if status == 400 { #expect(response.headers["Warning"]?.hasPrefix("399 tandem \"") == true) }
    }

    @Test("an emergency call is routed whatever extension it requires; an unknown URI scheme is still refused")
    func emergencyRequire() throws {
        let required = try #require(responder.respond(
            to: request(uri: "sip:911@tandem.example", extra: ["Require: 100rel"], callID: "r1"), from: acmeSource))
        #expect(required.status == 302)
        let options = try #require(responder.respond(
            to: request("OPTIONS", uri: "sip:tandem.example", extra: ["Require: 100rel"], callID: "r2"), from: acmeSource))
        #expect(options.status == 420 && options.headers["Unsupported"] == "100rel")
    }

    @Test("Request-URI user parameters do not hide the number: 911 with phone-context, npdi and rn after a dip")
    func userParameters() throws {
        let emergency = try #require(responder.respond(
            to: request(uri: "sip:911;phone-context=+1@tandem.example;user=phone", callID: "p1"), from: acmeSource))
        #expect(emergency.status == 302)
        #expect(emergency.headers.values("Contact").first?.contains("@psap.example:5080") == true)
        let dipped = try #require(responder.respond(
            to: request(uri: "sip:+12025550100;npdi;rn=+12025550100@tandem.example;user=phone", callID: "p2"), from: acmeSource))
        #expect(dipped.status == 302)
    }

    @Test("an answer is replayed only to the source that got it")
    func cachePerSource() throws {
        let first = try #require(responder.respond(to: request(callID: "shared"), from: acmeSource))
        #expect(first.status == 302)
        let other = try #require(responder.respond(to: request(callID: "shared"), from: IPAddress("10.7.7.7")!))
        #expect(other.status == 403)
        #expect(responder.respond(to: request(callID: "shared"), from: acmeSource) == first)
    }

    @Test("OPTIONS gets 200 with Allow; responses are never answered")
    func options() throws {
        let response = try #require(responder.respond(to: request("OPTIONS", uri: "sip:tandem.example"), from: IPAddress("10.9.9.9")!))
        #expect(response.status == 200 && response.headers["Allow"] == RedirectMethods.allowed)
        var parser = SIPParser()
        let reply = try parser.parse(ByteBuffer(string:
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\n"
            + "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"))
        #expect(responder.respond(to: reply, from: acmeSource) == nil)
    }

    @Test("P-Asserted-Identity is the calling number when present")
    func assertedIdentity() throws {
        let response = try #require(responder.respond(
            to: request(from: "<sip:anonymous@anonymous.invalid>;tag=x",
                        extra: ["P-Asserted-Identity: <sip:+12025550101@192.0.2.10>"]),
            from: acmeSource))
        #expect(response.status == 302)
    }
}

private extension SIPMessage {
    var withMaxForwardsZero: SIPMessage {
        guard case .request(var request) = self else { return self }
        request.headers.replaceOrAdd(name: "Max-Forwards", value: "0")
        return .request(request)
    }
}

/// Waits on sockets: a lost answer fails the test instead of hanging the run.
@Suite("SIP redirect server over sockets", .timeLimit(.minutes(1)))
struct SIPRedirectServerSocketTests {
    @Test("answers over UDP at the Via port, and over TCP on the same connection, including keep-alives")
    func sockets() async throws {
        // Port 0 binds an ephemeral port; the server reports it once bound.
        let (bound, continuation) = AsyncStream<(SocketAddress?, SocketAddress?)>.makeStream()
        let observed = SIPRedirectServer(
            // Datagram slots of 8 KiB, so that one larger than its slot can be sent (the default takes every datagram).
            configuration: SIPServerConfiguration(host: "127.0.0.1", port: 0, maximumDatagramSize: 8_192),
            responder: RedirectResponder(clock: .system, table: table()),
            logger: .test("test"), onBound: { bound in continuation.yield((bound.udp, bound.tcp)) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await observed.run() }
            var iterator = bound.makeAsyncIterator()
            let (udpAddress, tcpAddress) = try #require(await iterator.next())
            let udpPort = try #require(udpAddress?.port), tcpPort = try #require(tcpAddress?.port)

            // UDP: a client on 127.0.0.1 (not a trunk source here) asking OPTIONS with rport.
            let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0)
                .flatMapThrowing { try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: $0) }
                .get()
            let options = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-u;rport\r\n"
                + "From: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: u1\r\nCSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            try await client.executeThenClose { inbound, outbound in
                try await outbound.write(AddressedEnvelope(
                    remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: udpPort), data: ByteBuffer(string: options)))
                var responses = inbound.makeAsyncIterator()
                let envelope = try #require(try await responses.next())
                let text = String(buffer: envelope.data)
                #expect(text.hasPrefix("SIP/2.0 200 OK\r\n"))
                #expect(text.contains(";rport="), "the rport value is filled in: \(text)")

                // A long request (RFC 4475's longreq is 3.5 KB) is answered; one larger than a datagram slot is cut
                // short by the kernel, and dropped rather than answered as if it were whole.
                func padded(_ callID: String, to size: Int) -> String {
                    let head = options.replacingOccurrences(of: "Call-ID: u1", with: "Call-ID: \(callID)")
                        .replacingOccurrences(of: "Content-Length: 0\r\n", with: "")
                    let filler = String(repeating: "x", count: size - head.utf8.count - "X-Pad: \r\nContent-Length: 0\r\n".utf8.count)
                    // "\r\n" is one Character: drop the blank line, keep the last header line's end.
                    return head.dropLast() + "X-Pad: \(filler)\r\nContent-Length: 0\r\n\r\n"
                }
                let server = try SocketAddress(ipAddress: "127.0.0.1", port: udpPort)
                for (callID, size) in [("oversized", 9_000), ("long", 3_515)] {
                    let datagram = padded(callID, to: size)
                    #expect(datagram.utf8.count == size)
                    try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: datagram)))
                }
                let long = String(buffer: try #require(try await responses.next()).data)
                #expect(long.hasPrefix("SIP/2.0 200 OK\r\n") && long.contains("Call-ID: long\r\n"),
                        "the first answer is the long request's: the oversized one got none")
            }

            // TCP: a keep-alive ping gets a pong, then a request gets its answer on the same connection.
            let tcp = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: tcpPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await tcp.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "\r\n\r\n"))
                try await outbound.write(ByteBuffer(string: options.replacingOccurrences(of: "UDP", with: "TCP")))
                var received = ""
                var chunks = inbound.makeAsyncIterator()
                while !(received.contains("SIP/2.0 ") && received.hasSuffix("\r\n\r\n")) {
                    guard let chunk = try await chunks.next() else { break }
                    received += String(buffer: chunk)
                }
                #expect(received.hasPrefix("\r\nSIP/2.0 200 OK\r\n"))
            }
            group.cancelAll()
        }
    }

    @Test("a datagram of 60,000 bytes, within the parser's message limit, is taken whole and answered")
    func largeDatagrams() async throws {
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let server = SIPRedirectServer(
            configuration: SIPServerConfiguration(host: "127.0.0.1", port: 0), responder: RedirectResponder(clock: .system, table: table()),
            logger: .test("test"), onBound: { bound in continuation.yield(bound.udp) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = bound.makeAsyncIterator()
            let port = try #require(await iterator.next()??.port)
            let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_sndbuf), value: 256 * 1_024)
                .bind(host: "127.0.0.1", port: 0)
                .flatMapThrowing { try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: $0) }
                .get()
            func options(_ callID: String, size: Int) -> String {
                let head = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-\(callID);rport\r\n"
                    + "From: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: \(callID)\r\nCSeq: 1 OPTIONS\r\n"
                    + "Max-Forwards: 70\r\n"
                let tail = "Content-Length: 0\r\n\r\n"
                // Padding in headers of 800 bytes each, within the header count and line limits.
                var padding = ""
                var index = 0
                while head.utf8.count + padding.utf8.count + tail.utf8.count + 820 <= size {
                    padding += "X-Pad-\(index): " + String(repeating: "x", count: 800) + "\r\n"
                    index += 1
                }
                let filler = size - head.utf8.count - padding.utf8.count - tail.utf8.count - "X-Last: \r\n".utf8.count
                return head + padding + "X-Last: " + String(repeating: "y", count: max(0, filler)) + "\r\n" + tail
            }
            try await client.executeThenClose { inbound, outbound in
                let server = try SocketAddress(ipAddress: "127.0.0.1", port: port)
                let large = options("large", size: 60_000)
                #expect(large.utf8.count == 60_000)
                try await outbound.write(AddressedEnvelope(remoteAddress: server, data: ByteBuffer(string: large)))
                var responses = inbound.makeAsyncIterator()
                let answer = String(buffer: try #require(try await responses.next()).data)
                #expect(answer.hasPrefix("SIP/2.0 200 OK\r\n") && answer.contains("Call-ID: large\r\n"), "\(answer.prefix(200))")
            }
            group.cancelAll()
        }
    }
}

@Suite("Calls through a trusted SBC")
struct TrustedProxyTests {
    static let sbc = IPAddress("198.51.100.1")!
    let responder = RedirectResponder(
        clock: .system, table: table(), trustedProxies: TrustedProxies([CIDRBlock("198.51.100.0/30")!])
    )

    func send(_ extra: [String], from source: IPAddress, call: Int) throws -> SIPResponse {
        try #require(responder.respond(to: request(extra: extra, callID: "sbc-\(call)", branch: "z9hG4bK-sbc\(call)"), from: source))
    }

    @Test("a trusted SBC's X-Tandem-Source is the call's source; without it the call is the SBC's own")
    func trusted() throws {
        #expect(try send(["X-Tandem-Source: 192.0.2.10"], from: Self.sbc, call: 1).status == 302, "routed as Acme's trunk")
        #expect(try send([], from: Self.sbc, call: 2).status == 403, "the SBC itself is no trunk's")
        #expect(try send(["X-Tandem-Source: [2001:db8::5]"], from: Self.sbc, call: 3).status == 403, "an IPv6 literal, bracketed")
    }

    @Test("anyone else's X-Tandem-Source is ignored: a peer cannot pass for a customer's PBX")
    func untrusted() throws {
        let stranger = try #require(IPAddress("203.0.113.9"))
        #expect(try send(["X-Tandem-Source: 192.0.2.10"], from: stranger, call: 4).status == 403)
        let plain = RedirectResponder(clock: .system, table: table())
        let response = try #require(plain.respond(to: request(extra: ["X-Tandem-Source: 192.0.2.10"], callID: "sbc-5"), from: Self.sbc))
        #expect(response.status == 403, "no SBC is trusted unless configured")
    }

    @Test("a trusted SBC's source that is not one IP address is refused 400, saying why",
          arguments: [(["X-Tandem-Source: pbx.acme.example"], "is not an IP address"),
                      (["X-Tandem-Source: 192.0.2.10", "X-Tandem-Source: 192.0.2.11"], "appears more than once")])
    func malformed(extra: [String], reason: String) throws {
        let response = try send(extra, from: Self.sbc, call: 6)
        #expect(response.status == 400)
        #expect(response.headers["Warning"]?.contains(reason) == true, "\(response.headers["Warning"] ?? "")")
    }
}

@Suite("Decision tokens in redirects")
struct DecisionHeaderTests {
    let sealer = DecisionToken(key: SymmetricKey(data: Data(repeating: 3, count: 32)))

    static let sbc = IPAddress("198.51.100.1")!
    static let trusted = TrustedProxies([CIDRBlock("198.51.100.0/30")!])

    @Test("a trusted SBC's call to one of our numbers: the 302 carries the decision sealed, for the number's owner and trunk")
    func inbound() throws {
        let responder = RedirectResponder(clock: .system, table: table(), trustedProxies: Self.trusted, decisions: sealer)
        let redirect = try #require(responder.respond(to: request(extra: ["X-Tandem-Source: 192.0.2.10"]), from: Self.sbc))
        #expect(redirect.status == 302)
        let decision = try sealer.open(try #require(redirect.headers.values("X-Tandem-Decision").first))
        #expect(decision.kind == .inbound && decision.accountId == "acc_acme" && decision.trunkId == "trk_acme")
        #expect(decision.destination == "+12025550100" && decision.price == nil && decision.carriers.isEmpty)
        #expect(decision.callDigest == CallDecision.digest(ofCallID: "call-1@192.0.2.10"), "bound to the call's Call-ID")
        let refused = try #require(responder.respond(
            to: request(extra: ["X-Tandem-Source: 203.0.113.9"], callID: "stranger"), from: Self.sbc
        ))
        #expect(refused.status == 403 && refused.headers.values("X-Tandem-Decision").isEmpty, "a refusal carries none")
    }

    @Test("a caller that is no trusted SBC never gets the decision: it names the customer's and the carriers' rates")
    func onlyForTrustedSBCs() throws {
        let responder = RedirectResponder(clock: .system, table: table(), trustedProxies: Self.trusted, decisions: sealer)
        let direct = try #require(responder.respond(to: request(callID: "direct"), from: acmeSource))
        #expect(direct.status == 302 && direct.headers.values("X-Tandem-Decision").isEmpty)
    }

    @Test("an outbound call: the customer's rate and each carrier's, with their increments, in the Contacts' order")
    func outbound() throws {
        var plan = RateDeck()
        plan.add(prefix: "1", rate: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6))
        var cheap = RateDeck()
        cheap.add(prefix: "1303", rate: Rate(micros: 4_000, initialSeconds: 6, incrementSeconds: 6))
        var dear = RateDeck()
        dear.add(prefix: "1", rate: Rate(micros: 7_000, initialSeconds: 1, incrementSeconds: 1))
        let acme = TrunkRoute(
            id: "trk_acme", accountId: "acc_acme", accountActive: true,
            hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
            sources: [CIDRBlock("192.0.2.0/24")!], callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false)
        )
        let table = RoutingTable(RoutingSnapshot(
            version: 1, epoch: 1, trunks: [acme], numbers: [], emergency: nil,
            carriers: [CarrierRoute(id: "car_cheap", name: "Cheap", gateways: [.init(address: "gw.cheap.example")]),
                       CarrierRoute(id: "car_dear", name: "Dear", gateways: [.init(address: "gw.dear.example")])],
            carrierRates: CarrierRates(decks: ["car_cheap": cheap, "car_dear": dear]), customerDecks: ["acc_acme": plan]
        ))
        let responder = RedirectResponder(clock: .system, table: table, trustedProxies: Self.trusted, decisions: sealer)
        let redirect = try #require(responder.respond(
            to: request(uri: "sip:+13035550100@tandem.example;user=phone", extra: ["X-Tandem-Source: 192.0.2.10"], callID: "out-1"),
            from: Self.sbc
        ))
        #expect(redirect.status == 302, "\(redirect.headers["Warning"] ?? "")")
        let decision = try sealer.open(try #require(redirect.headers.values("X-Tandem-Decision").first))
        #expect(decision.kind == .outbound && decision.accountId == "acc_acme" && decision.trunkId == "trk_acme")
        #expect(decision.destination == "+13035550100" && decision.jurisdiction == .indeterminate)
        #expect(decision.price == Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6))
        #expect(decision.carriers == [ChosenCarrier(id: "car_cheap", rate: Rate(micros: 4_000, initialSeconds: 6, incrementSeconds: 6)),
                                      ChosenCarrier(id: "car_dear", rate: Rate(micros: 7_000, initialSeconds: 1, incrementSeconds: 1))])
    }
}
