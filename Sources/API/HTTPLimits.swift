import Accounts
import Guard
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Observability
import Platform
import Synchronization

/// What one client may take of the HTTP API: connections, time, body bytes and requests per key.
public struct HTTPLimits: Sendable {
    /// How many requests a second one API key may make, and how many at once after a quiet spell.
    public struct KeyRate: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            precondition(perSecond > 0 && burst >= 1)
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    /// Connections open at once at most; past it, new ones are closed at accept (each counted in
    /// `tandem_http_connections_shed_total`).
    public var maximumConnections: Int
    /// The time from a request's head to the end of its body: a body dripped part by part resets the idle timeout,
    /// but not this.
    public var requestDeadline: Duration
    /// The most body bytes of a JSON request.
    public var jsonBodyBytes: Int
    /// The most body bytes of an upload (a text file of numbers).
    public var uploadBodyBytes: Int
    /// Requests a second per key: the operator's keys, and every other role's.
    public var operatorKeyRate: KeyRate
    public var customerKeyRate: KeyRate

    /// JSON's body limit unless configured otherwise.
    public static let defaultJSONBodyBytes = 256 * 1024

    public init(
        maximumConnections: Int = 512, requestDeadline: Duration = .seconds(60), jsonBodyBytes: Int = defaultJSONBodyBytes,
        uploadBodyBytes: Int = 8 * 1024 * 1024, operatorKeyRate: KeyRate = .init(perSecond: 100, burst: 500),
        customerKeyRate: KeyRate = .init(perSecond: 20, burst: 100)
    ) {
        precondition(maximumConnections > 0 && jsonBodyBytes > 0 && uploadBodyBytes >= jsonBodyBytes)
        self.maximumConnections = maximumConnections
        self.requestDeadline = requestDeadline
        self.jsonBodyBytes = jsonBodyBytes
        self.uploadBodyBytes = uploadBodyBytes
        self.operatorKeyRate = operatorKeyRate
        self.customerKeyRate = customerKeyRate
    }

    func rate(for role: Role) -> KeyRate {
        role == .operatorAdmin ? operatorKeyRate : customerKeyRate
    }
}

// MARK: - Connections

/// Counts the API's open connections against their cap.
final class ConnectionGate: Sendable {
    private let open = Atomic<Int>(0)
    let maximum: Int
    let metrics: TandemMetrics?

    init(maximum: Int, metrics: TandemMetrics?) {
        self.maximum = maximum
        self.metrics = metrics
    }

    /// Admits a connection if there is room, until its channel closes.
    func admit(_ channel: any Channel) -> Bool {
        guard open.wrappingAdd(1, ordering: .relaxed).newValue <= maximum else {
            open.wrappingSubtract(1, ordering: .relaxed)
            metrics?.httpConnectionsShed.increment()
            return false
        }
        channel.closeFuture.whenComplete { [self] _ in open.wrappingSubtract(1, ordering: .relaxed) }
        return true
    }
}

/// The connection was over the API's cap and closed at accept.
struct ConnectionCapReached: Error {}

/// A child channel that admits each connection through a ``ConnectionGate`` before the wrapped channel (TLS, HTTP)
/// sets it up: over the cap, the connection is closed before a byte is read.
struct CappedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let gate: ConnectionGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.admit(channel) else {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionCapReached())
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

// MARK: - Request deadline

/// Closes a connection whose request does not arrive whole (head to end of body) within the deadline. It sits after
/// HTTP decoding, where each request starts with its head; a head dripped a byte at a time never decodes, and the
/// idle timeout closes that connection.
final class RequestDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let deadline: TimeAmount
    private let metrics: TandemMetrics?
    private var timer: Scheduled<Void>?

    init(deadline: Duration, metrics: TandemMetrics?) {
        self.deadline = TimeAmount(deadline)
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            let (channel, metrics) = (context.channel, metrics)
            timer = context.eventLoop.scheduleTask(in: deadline) {
                metrics?.httpRequestsTimedOut.increment()
                channel.close(promise: nil)
            }
        case .end:
            timer?.cancel()
            timer = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }
}

// MARK: - Body limits

/// Sets the body limit of the routes behind it: JSON's for all, an upload's for the few that take files.
struct BodyLimitMiddleware: RouterMiddleware {
    let bytes: Int

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.maxUploadSize = bytes
        return try await next(request, context)
    }
}

// MARK: - Rate per key

/// Holds each API key to its role's request rate (``HTTPLimits/KeyRate``); over it, `429` with `Retry-After`.
/// Runs after authentication, so only real keys have buckets; buckets idle long enough to be full again are
/// forgotten once there are many.
final class KeyRateLimiter: Sendable {
    /// Each key's bucket, with the rate it is held to (its role's).
    private let buckets = Mutex<(byKey: [String: (bucket: TokenBucket, rate: HTTPLimits.KeyRate)], swept: ContinuousClock.Instant?)>(
        ([:], nil)
    )
    private let limits: HTTPLimits
    private let metrics: TandemMetrics?
    private static let forgetAbove = 10_000

    init(limits: HTTPLimits, metrics: TandemMetrics?) {
        self.limits = limits
        self.metrics = metrics
    }

    /// Takes a request from `principal`'s key; `nil` when admitted, else the seconds until it may try again.
    func take(_ principal: Principal, at now: ContinuousClock.Instant = .now) -> Int? {
        let rate = limits.rate(for: principal.role)
        let wait: Double? = buckets.withLock { state in
            // Full buckets are the same as new ones: past many keys, they are forgotten, at most once a second.
            if state.byKey.count > Self.forgetAbove, state.swept.map({ $0.duration(to: now) > .seconds(1) }) ?? true {
                state.byKey = state.byKey.filter { !$0.value.bucket.isFull(rate: $0.value.rate.perSecond, capacity: $0.value.rate.burst, at: now) }
                state.swept = now
            }
            var bucket = state.byKey[principal.keyId]?.bucket ?? TokenBucket(capacity: rate.burst, at: now)
            defer { state.byKey[principal.keyId] = (bucket, rate) }
            return bucket.take(rate: rate.perSecond, capacity: rate.burst, at: now) ? nil : bucket.secondsUntilToken(rate: rate.perSecond)
        }
        guard let wait else { return nil }
        metrics?.httpRequestsRateLimited.increment()
        return max(1, Int(wait.rounded(.up)))
    }
}

/// Refuses a key's requests past its rate with `429 Too Many Requests` and `Retry-After` (RFC 6585 §4).
struct KeyRateMiddleware: RouterMiddleware {
    let limiter: KeyRateLimiter

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    ) async throws -> Response {
        // Only authenticated requests (those under /v1) have a key to count against.
        if let caller = context.principal, let retryAfter = limiter.take(caller) {
            var problem = Problem(
                status: .tooManyRequests, code: "rate-limited", title: "Too many requests",
                detail: "this key has made more requests than its rate allows; try again in \(retryAfter) s"
            )
            problem.retryAfter = retryAfter
            throw problem
        }
        return try await next(request, context)
    }
}
