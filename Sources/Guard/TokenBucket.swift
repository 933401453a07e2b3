/// A token bucket: holds up to `capacity` tokens, refills at `rate` tokens a second, and gives one token per
/// admitted event. What the calls-per-second limits and the unknown-source sampler count with.
struct TokenBucket {
    var tokens: Double
    var updated: ContinuousClock.Instant

    /// Refills for the time since the last update, then takes a token if there is one.
    mutating func take(rate: Double, capacity: Double, at now: ContinuousClock.Instant) -> Bool {
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
