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
import Telephony

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
    /// Failed authentications per source address (an IPv6 /64 counts as one): past it, the source's requests
    /// under `/v1` are refused `429` before their key is looked up, until the rate lets one through again. `nil`:
    /// no such limit (behind a proxy, where every client has the proxy's address).
    public var failedAuthenticationRate: KeyRate?

    /// JSON's body limit unless configured otherwise.
    public static let defaultJSONBodyBytes = 256 * 1024

    public init(
        maximumConnections: Int = 512, requestDeadline: Duration = .seconds(60), jsonBodyBytes: Int = defaultJSONBodyBytes,
        uploadBodyBytes: Int = 8 * 1024 * 1024, operatorKeyRate: KeyRate = .init(perSecond: 100, burst: 500),
        customerKeyRate: KeyRate = .init(perSecond: 20, burst: 100),
        failedAuthenticationRate: KeyRate? = .init(perSecond: 10, burst: 100)
    ) {
        precondition(maximumConnections > 0 && jsonBodyBytes > 0 && uploadBodyBytes >= jsonBodyBytes)
        self.maximumConnections = maximumConnections
        self.requestDeadline = requestDeadline
        self.jsonBodyBytes = jsonBodyBytes
        self.uploadBodyBytes = uploadBodyBytes
        self.operatorKeyRate = operatorKeyRate
        self.customerKeyRate = customerKeyRate
        self.failedAuthenticationRate = failedAuthenticationRate
    }

    /// The operator's rate for the operator and its switches (which push a CDR a call), the customers' for the rest.
    func rate(for role: Role) -> KeyRate {
        role == .operatorAdmin || role == .reportingSwitch ? operatorKeyRate : customerKeyRate
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

// MARK: - Rates per key and per source

/// Token buckets by key, each held to the rate it was last taken at. Buckets idle long enough to be full again
/// are the same as new ones: past many keys, they are forgotten, at most once a second.
final class RateBuckets<Key: Hashable & Sendable>: Sendable {
    private let state = Mutex<(buckets: [Key: (bucket: TokenBucket, rate: HTTPLimits.KeyRate)], swept: ContinuousClock.Instant?)>(
        ([:], nil)
    )
    private static var forgetAbove: Int { 10_000 }

    /// Takes a token from `key`'s bucket; `nil` when there was one, else the seconds until there is.
    func take(_ key: Key, rate: HTTPLimits.KeyRate, at now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            if state.buckets.count > Self.forgetAbove, state.swept.map({ $0.duration(to: now) > .seconds(1) }) ?? true {
                state.buckets = state.buckets.filter {
                    !$0.value.bucket.isFull(rate: $0.value.rate.perSecond, capacity: $0.value.rate.burst, at: now)
                }
                state.swept = now
            }
            var bucket = state.buckets[key]?.bucket ?? TokenBucket(capacity: rate.burst, at: now)
            defer { state.buckets[key] = (bucket, rate) }
            guard !bucket.take(rate: rate.perSecond, capacity: rate.burst, at: now) else { return nil }
            return max(1, Int(bucket.secondsUntilToken(rate: rate.perSecond).rounded(.up)))
        }
    }

    /// The seconds until `key`'s bucket has a token, without taking one; `nil` when it has one now (or `key` has no
    /// bucket: a new one is full).
    func wait(_ key: Key, at now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            guard let (bucket, rate) = state.buckets[key] else { return nil }
            let seconds = bucket.secondsUntilToken(rate: rate.perSecond, capacity: rate.burst, at: now)
            return seconds > 0 ? max(1, Int(seconds.rounded(.up))) : nil
        }
    }
}

/// Holds each API key to its role's request rate (``HTTPLimits/KeyRate``); over it, `429` with `Retry-After`.
/// Runs after authentication, so only real keys have buckets.
final class KeyRateLimiter: Sendable {
    private let buckets = RateBuckets<String>()
    private let limits: HTTPLimits
    private let metrics: TandemMetrics?

    init(limits: HTTPLimits, metrics: TandemMetrics?) {
        self.limits = limits
        self.metrics = metrics
    }

    /// Takes a request from `principal`'s key; `nil` when admitted, else the seconds until it may try again.
    func take(_ principal: Principal, at now: ContinuousClock.Instant = .now) -> Int? {
        guard let wait = buckets.take(principal.keyId, rate: limits.rate(for: principal.role), at: now) else { return nil }
        metrics?.httpRequestsRateLimited.increment()
        return wait
    }
}

/// Counts failed authentications per source (``IPAddress/sourceGroup``) against
/// ``HTTPLimits/failedAuthenticationRate``: a source that keeps presenting bad keys is refused before its keys cost
/// a lookup.
final class FailedAuthenticationLimiter: Sendable {
    private let buckets = RateBuckets<IPAddress>()
    private let rate: HTTPLimits.KeyRate?
    private let metrics: TandemMetrics?

    init(limits: HTTPLimits, metrics: TandemMetrics?) {
        self.rate = limits.failedAuthenticationRate
        self.metrics = metrics
    }

    /// The seconds `source` must wait before it may try a key again; `nil` when it may now.
    func refusal(for source: IPAddress, at now: ContinuousClock.Instant = .now) -> Int? {
        guard let wait = buckets.wait(source.sourceGroup, at: now) else { return nil }
        metrics?.httpRequestsRateLimited.increment()
        return wait
    }

    /// Counts a failed authentication from `source`.
    func failed(from source: IPAddress, at now: ContinuousClock.Instant = .now) {
        guard let rate else { return }
        _ = buckets.take(source.sourceGroup, rate: rate, at: now)
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
