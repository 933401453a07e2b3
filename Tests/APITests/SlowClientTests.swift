import API
import NIOCore
import NIOPosix
import TestSupport
import Testing

/// A real listener and real sockets; every wait is bounded.
@Suite("Slow HTTP clients", .timeLimit(.minutes(3)))
struct SlowClientTests {
    @Test("a request head dripped a byte at a time is closed after the idle timeout, and the API keeps answering")
    func slowlorisIsClosed() async throws {
        try await withLiveAPI(APIConfiguration(idleTimeout: .seconds(1))) { port in
            func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
                try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                        }
                    }
            }
            let client = try await connect()
            let started = ContinuousClock.now
            let closed = try await client.executeThenClose { inbound, outbound in
                let dripping = Task {
                    for byte in "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 {
                        try await outbound.write(ByteBuffer(bytes: [byte]))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { dripping.cancel() }
                var chunks = inbound.makeAsyncIterator()
                return (try? await chunks.next()) == nil
            }
            #expect(closed, "the server closed the slow connection without answering it")
            // The drip lasts about 9 s; only the 1 s idle timeout can have closed it this early.
            #expect(ContinuousClock.now - started < .seconds(7))
            let health = try await connect().executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
                var answer = ""
                for try await chunk in inbound { answer += String(buffer: chunk) }
                return answer
            }
            #expect(health.hasPrefix("HTTP/1.1 200"), "\(health.prefix(80))")
        }
    }
}
