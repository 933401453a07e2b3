import NIOCore
import NIOPosix
import NIOSSL
import Routing
import SIPServer
import Telephony
import TestSupport
import Testing

/// SIP over TLS (RFC 3261 §26.2) on a real listener with a test authority's certificate; every wait is bounded.
@Suite("SIP over TLS", .timeLimit(.minutes(1)))
struct TLSListenerTests {
    /// A trunk that sends from 127.0.0.1 (127.0.0.2 is an unknown source), and a number of its own.
    static func table() -> RoutingTable {
        let trunk = TrunkRoute(
            id: "trk_local", accountId: "acc_local", accountActive: true,
            hosts: [.init(address: "pbx.local.example", port: 5061, transport: "tls", priority: 10, weight: 100)],
            sources: [CIDRBlock("127.0.0.1/32")!],
            callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false),
            maxCallsPerSecond: 0
        )
        return RoutingTable(RoutingSnapshot(
            version: 1, epoch: 1, trunks: [trunk],
            numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_local", trunkId: "trk_local")],
            emergency: nil
        ))
    }

    /// Runs a server with TLS on a free port, and hands `body` that port and the files' authority.
    func serving(perUnknownSource: Int = 16, _ body: (Int, TestTLSFiles) async throws -> Void) async throws {
        let files = try TestTLSFiles.make()
        defer { files.remove() }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.chain).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))
        )
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let server = SIPRedirectServer(
            configuration: SIPServerConfiguration(
                host: "127.0.0.1", port: 0, maximumTCPConnectionsPerUnknownSource: perUnknownSource, tls: (port: 0, configuration: tls)
            ),
            responder: RedirectResponder(clock: .system, table: Self.table()),
            logger: .test("test"), onBound: { bound in continuation.yield(bound.tls) }
        )
        let running = Task {
            defer { continuation.finish() }
            try await server.run()
        }
        var addresses = bound.makeAsyncIterator()
        guard let port = await addresses.next()??.port else {
            try await running.value
            Issue.record("the server did not bind")
            return
        }
        do {
            try await body(port, files)
        } catch {
            running.cancel()
            throw error
        }
        running.cancel()
        try await running.value
    }

    /// A TLS connection that trusts only `authority` and checks the server's name.
    func connect(_ port: Int, trusting authority: String, from local: String = "127.0.0.1") async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(authority)
        let context = try NIOSSLContext(configuration: configuration)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: local, port: 0))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Sends `text` and reads until a whole response (head and empty body) has come, or the connection closes.
    func exchange(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, _ text: String) async throws -> String {
        try await connection.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            var received = ""
            var chunks = inbound.makeAsyncIterator()
            while !received.contains("\r\n\r\n") {
                guard let chunk = try await chunks.next() else { break }
                received += String(buffer: chunk)
            }
            return received
        }
    }

    static let invite = [
        "INVITE sip:+12025550100@tandem.example;user=phone SIP/2.0",
        "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls1",
        "From: <sip:+12025550199@127.0.0.1>;tag=t1",
        "To: <sip:+12025550100@tandem.example>",
        "Call-ID: tls-1@127.0.0.1",
        "CSeq: 1 INVITE",
        "Max-Forwards: 70",
        "Content-Length: 0", "", "",
    ].joined(separator: "\r\n")

    @Test("an INVITE over TLS is redirected on the same connection")
    func redirectOverTLS() async throws {
        try await serving { port, files in
            let answer = try await exchange(try await connect(port, trusting: files.authority), Self.invite)
            #expect(answer.contains("SIP/2.0 302 Moved Temporarily\r\n"), "got: \(answer)")
            #expect(answer.contains("Contact: <sips:+12025550100@pbx.local.example:5061;transport=tls;user=phone>"), "got: \(answer)")
            #expect(answer.contains("Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls1"))
        }
    }

    @Test("plain text on the TLS port gets no SIP answer, and the connection is closed")
    func plainTextRefused() async throws {
        try await serving { port, _ in
            let plain = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            let answer = try? await exchange(plain, Self.invite)
            #expect(answer?.contains("SIP/2.0") != true)
        }
    }

    @Test("TLS connections count against the per-source limit as TCP ones do; a trunk's own are not capped")
    func limits() async throws {
        try await serving(perUnknownSource: 1) { port, files in
            var unknown: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
            for _ in 0..<2 { unknown.append(try await connect(port, trusting: files.authority, from: "127.0.0.2")) }
            var answered = 0
            for connection in unknown where (try? await exchange(connection, Self.invite))?.contains("SIP/2.0 403") == true {
                answered += 1
            }
            #expect(answered == 1, "one connection from the unknown source is served (and refused 403), the other shed")

            var known: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
            for _ in 0..<3 { known.append(try await connect(port, trusting: files.authority)) }
            for connection in known {
                let answer = try await exchange(connection, Self.invite)
                #expect(answer.contains("SIP/2.0 302"), "got: \(answer)")
            }
        }
    }
}
