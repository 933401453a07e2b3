import Atomics
import Prometheus
import Synchronization

/// Tandem's Prometheus metrics, kept in a `PrometheusCollectorRegistry` and served as text by `GET /metrics`.
///
/// - `tandem_sip_requests_total{method,status}`: SIP requests received, by method and the status answered
///   (`none` when nothing was sent, as for an ACK).
/// - `tandem_routing_decision_seconds`: how long routing decisions take (a histogram).
/// - `tandem_routing_snapshot_version` and `tandem_routing_snapshot_age_seconds`: the routing snapshot in use
///   and how long ago it was published.
/// - `tandem_routing_records_dropped_total`, `..._written_total` and `..._lost_total`: routing records dropped
///   because the queue was full, written to the store, and lost to store errors.
/// - `tandem_identity_verifications_total{verstat,reason}`: inbound calls' caller-identity verdicts, with the
///   reason a verification failed (`none` when it passed or there was nothing to verify).
/// - `tandem_emergency_calls_unlocated_total{dialed}`: 911 (and 933) calls routed from a number with no validated
///   address: each one reached the PSAP without a location, an alert to act on.
/// - `tandem_emergency_notices_dropped_total`: emergency calls whose customer notification (Kari's Law) was dropped
///   because the notification queue was full; the calls themselves were routed.
/// - `tandem_sip_tcp_connections_shed_total`, `tandem_http_connections_shed_total`,
///   `tandem_http_requests_timed_out_total` and `tandem_http_requests_rate_limited_total`: what the edges' limits
///   refused (docs/security.md).
///
/// The hot path touches only atomics (the SIP counters, found through a lock-free table so that no request
/// takes the registry's lock) and the histogram's short lock. Values owned by other parts (the snapshot, the
/// record queue's drop count) are read when the metrics are scraped, through the ``ScrapedFigures`` the wiring
/// hands in. The module knows no SIP or routing type: callers report in plain values, so every module can
/// report here and this one depends on none of them.
public final class TandemMetrics: Sendable {
    /// Upper bounds of the decision-latency buckets: from 1 µs (a decision's budget is 10 µs at p99) to 10 ms.
    public static let decisionBuckets: [Duration] = [
        .microseconds(1), .microseconds(2), .microseconds(5), .microseconds(10), .microseconds(25),
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(1_000), .microseconds(10_000),
    ]

    /// The methods with a label value of their own, INVITE first as the most common; every other method counts
    /// as `other`.
    static let methods: [String] = [
        "INVITE", "ACK", "CANCEL", "OPTIONS", "BYE", "REGISTER", "PRACK", "UPDATE", "INFO", "SUBSCRIBE", "NOTIFY",
        "REFER", "MESSAGE",
    ]
    /// Status label columns: `none`, then 100 to 699.
    private static let statusColumns = 601

    /// The registry holding every metric, for the exposition.
    public let registry: PrometheusCollectorRegistry
    /// Routing decision latency.
    public let decisionDuration: DurationHistogram
    /// Routing records written to the store.
    public let recordsWritten: Counter
    /// Routing records lost because the store refused their batch.
    public let recordsLost: Counter
    /// Routing records of calls from unknown sources left unwritten: only a sample of a flood is kept.
    public let recordsSampledOut: Counter
    /// SIP TCP connections closed at accept, or to make room, by the connection limits.
    public let tcpConnectionsShed: Counter
    /// HTTP connections closed at accept because the API's connection cap was reached.
    public let httpConnectionsShed: Counter
    /// HTTP requests closed because their body did not arrive within the request deadline.
    public let httpRequestsTimedOut: Counter
    /// API requests refused `429` by their key's rate limit.
    public let httpRequestsRateLimited: Counter
    /// CDRs stored, as switches reported them.
    public let cdrsStored: Counter
    /// Stored calls that cost more than they earned.
    public let cdrsLosingMoney: Counter

    private let scraped: ScrapedFigures
    private let recordsDropped: Counter
    private let snapshotVersion: Gauge
    private let snapshotAge: Gauge
    private let droppedReported = Mutex(0)
    private let verifications = Mutex<[String: Counter]>([:])
    private let sipRequests: [ManagedAtomicLazyReference<Counter>]
    private let unlocatedEmergencyCalls: Counter
    private let unlocatedEmergencyTestCalls: Counter
    private let noticesDropped: Counter
    private let noticesDroppedReported = Mutex(0)
    /// A gauge per trunk that has had a call up since start.
    private let trunkChannels = Mutex<[String: Gauge]>([:])

    /// Metrics in `registry`, reading the `scraped` figures each time they are scraped.
    public init(scraping scraped: ScrapedFigures = ScrapedFigures(), registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.scraped = scraped
        noticesDropped = registry.makeCounter(
            name: "tandem_emergency_notices_dropped_total",
            help: "Emergency calls whose customer notification was dropped because the queue was full."
        )
        decisionDuration = registry.makeDurationHistogram(
            name: "tandem_routing_decision_seconds", buckets: Self.decisionBuckets,
            help: "How long routing decisions take."
        )
        recordsWritten = registry.makeCounter(
            name: "tandem_routing_records_written_total", help: "Routing records written to the store."
        )
        recordsLost = registry.makeCounter(
            name: "tandem_routing_records_lost_total", help: "Routing records lost because the store refused them."
        )
        cdrsStored = registry.makeCounter(name: "tandem_cdrs_stored_total", help: "CDRs stored, as switches reported them.")
        cdrsLosingMoney = registry.makeCounter(
            name: "tandem_cdrs_losing_money_total", help: "Stored calls that cost more than they earned (each told to the operator's webhooks as cdr.loss)."
        )
        tcpConnectionsShed = registry.makeCounter(
            name: "tandem_sip_tcp_connections_shed_total",
            help: "SIP TCP connections closed by the connection limits (in total, or per unknown source)."
        )
        httpConnectionsShed = registry.makeCounter(
            name: "tandem_http_connections_shed_total", help: "HTTP connections closed at accept by the API's connection cap."
        )
        httpRequestsTimedOut = registry.makeCounter(
            name: "tandem_http_requests_timed_out_total",
            help: "HTTP connections closed because a request's body did not arrive within the request deadline."
        )
        httpRequestsRateLimited = registry.makeCounter(
            name: "tandem_http_requests_rate_limited_total", help: "API requests refused 429 by their key's rate limit."
        )
        recordsSampledOut = registry.makeCounter(
            name: "tandem_routing_records_sampled_out_total",
            help: "Routing records of calls from sources that are no trunk's or carrier's left unwritten (sampled)."
        )
        recordsDropped = registry.makeCounter(
            name: "tandem_routing_records_dropped_total", help: "Routing records dropped because the queue was full."
        )
        snapshotVersion = registry.makeGauge(
            name: "tandem_routing_snapshot_version", help: "The version of the routing snapshot in use."
        )
        snapshotAge = registry.makeGauge(
            name: "tandem_routing_snapshot_age_seconds", help: "Seconds since the routing snapshot was published."
        )
        unlocatedEmergencyCalls = registry.makeCounter(
            name: "tandem_emergency_calls_unlocated_total", labels: [("dialed", "911")],
            help: "Emergency calls routed from a number with no validated address."
        )
        unlocatedEmergencyTestCalls = registry.makeCounter(
            name: "tandem_emergency_calls_unlocated_total", labels: [("dialed", "933")],
            help: "Emergency calls routed from a number with no validated address."
        )
        sipRequests = (0..<(Self.methods.count + 1) * Self.statusColumns).map { _ in ManagedAtomicLazyReference() }
    }

    // MARK: - Recording

    /// Counts a SIP request, by its method token (`INVITE`), and the status answered (`nil` when nothing was sent).
    public func countSIPRequest(method: String, status: Int?) {
        let row = Self.methods.firstIndex(of: method) ?? Self.methods.count
        let column = status.map { (100...699).contains($0) ? $0 - 99 : 0 } ?? 0
        let slot = sipRequests[row * Self.statusColumns + column]
        let counter = slot.load() ?? slot.storeIfNilThenLoad(registry.makeCounter(
            name: "tandem_sip_requests_total",
            labels: [
                ("method", row < Self.methods.count ? method : "other"),
                ("status", column == 0 ? "none" : String(column + 99)),
            ],
            help: "SIP requests received, by method and the status answered."
        ))
        counter.increment()
    }

    /// Counts an inbound call's caller-identity verdict. The label values come from two short fixed lists.
    public func countVerification(_ verstat: String, reason: String?) {
        let labels = (verstat, reason ?? "none")
        let counter = verifications.withLock { counters in
            if let counter = counters["\(labels.0) \(labels.1)"] { return counter }
            let counter = registry.makeCounter(
                name: "tandem_identity_verifications_total", labels: [("verstat", labels.0), ("reason", labels.1)],
                help: "Inbound calls' caller-identity verdicts (verstat), and why verification failed."
            )
            counters["\(labels.0) \(labels.1)"] = counter
            return counter
        }
        counter.increment()
    }

    /// Counts an emergency call (`911`, or the test number `933`) routed without a validated address.
    public func countUnlocatedEmergencyCall(dialed: String) {
        (dialed == "933" ? unlocatedEmergencyTestCalls : unlocatedEmergencyCalls).increment()
    }

    // MARK: - Exposition

    /// The metrics in the Prometheus text exposition format (version 0.0.4), sampled now.
    public func exposition() -> String {
        if let snapshot = scraped.snapshot?() {
            snapshotVersion.set(Double(snapshot.version))
            let age = snapshot.age.components
            snapshotAge.set(Double(age.seconds) + Double(age.attoseconds) / 1e18)
        }
        // The queues count drops themselves (cheaply, on the hot path); the counters catch up at each scrape.
        if let dropped = scraped.recordsDropped?() { Self.catchUp(recordsDropped, to: dropped, reported: droppedReported) }
        if let dropped = scraped.noticesDropped?() {
            Self.catchUp(noticesDropped, to: dropped, reported: noticesDroppedReported)
        }
        if let channels = scraped.channelsInUse?() { setTrunkChannels(channels) }
        return registry.emitToString()
    }

    /// Sets each trunk's channel gauge; a trunk with none in use any more goes to zero.
    private func setTrunkChannels(_ inUse: [String: Int]) {
        trunkChannels.withLock { gauges in
            for (trunk, gauge) in gauges where inUse[trunk] == nil { gauge.set(0.0) }
            for (trunk, count) in inUse {
                let gauge = gauges[trunk] ?? registry.makeGauge(
                    name: "tandem_trunk_channels", labels: [("trunk", trunk)],
                    help: "Calls a trunk has up (redirected and not yet ended), as its max_channels counts them."
                )
                gauges[trunk] = gauge
                gauge.set(Double(count))
            }
        }
    }

    private static func catchUp(_ counter: Counter, to total: Int, reported: borrowing Mutex<Int>) {
        reported.withLock { reported in
            if total > reported {
                counter.increment(by: Int64(total - reported))
                reported = total
            }
        }
    }
}

/// Figures that other modules own and the metrics read at each scrape, rather than being told of every change.
///
/// The wiring fills in the ones it has: a process without a record queue leaves `recordsDropped` out.
public struct ScrapedFigures: Sendable {
    /// The routing snapshot in use: its version, and how long ago it was published.
    public var snapshot: (@Sendable () -> (version: UInt64, age: Duration))?
    /// Routing records dropped since start because their queue was full.
    public var recordsDropped: (@Sendable () -> Int)?
    /// Emergency-call notices (Kari's Law) dropped since start because their queue was full.
    public var noticesDropped: (@Sendable () -> Int)?
    /// The channels each trunk has in use.
    public var channelsInUse: (@Sendable () -> [String: Int])?

    public init(
        snapshot: (@Sendable () -> (version: UInt64, age: Duration))? = nil,
        recordsDropped: (@Sendable () -> Int)? = nil,
        noticesDropped: (@Sendable () -> Int)? = nil,
        channelsInUse: (@Sendable () -> [String: Int])? = nil
    ) {
        self.snapshot = snapshot
        self.recordsDropped = recordsDropped
        self.noticesDropped = noticesDropped
        self.channelsInUse = channelsInUse
    }
}
