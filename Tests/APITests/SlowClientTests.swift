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
        try await withLiveAPI(APIConfiguration(idleTimeout: .seconds(1))) { port, _ in
            func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> { try await Self.connect(port) }
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

    static func connect(_ port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// Sends `request` and reads until the server closes the connection: the whole answer, or "" for none (also
    /// when the server closed the connection before the request could be written).
    static func exchange(_ port: Int, _ request: String) async throws -> String {
        try await connect(port).executeThenClose { inbound, outbound in
            var answer = ""
            do {
                try await outbound.write(ByteBuffer(string: request))
                for try await chunk in inbound { answer += String(buffer: chunk) }
            } catch {
                return answer
            }
            return answer
        }
    }

    static let health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

    @Test("a body dripped a byte at a time is closed at the request deadline, though each byte resets the idle timer")
    func slowBodyIsClosed() async throws {
        var limits = HTTPLimits.forTests
        limits.requestDeadline = .seconds(1)
        try await withLiveAPI(APIConfiguration(idleTimeout: .seconds(5), limits: limits)) { port, fixture in
            let started = ContinuousClock.now
            let closed = try await Self.connect(port).executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: """
                    POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(fixture.operatorKey)\r\n\
                    Content-Type: application/json\r\nContent-Length: 200\r\n\r\n
                    """))
                let dripping = Task {
                    for _ in 0..<200 {
                        try await outbound.write(ByteBuffer(string: " "))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { dripping.cancel() }
                var chunks = inbound.makeAsyncIterator()
                return (try? await chunks.next()) == nil
            }
            #expect(closed, "the server closed the connection without answering the unfinished request")
            // The drip lasts 20 s and never leaves 5 s idle: only the 1 s deadline closes it this early.
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(try await Self.exchange(port, Self.health).hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test("past the connection cap, a new connection is closed at accept; closing one makes room")
    func connectionCap() async throws {
        var limits = HTTPLimits.forTests
        limits.maximumConnections = 3
        // A long idle timeout: on a loaded machine, the held connections must stay open for the whole test.
        try await withLiveAPI(APIConfiguration(idleTimeout: .seconds(600), limits: limits)) { port, _ in
            // Plain channels, held open without reading: the server admits each as it accepts it.
            var held: [any Channel] = []
            for _ in 0..<3 {
                held.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get())
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.exchange(port, Self.health) == "", "the fourth connection is closed unanswered")
            try? await held.removeFirst().close()
            var answered = false
            for _ in 0..<50 where !answered {
                answered = try await Self.exchange(port, Self.health).hasPrefix("HTTP/1.1 200")
                if !answered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(answered, "a closed connection makes room for a new one")
            for connection in held { try? await connection.close() }
        }
    }
}
