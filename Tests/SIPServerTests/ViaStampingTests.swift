import NIOCore
import Routing
import SIP
import Telephony
import Testing

@testable import SIPServer

private func via(_ text: String) throws -> SIPVia {
    try SIPVia(parsing: text)
}

private func answer(vias: [String]) throws -> RedirectAnswer {
    let request = SIPRequest(method: .invite, uri: SIPURI(host: "x"), headers: SIPHeaders(vias.map { ("Via", $0) } + [("Call-ID", "c1")]))
    let response = SIPEncodedResponse(replyingTo: request, status: 302, reason: "Moved Temporarily")
    let top = try #require(vias.first.flatMap { SIPHeaders([("Via", $0)]).values("Via").first })
    return RedirectAnswer(response: response, topVia: try via(top))
}

private func written(_ answer: RedirectAnswer, source: SocketAddress) -> String {
    var buffer = ByteBuffer()
    answer.write(into: &buffer, source: source)
    return String(buffer: buffer)
}

@Suite("Via stamping and response destinations (RFC 3261 §18.2, RFC 3581)")
struct ViaStampingTests {
    @Test("a sent-by equal to the source, without rport, goes back as it came and is answered at its port")
    func unchanged() throws {
        let source = try SocketAddress(ipAddress: "192.0.2.10", port: 40_000)
        let answer = try answer(vias: ["SIP/2.0/UDP  192.0.2.10:5070 ;branch=z9hG4bK-1"])
        #expect(stamped(try #require(answer.topVia), source: source) == nil)
        #expect(written(answer, source: source).contains("\r\nVia: SIP/2.0/UDP  192.0.2.10:5070 ;branch=z9hG4bK-1\r\n"))
        let destination = responseDestination(topVia: answer.topVia, from: source)
        #expect(destination.ipAddress == "192.0.2.10")
        #expect(destination.port == 5070)
    }

    @Test("a sent-by without a port is answered at 5060; without a top Via, at the source")
    func defaultPort() throws {
        let source = try SocketAddress(ipAddress: "192.0.2.10", port: 40_000)
        #expect(responseDestination(topVia: try via("SIP/2.0/UDP 192.0.2.10"), from: source).port == 5060)
        #expect(responseDestination(topVia: nil, from: source) == source)
        let v6 = try SocketAddress(ipAddress: "2001:db8::1", port: 40_000)
        let destination = responseDestination(topVia: try via("SIP/2.0/UDP [2001:db8::1]:5062"), from: v6)
        #expect(destination.ipAddress == "2001:db8::1")
        #expect(destination.port == 5062)
    }

    @Test("a name or another address as sent-by gets received; rport gets the source port and the answer goes there")
    func receivedAndRport() throws {
        let source = try SocketAddress(ipAddress: "198.51.100.7", port: 40_000)
        let answer = try answer(vias: ["SIP/2.0/UDP pbx.example:5060;branch=z9hG4bK-2;rport"])
        let text = written(answer, source: source)
        #expect(text.contains("\r\nVia: SIP/2.0/UDP pbx.example:5060;branch=z9hG4bK-2;rport=40000;received=198.51.100.7\r\n"))
        #expect(responseDestination(topVia: answer.topVia, from: source) == source)
        let sameHost = try via("SIP/2.0/UDP 198.51.100.7;rport")
        #expect(stamped(sameHost, source: source)?.description == "SIP/2.0/UDP 198.51.100.7;rport=40000")
        let bracketed = try via("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK-3")
        #expect(stamped(bracketed, source: try SocketAddress(ipAddress: "2001:db8::1", port: 5060)) == nil)
    }

    @Test("only the first Via value is stamped; the rest of its field and the other Via fields follow in order")
    func laterVias() throws {
        let source = try SocketAddress(ipAddress: "198.51.100.7", port: 40_000)
        let answer = try answer(vias: [
            "SIP/2.0/UDP a.example;branch=z9hG4bK-a, SIP/2.0/UDP b.example;branch=z9hG4bK-b",
            "SIP/2.0/UDP c.example;branch=z9hG4bK-c",
        ])
        let text = written(answer, source: source)
        #expect(text == "SIP/2.0 302 Moved Temporarily\r\n"
            + "Via: SIP/2.0/UDP a.example;branch=z9hG4bK-a;received=198.51.100.7\r\n"
            + "Via: SIP/2.0/UDP b.example;branch=z9hG4bK-b\r\n"
            + "Via: SIP/2.0/UDP c.example;branch=z9hG4bK-c\r\n"
            + "Call-ID: c1\r\nContent-Length: 0\r\n\r\n")
    }
}

@Suite("Retransmitted INVITEs get the first answer's bytes")
struct RetransmissionBytesTests {
    @Test("the cached answer, stamped for the retransmission's source, is byte for byte the first one")
    func identical() throws {
        let trunk = TrunkRoute(
            id: "trk_a", accountId: "acc_a", accountActive: true,
            hosts: [.init(address: "pbx.a.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
            sources: [CIDRBlock("198.51.100.0/24")!],
            callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false)
        )
        let responder = RedirectResponder(clock: .system, table: RoutingTable(RoutingSnapshot(
            version: 1, epoch: 1, trunks: [trunk],
            numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_a", trunkId: "trk_a")],
            emergency: EmergencyRoute(host: "psap.example", port: 5080)
        )))
        let text = [
            "INVITE sip:+12025550100@tandem.example SIP/2.0",
            "Via: SIP/2.0/UDP pbx.example:5060;branch=z9hG4bK-r1;rport",
            "From: <sip:+12025550199@pbx.example>;tag=f1", "To: <sip:+12025550100@tandem.example>",
            "Call-ID: r1@pbx.example", "CSeq: 1 INVITE", "Max-Forwards: 70", "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")
        let source = try SocketAddress(ipAddress: "198.51.100.7", port: 40_000)
        func answered() throws -> String {
            var parser = SIPParser()
            let request = try #require(try parser.parse(ByteBuffer(string: text)).request)
            let ip = try #require(IPAddress(source))
            let answer = try #require(responder.answer(request, from: ip))
            return written(answer, source: source)
        }
        let first = try answered()
        #expect(first.hasPrefix("SIP/2.0 302 Moved Temporarily\r\n"
            + "Via: SIP/2.0/UDP pbx.example:5060;branch=z9hG4bK-r1;rport=40000;received=198.51.100.7\r\n"))
        #expect(first.contains("\r\nContact: <sip:+12025550100@pbx.a.example:5060;user=phone>;q=1.0\r\n"))
        #expect(try answered() == first)
    }
}
