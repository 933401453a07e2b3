import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Webhooks

/// A real HTTP server on loopback that takes webhook deliveries: it keeps every request and answers each with
/// the next scripted status (200 once the script runs out).
actor WebhookReceiver {
    /// One request as received.
    struct Delivery: Sendable {
        /// The headers, by lowercased name.
        var headers: [String: String]
        var body: Data

        /// The body as a JSON object.
        var object: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        var data: [String: Any] {
            object["data"] as? [String: Any] ?? [:]
        }
    }

    private(set) var deliveries: [Delivery] = []
    private var script: [HTTPResponse.Status]

    init(answering script: [HTTPResponse.Status] = []) {
        self.script = script
    }

    func take(_ delivery: Delivery) -> HTTPResponse.Status {
        deliveries.append(delivery)
        return script.isEmpty ? .ok : script.removeFirst()
    }

    /// Waits until at least `count` requests came in (at most a minute: a loaded machine is slow), and returns them
    /// all.
    func waitFor(_ count: Int) async throws -> [Delivery] {
        let deadline = ContinuousClock.now + .seconds(60)
        while deliveries.count < count {
            guard ContinuousClock.now < deadline else { return deliveries }
            try await Task.sleep(for: .milliseconds(20))
        }
        return deliveries
    }

    /// Runs the receiver on a free loopback port for the duration of `body`, which gets the hook's URL.
    func serving<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let headers = Dictionary(request.headers.map { ($0.name.canonicalName, $0.value) }, uniquingKeysWith: { $1 })
            let status = await self.take(Delivery(headers: headers, body: Data(buffer: bytes)))
            return Response(status: status)
        }
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "test.receiver")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) }, logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger)
            )
            group.addTask { try await serviceGroup.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let result = try await body("http://127.0.0.1:\(port)/hook")
            await serviceGroup.triggerGracefulShutdown()
            return result
        }
    }
}

/// Runs a service for the duration of `body`.
func whileRunning<Result: Sendable>(
    _ service: some Service, _ body: @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await service.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}
