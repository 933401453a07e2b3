/// A token bucket: holds up to `capacity` tokens, refills at `rate` tokens a second, and gives one token per
/// admitted event. What the calls-per-second limits, the unknown-source sampler and the API's per-key limits count
/// with.
package struct TokenBucket: Sendable {
    var tokens: Double
    var updated: ContinuousClock.Instant

    /// A full bucket of `capacity` tokens at `now`.
    package init(capacity: Double, at now: ContinuousClock.Instant) {
        tokens = capacity
        updated = now
    }

    /// Seconds until the next token, at `rate` tokens a second (0 when one is there now).
    package func secondsUntilToken(rate: Double) -> Double {
        tokens >= 1 ? 0 : (1 - tokens) / rate
    }

    /// Seconds from `now` until the bucket has a token, refilling at `rate` up to `capacity` (0 when it has one), without
    /// taking it.
    package func secondsUntilToken(rate: Double, capacity: Double, at now: ContinuousClock.Instant) -> Double {
        let elapsed = updated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let available = min(capacity, tokens + max(0, seconds) * rate)
        return available >= 1 ? 0 : (1 - available) / rate
    }

    /// Whether the bucket has refilled to `capacity` by `now`: a full bucket is the same as a new one.
    package func isFull(rate: Double, capacity: Double, at now: ContinuousClock.Instant) -> Bool {
        let elapsed = updated.duration(to: now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return tokens + max(0, seconds) * rate >= capacity
    }

    /// Refills for the time since the last update, then takes a token if there is one.
    package mutating func take(rate: Double, capacity: Double, at now: ContinuousClock.Instant) -> Bool {
        let elapsed = updated.duration(to: now)
        if elapsed > .zero {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            tokens = min(capacity, tokens + seconds * rate)
            updated = now
        }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
