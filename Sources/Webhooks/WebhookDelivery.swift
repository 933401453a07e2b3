import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SQLKit
import ServiceLifecycle
import Store
import Telephony
import Timekeeping

/// Why one attempt to deliver a webhook failed before the endpoint answered.
public struct WebhookDeliveryError: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Sends the outbox's webhook deliveries: each event as a signed JSON `POST` to each endpoint, retried with
/// exponential backoff until the endpoint answers 2xx or the attempts run out, each attempt's outcome recorded.
///
/// Deliveries are claimed with a lease (their next attempt moved past the request timeout) before they are sent,
/// so that several servers on one PostgreSQL database never send a delivery twice at once; a server that stops
/// mid-request leaves the delivery to be sent again once the lease ends. Delivery is therefore at least once:
/// receivers drop repeated event ids. Redirects are not followed (an endpoint could bounce the request to an
/// address the ``WebhookURLPolicy`` refuses), and every endpoint's host is checked against the policy before each
/// attempt.
///
/// It checks for due deliveries every ``Configuration/pollInterval`` and whenever ``wake()`` is called (an
/// emergency call's notification does), and stops at graceful shutdown, leaving what is not sent in the outbox.
public struct WebhookDelivery: Service {
    /// How deliveries are sent and retried.
    public struct Configuration: Sendable {
        /// How often the outbox is checked for due deliveries.
        public var pollInterval: Duration
        /// Deliveries sent at once, at most.
        public var batchSize: Int
        /// Attempts per delivery; after the last failed one the delivery is `failed`.
        public var maximumAttempts: Int
        /// The wait after the first failed attempt; each later wait doubles, up to ``maximumRetryDelay``.
        public var firstRetryDelay: Duration
        public var maximumRetryDelay: Duration
        /// How long an endpoint has to answer.
        public var timeout: Duration
        /// Which endpoints may be reached.
        public var policy: WebhookURLPolicy

        public init(
            pollInterval: Duration = .seconds(1), batchSize: Int = 50, maximumAttempts: Int = 10,
            firstRetryDelay: Duration = .seconds(10), maximumRetryDelay: Duration = .seconds(3_600),
            timeout: Duration = .seconds(10), policy: WebhookURLPolicy = WebhookURLPolicy()
        ) {
            precondition(batchSize > 0 && maximumAttempts > 0, "batches and attempts must be positive")
            self.pollInterval = pollInterval
            self.batchSize = batchSize
            self.maximumAttempts = maximumAttempts
            self.firstRetryDelay = firstRetryDelay
            self.maximumRetryDelay = maximumRetryDelay
            self.timeout = timeout
            self.policy = policy
        }

        /// The wait before the attempt after `attempts` failed ones: the first delay doubled each time, capped.
        public func retryDelay(afterAttempts attempts: Int) -> Duration {
            let doubled = firstRetryDelay * (1 << min(max(attempts - 1, 0), 30))
            return min(doubled, maximumRetryDelay)
        }
    }

    /// The `User-Agent` of deliveries.
    public static let userAgent = "Tandem-Webhooks/1.0"

    let store: Store
    let configuration: Configuration
    let clock: WallClock
    let logger: Logger
    /// Opens the endpoints' secrets as they are stored.
    let secrets: WebhookSecretSealer
    private let signal = WakeSignal()

    public init(
        store: Store, configuration: Configuration = .init(), secrets: WebhookSecretSealer = .plaintext, clock: WallClock,
        logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.secrets = secrets
        self.clock = clock
        self.logger = logger
    }

    /// Checks the outbox now rather than at the next poll.
    public func wake() {
        signal.wake()
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration(pinning: nil))
        let (signal, interval) = (self.signal, configuration.pollInterval)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { signal.wake() }
                }
                for await _ in signal.wakeups {
                    await deliverDue(using: client)
                }
                group.cancelAll()
            }
        }
        try await client.shutdown()
    }

    /// Sends every delivery that is due, a batch at a time; returns how many attempts were made.
    ///
    /// Store errors are logged, never thrown: the deliveries stay in the outbox for the next check.
    @discardableResult
    public func deliverDue(using client: HTTPClient) async -> Int {
        var attempted = 0
        while !Task.isCancelled {
            let jobs: [Job]
            do {
                jobs = try await claim()
            } catch {
                // Stopping (graceful shutdown) cancels a claim midway: nothing to report.
                if !Task.isCancelled {
                    logger.error("webhook outbox could not be read", metadata: ["error": "\(String(reflecting: error))"])
                }
                break
            }
            await withTaskGroup(of: Void.self) { group in
                for job in jobs {
                    group.addTask { await deliver(job, using: client) }
                }
            }
            attempted += jobs.count
            if jobs.count < configuration.batchSize { break }
        }
        return attempted
    }

    // MARK: Attempts

    /// A delivery claimed for one attempt.
    struct Job: Sendable {
        var id: Int64
        var attempts: Int
        var url: String
        /// The endpoint's secret, then the one a rotation replaced while it is still valid.
        var secrets: [String]
        var eventId: String
        var eventType: String
        var payload: String
    }

    /// Claims the due deliveries (at most a batch) by moving their next attempt past the lease, and reads them.
    private func claim() async throws -> [Job] {
        let now = Self.milliseconds(clock.now())
        let lease = now + Int64(configuration.timeout.components.seconds + 60) * 1_000
        return try await store.transaction { database in
            let ids = try await database.raw("""
                UPDATE webhook_deliveries SET next_attempt_at = \(bind: lease)
                WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= \(bind: now)
                    ORDER BY next_attempt_at, id LIMIT \(literal: configuration.batchSize)\(database.forUpdateSkipLocked))
                RETURNING id
                """).all().map { try $0.decode(column: "id", as: Int64.self) }
            guard !ids.isEmpty else { return [] }
            return try await database.raw("""
                SELECT d.id, d.attempts, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, e.id AS event_id,
                    e.type, e.payload
                FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id JOIN webhook_events e ON e.id = d.event_id
                WHERE d.id IN (\(ids.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", "))) ORDER BY d.id
                """).all().map { [secrets] row in
                Job(
                    id: try row.decode(column: "id", as: Int64.self), attempts: try row.decode(column: "attempts", as: Int.self),
                    url: try row.decode(column: "url", as: String.self),
                    secrets: try ([try row.decode(column: "secret", as: String.self)]
                        + (try Self.previousSecret(row, at: now).map { [$0] } ?? [])).map(secrets.open),
                    eventId: try row.decode(column: "event_id", as: String.self),
                    eventType: try row.decode(column: "type", as: String.self),
                    payload: try row.decode(column: "payload", as: String.self)
                )
            }
        }
    }

    /// The secret a rotation replaced, while it still signs (its expiry is in Unix seconds; `now` in milliseconds).
    private static func previousSecret(_ row: any SQLRow, at now: Int64) throws -> String? {
        guard let secret = try row.decode(column: "previous_secret", as: String?.self),
            let expiresAt = try row.decode(column: "previous_secret_expires_at", as: Int64?.self), expiresAt * 1_000 > now
        else { return nil }
        return secret
    }

    /// How deliveries' HTTP clients work: no redirects, the configured timeouts, and, for a name resolved and
    /// checked before the delivery, a connection to the checked address alone (async-http-client's `dnsOverride`
    /// keeps the name for TLS and `Host`, and resolves nothing again).
    private func clientConfiguration(pinning pinned: (host: String, address: IPAddress)?) -> HTTPClient.Configuration {
        var client = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(configuration.timeout), read: Self.timeAmount(configuration.timeout))
        )
        if let pinned { client.dnsOverride = [pinned.host: pinned.address.description] }
        return client
    }

    /// How a failure starts when the endpoint answered with a status outside 2xx.
    static let answeredPrefix = "the endpoint answered "
    /// How a failure starts when no answer came (refused, timed out, TLS): the raw error follows, for the operator.
    static let requestFailedPrefix = "the request failed: "

    /// One attempt: the signed `POST`, then its outcome recorded.
    private func deliver(_ job: Job, using shared: HTTPClient) async {
        var status: Int?
        var failure: String?
        var pinnedClient: HTTPClient?
        do {
            guard let url = URL(string: job.url) else { throw WebhookDeliveryError("the endpoint's URL does not parse") }
            // A name is resolved once, here: the delivery connects to the address that was checked.
            var client = shared
            if let pinned = try await configuration.policy.resolveForDelivery(url) {
                client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration(pinning: pinned))
                pinnedClient = client
            }
            var request = HTTPClientRequest(url: job.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: Self.userAgent)
            request.headers.add(name: "Tandem-Event-Id", value: job.eventId)
            request.headers.add(name: "Tandem-Event-Type", value: job.eventType)
            request.headers.add(
                name: WebhookSignature.header,
                value: WebhookSignature.sign(Array(job.payload.utf8), secrets: job.secrets, timestamp: clock.now().unixSeconds)
            )
            request.body = .bytes(ByteBuffer(string: job.payload))
            let response = try await client.execute(request, timeout: Self.timeAmount(configuration.timeout))
            status = Int(response.status.code)
            // The answer's body is not used; read a little of it so that the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1_024)
            if !(200..<300).contains(Int(response.status.code)) { failure = Self.answeredPrefix + "\(response.status.code)" }
        } catch let error as WebhookDeliveryError {
            failure = error.reason
        } catch {
            failure = Self.requestFailedPrefix + String(String(describing: error).prefix(200))
        }
        try? await pinnedClient?.shutdown()
        await record(job, status: status, failure: failure)
    }

    private func record(_ job: Job, status: Int?, failure: String?) async {
        let now = Self.milliseconds(clock.now())
        let attempts = job.attempts + 1
        let outcome: String
        var next = now
        if failure == nil {
            outcome = "delivered"
        } else if attempts >= configuration.maximumAttempts {
            outcome = "failed"
        } else {
            outcome = "pending"
            let delay = configuration.retryDelay(afterAttempts: attempts)
            next = now + Self.milliseconds(delay) + Int64.random(in: 0...max(Self.milliseconds(delay) / 10, 0))
        }
        do {
            try await store.transaction { database in
                try await database.raw("""
                    UPDATE webhook_deliveries SET status = \(bind: outcome), attempts = \(bind: attempts),
                        last_attempt_at = \(bind: now), last_response_status = \(bind: status), last_error = \(bind: failure),
                        next_attempt_at = \(bind: next), delivered_at = \(bind: failure == nil ? now : nil)
                    WHERE id = \(bind: job.id) AND status = 'pending'
                    """).run()
            }
        } catch {
            logger.error("a webhook delivery's outcome was not recorded; it will be sent again", metadata: [
                "delivery": "\(job.id)", "error": "\(String(reflecting: error))",
            ])
        }
        if let failure {
            logger.notice("webhook delivery failed", metadata: [
                "delivery": "\(job.id)", "event": "\(job.eventId)", "attempt": "\(attempts)", "outcome": "\(outcome)",
                "reason": "\(failure)",
            ])
        }
    }

    private static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        .milliseconds(milliseconds(duration))
    }
}

/// Wake-ups for a consumer: signals do not pile up, several before it looks count as one.
final class WakeSignal: Sendable {
    let wakeups: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (wakeups, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        continuation.finish()
    }

    func wake() {
        continuation.yield()
    }
}
