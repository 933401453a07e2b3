import NIOCore
import NIOPosix
import Routing
import SIPServer
import Telephony
import TestSupport
import Testing

/// Real sockets against a real server; every wait is bounded.
@Suite("SIP TCP connection limits", .timeLimit(.minutes(3)))
struct ConnectionLimitTests {
    /// Runs a server with `configuration` (on a free port) over an empty routing table, where every peer is an
    /// unknown source, and hands `body` its TCP port.
    private func serving(
        _ configuration: SIPServerConfiguration, table: RoutingTable = RoutingTable(), _ body: (Int) async throws -> Void
    ) async throws {
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let server = SIPRedirectServer(
            configuration: configuration, responder: RedirectResponder(clock: .system, table: table),
            logger: .test("test"), onBound: { bound in continuation.yield(bound.tcp) }
        )
        let running = Task { try await server.run() }
        var addresses = bound.makeAsyncIterator()
        let port = try #require(await addresses.next()??.port)
        do {
            try await body(port)
        } catch {
            running.cancel()
            throw error
        }
        running.cancel()
        try await running.value
    }

    private func connect(_ port: Int, from local: String = "127.0.0.1") async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: local, port: 0))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Whether the server answers a keep-alive on the connection (`true`), or has closed it (`false`).
    private func answersKeepAlive(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async -> Bool {
        do {
            return try await connection.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "\r\n\r\n"))
                var chunks = inbound.makeAsyncIterator()
                return try await chunks.next().map { String(buffer: $0) } == "\r\n"
            }
        } catch {
            return false
        }
    }

    @Test("an unknown source gets its few connections; past them, new ones are closed at once and the others still work")
    func perUnknownSource() async throws {
        try await serving(SIPServerConfiguration(host: "127.0.0.1", port: 0, maximumTCPConnectionsPerUnknownSource: 3)) { port in
            var connections: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
            for _ in 0..<4 { connections.append(try await connect(port)) }
            // The server may accept the four in any order (each on its event loop): whichever comes fourth is shed.
            var served = 0
            for connection in connections where await answersKeepAlive(connection) { served += 1 }
            #expect(served == 3, "three connections from one source are served, the fourth is shed")
            // Closed connections make room again, once the server has seen them close.
            var again = false
            for _ in 0..<50 where !again {
                again = await answersKeepAlive(try await connect(port))
                if !again { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(again)
        }
    }

    @Test("past the total, new connections are closed at once")
    func total() async throws {
        try await serving(SIPServerConfiguration(
            host: "127.0.0.1", port: 0, maximumTCPConnections: 2, maximumTCPConnectionsPerUnknownSource: 10
        )) { port in
            var served = 0
            for connection in [try await connect(port), try await connect(port), try await connect(port)]
            where await answersKeepAlive(connection) {
                served += 1
            }
            #expect(served == 2, "two connections are served, whichever comes third is shed")
        }
    }

    @Test("a trunk's connection that finds no room closes the oldest unknown one instead of being shed")
    func trunksShedStrangersFirst() async throws {
        let trunk = TrunkRoute(
            id: "trk_sbc", accountId: "acc_a", accountActive: true,
            hosts: [.init(address: "sbc.example", port: 5060, transport: "tcp", priority: 10, weight: 100)],
            sources: [CIDRBlock("127.0.0.2/32")!],
            callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: true)
        )
        let table = RoutingTable(RoutingSnapshot(version: 1, epoch: 1, trunks: [trunk], numbers: [], emergency: nil))
        try await serving(SIPServerConfiguration(
            host: "127.0.0.1", port: 0, maximumTCPConnections: 2, maximumTCPConnectionsPerUnknownSource: 10
        ), table: table) { port in
            // Each stranger is served (so admitted) before the next connects: their order is certain.
            let ended = try await connect(port).executeThenClose { oldestIn, oldestOut in
                var oldest = oldestIn.makeAsyncIterator()
                try await oldestOut.write(ByteBuffer(string: "\r\n\r\n"))
                #expect(try await oldest.next().map { String(buffer: $0) } == "\r\n")
                return try await connect(port).executeThenClose { strangerIn, strangerOut in
                    var stranger = strangerIn.makeAsyncIterator()
                    try await strangerOut.write(ByteBuffer(string: "\r\n\r\n"))
                    #expect(try await stranger.next().map { String(buffer: $0) } == "\r\n")
                    #expect(await answersKeepAlive(try await connect(port, from: "127.0.0.2")), "the SBC is served")
                    // The SBC's admission shed the oldest stranger: the server ends its stream.
                    return (try? await oldest.next()) == nil
                }
            }
            #expect(ended, "the oldest stranger made room for the trunk's SBC")
        }
    }

    @Test("a peer that drips a partial message a byte at a time is closed after the idle timeout all the same")
    func dripDoesNotKeepAConnection() async throws {
        try await serving(SIPServerConfiguration(host: "127.0.0.1", port: 0, tcpIdleTimeout: .seconds(1))) { port in
            let connection = try await connect(port)
            let started = ContinuousClock.now
            let closed = try await connection.executeThenClose { inbound, outbound in
                let dripping = Task {
                    for byte in "OPTIONS sip:tandem.example SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1".utf8 {
                        try await outbound.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { dripping.cancel() }
                var chunks = inbound.makeAsyncIterator()
                // The server sends nothing and closes: the stream ends.
                return (try? await chunks.next()) == nil
            }
            #expect(closed)
            // With a byte every 100 ms for 6.5 s, only the timeout can have closed it this early.
            #expect(ContinuousClock.now - started < .seconds(6))
        }
    }

    @Test("a message dripped between whole ones is closed at the message deadline, long before the idle timeout",
          arguments: ["dripped", "half-sent"])
    func messageDeadline(style: String) async throws {
        try await serving(SIPServerConfiguration(
            host: "127.0.0.1", port: 0, tcpIdleTimeout: .seconds(60), tcpMessageDeadline: .seconds(1)
        )) { port in
            let connection = try await connect(port)
            let started = ContinuousClock.now
            let closed = try await connection.executeThenClose { inbound, outbound in
                // A keep-alive first: whole frames end the deadline, so only the partial message that follows is timed.
                try await outbound.write(ByteBuffer(string: "\r\n\r\n"))
                var chunks = inbound.makeAsyncIterator()
                guard try await chunks.next().map({ String(buffer: $0) }) == "\r\n" else { return false }
                let partial = "OPTIONS sip:tandem.example SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-d\r\n"
                let sending = Task {
                    if style == "half-sent" {
                        try await outbound.write(ByteBuffer(string: partial))
                    } else {
                        for byte in partial.utf8 {
                            try await outbound.write(ByteBuffer(bytes: [byte]))
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
                defer { sending.cancel() }
                return (try? await chunks.next()) == nil
            }
            #expect(closed)
            // The idle timeout is 60 s and a drip would last 8 s: only the 1 s message deadline closes it this early.
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }
}
