import Identity
import NIOCore
import NIOPosix
import Routing
import SIPServer
import Telephony
import TestSupport
import Testing

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("SIP server shutdown", .timeLimit(.minutes(3)))
struct ShutdownTests {
    @Test("stopping the server closes the TCP connections it accepted")
    func closesConnections() async throws {
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let server = SIPRedirectServer(
            configuration: SIPServerConfiguration(host: "127.0.0.1", port: 0),
            responder: RedirectResponder(clock: .system, table: RoutingTable()), logger: .test("test"),
            onBound: { bound in continuation.yield(bound.tcp) }
        )
        let serving = Task { try await server.run() }
        var addresses = bound.makeAsyncIterator()
        let port = try #require(await addresses.next()??.port)
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await client.executeThenClose { inbound, outbound in
            // A keep-alive proves the connection is served before the server stops.
            try await outbound.write(ByteBuffer(string: "\r\n\r\n"))
            var chunks = inbound.makeAsyncIterator()
            #expect(String(buffer: try #require(try await chunks.next())) == "\r\n")
            serving.cancel()
            try await serving.value
            // The server closed its end: the client reads the end of the stream, not a hang.
            #expect(try await chunks.next() == nil)
        }
    }

    /// A CNAM provider that takes half a second: the 302 waits for it, after a 100 Trying.
    struct SlowNames: CallerNameProvider {
        func name(for _: String) async throws -> CallerName? {
            try await Task.sleep(for: .milliseconds(500))
            return try CallerName(normalizing: "SLOW BUT SURE")
        }
    }

    @Test("a shutdown lets an answer that waits on caller identity go out before it closes the socket")
    func drainsDeferredAnswers() async throws {
        // Calls from loopback come from a carrier, to a number of Acme's: inbound, so the caller's name is looked up.
        let acme = TrunkRoute(
            id: "trk_acme", accountId: "acc_acme", accountActive: true,
            hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
            sources: [CIDRBlock("192.0.2.0/24")!], callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false)
        )
        let table = RoutingTable(RoutingSnapshot(
            version: 1, epoch: 1, trunks: [acme],
            numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme")],
            emergency: nil,
            carriers: [CarrierRoute(id: "car_1", name: "Upstream", gateways: [.init(address: "gw.upstream.example")],
                                    sources: [CIDRBlock("127.0.0.0/8")!])]
        ))
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let server = SIPRedirectServer(
            configuration: SIPServerConfiguration(host: "127.0.0.1", port: 0),
            responder: RedirectResponder(
                clock: .system, table: table,
                identity: CallerIdentityService(names: CallerNameLookup(provider: SlowNames(), budget: .seconds(5)))
            ),
            logger: .test("test"), onBound: { bound in continuation.yield(bound.udp) }
        )
        let serving = Task { try await server.run() }
        var addresses = bound.makeAsyncIterator()
        let port = try #require(await addresses.next()??.port)
        let client = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0)
            .flatMapThrowing { try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: $0) }
            .get()
        let invite = [
            "INVITE sip:+12025550100@tandem.example;user=phone SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-drain;rport",
            "From: <sip:+14155550123@127.0.0.1;user=phone>;tag=d1", "To: <sip:+12025550100@tandem.example>",
            "Call-ID: drain-1", "CSeq: 1 INVITE", "Max-Forwards: 70", "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")
        try await client.executeThenClose { inbound, outbound in
            try await outbound.write(AddressedEnvelope(
                remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: port), data: ByteBuffer(string: invite)))
            var answers = inbound.makeAsyncIterator()
            let trying = String(buffer: try #require(try await answers.next()).data)
            #expect(trying.hasPrefix("SIP/2.0 100 Trying"), "\(trying.prefix(60))")
            // The server stops while the 302 waits for the caller's name.
            serving.cancel()
            let final = String(buffer: try #require(try await answers.next()).data)
            #expect(final.hasPrefix("SIP/2.0 302"), "\(final.prefix(60))")
            #expect(final.contains("SLOW BUT SURE"))
        }
        try await serving.value
    }
}
