import API
import Hummingbird
import Logging
import Routing
import ServiceLifecycle
import TestSupport
import Testing

/// Runs the API on a real listener (a free port on 127.0.0.1) over a fresh SQLite fixture with `configuration`,
/// hands `body` the port and the fixture, then shuts the server down.
func withLiveAPI(
    _ configuration: APIConfiguration, _ body: (Int, Fixture) async throws -> Void
) async throws {
    try await TestDatabase.sqlite.withFixture { _, fixture in
        var logger = Logger(label: "test.live")
        logger.logLevel = .critical
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        var configuration = configuration
        (configuration.host, configuration.port) = ("127.0.0.1", 0)
        let app = try buildApplication(
            fixture.apiDependencies(routing: RoutingTable()), configuration: configuration, services: [], logger: logger,
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) }
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port, fixture)
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }
}
