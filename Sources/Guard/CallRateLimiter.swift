import Synchronization

/// Per-trunk limits on new calls per second: a token bucket per trunk that holds one second's worth of calls
/// and refills continuously, so a trunk may burst to its limit and sustain it, never more.
///
/// Shared by every event loop; each call takes one short lock. Only trunks known to the routing snapshot are
/// tracked, and the table is bounded: past `maximumTrunks` entries it starts afresh (every trunk gets a full
/// bucket again), so no peer can grow it without bound.
public final class CallRateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let maximumTrunks: Int

    public init(maximumTrunks: Int = 100_000) {
        self.maximumTrunks = maximumTrunks
    }

    /// Whether a new call from `trunk` fits within `limit` calls per second at `now`; if so, the call is counted.
    public func admit(trunk: String, limit: Int, at now: ContinuousClock.Instant = .now) -> Bool {
        guard limit > 0 else { return true }
        let capacity = Double(limit)
        return buckets.withLock { buckets in
            if buckets.count >= maximumTrunks, buckets[trunk] == nil { buckets.removeAll(keepingCapacity: true) }
            // One hash of the trunk's name: the bucket is updated where it is stored.
            return buckets[trunk, default: TokenBucket(capacity: capacity, at: now)].take(rate: capacity, capacity: capacity, at: now)
        }
    }
}
