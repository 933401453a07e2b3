import NIOCore
import NIOPosix
import Routing
import SIPServer
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
}
