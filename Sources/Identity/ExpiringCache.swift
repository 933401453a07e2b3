import Foundation
import NIOConcurrencyHelpers

/// Results of slow lookups (fetching and validating a certificate chain, a revocation list, a caller name) by key,
/// each kept for the lifetime its loader gives. Concurrent lookups of one key share one load.
///
/// Bounded every way a peer could grow it: at most `capacity` results and, apart, at most `failureCapacity`
/// failures (so that forged tokens naming endless bad URLs cannot push out good results); the oldest goes first,
/// in constant time. At most `maximumLoads` loads run at once; past that a lookup fails at once, as unavailable.
final class ExpiringCache<Value: Sendable>: Sendable {
    typealias Outcome = Result<Value, VerificationFailure>

    private struct Entry {
        var outcome: Outcome
        /// On the monotonic clock: lifetimes are durations, whatever the time of day does meanwhile.
        var expires: ContinuousClock.Instant
    }

    /// Entries with their insertion order, for oldest-first eviction.
    private struct Table {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var head = 0
        let capacity: Int

        mutating func store(_ entry: Entry, for key: String) {
            if entries.updateValue(entry, forKey: key) != nil { return }
            if order.count < capacity {
                order.append(key)
            } else {
                entries[order[head]] = nil
                order[head] = key
                head = (head + 1) % capacity
            }
        }
    }

    private struct State {
        var results: Table
        var failures: Table
        var loading: [String: Task<Outcome, Never>] = [:]
    }

    private let maximumLoads: Int
    private let state: NIOLockedValueBox<State>

    init(capacity: Int, failureCapacity: Int = 256, maximumLoads: Int = 64) {
        precondition(capacity > 0 && failureCapacity > 0 && maximumLoads > 0)
        self.maximumLoads = maximumLoads
        self.state = NIOLockedValueBox(State(results: Table(capacity: capacity), failures: Table(capacity: failureCapacity)))
    }

    /// The cached outcome for `key`, when there is one that has not expired.
    func value(for key: String) -> Outcome? {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            for entry in [state.results.entries[key], state.failures.entries[key]] {
                if let entry, entry.expires > now { return entry.outcome }
            }
            return nil
        }
    }

    /// The outcome for `key`: cached, being loaded by another caller, or loaded now by `load`, which returns the
    /// outcome and how many seconds to keep it.
    func value(for key: String, load: @escaping @Sendable () async -> (Outcome, TimeInterval)) async -> Outcome {
        if let cached = value(for: key) { return cached }
        let task: Task<Outcome, Never>? = state.withLockedValue { state in
            if let loading = state.loading[key] { return loading }
            guard state.loading.count < maximumLoads else { return nil }
            let task = Task { [weak self] in
                let (outcome, lifetime) = await load()
                self?.store(outcome, for: key, lifetime: lifetime)
                return outcome
            }
            state.loading[key] = task
            return task
        }
        guard let task else { return .failure(.certificateUnavailable("\(maximumLoads) fetches are already in progress")) }
        return await task.value
    }

    private func store(_ outcome: Outcome, for key: String, lifetime: TimeInterval) {
        let entry = Entry(outcome: outcome, expires: .now + .seconds(min(lifetime, longestLifetime)))
        state.withLockedValue { state in
            state.loading[key] = nil
            guard lifetime > 0 else { return }
            switch outcome {
            case .success: state.results.store(entry, for: key)
            case .failure: state.failures.store(entry, for: key)
            }
        }
    }
}

/// A cap on cache lifetimes, so that an infinite one (a revocation list without a next update) stays a duration.
private let longestLifetime: TimeInterval = 365 * 86_400

/// The result of `operation` if it finishes within `budget`, else `fallback`; the operation then runs on unwaited,
/// so that what it loads is there for the next caller.
func within<Value: Sendable>(
    _ budget: Duration, otherwise fallback: Value, _ operation: @escaping @Sendable () async -> Value
) async -> Value {
    await race(budget, otherwise: fallback, cancellingLate: false, operation)
}

/// The result of `operation` if it finishes within `budget`, else `fallback`, the operation being cancelled.
func cancelling<Value: Sendable>(
    after budget: Duration, otherwise fallback: Value, _ operation: @escaping @Sendable () async -> Value
) async -> Value {
    await race(budget, otherwise: fallback, cancellingLate: true, operation)
}

private func race<Value: Sendable>(
    _ budget: Duration, otherwise fallback: Value, cancellingLate: Bool, _ operation: @escaping @Sendable () async -> Value
) async -> Value {
    await withCheckedContinuation { continuation in
        let answered = NIOLockedValueBox(false)
        let answer: @Sendable (Value) -> Void = { value in
            let first = answered.withLockedValue { answered in
                defer { answered = true }
                return !answered
            }
            if first { continuation.resume(returning: value) }
        }
        let work = Task { answer(await operation()) }
        let timer = Task {
            try await Task.sleep(for: budget)
            answer(fallback)
            if cancellingLate { work.cancel() }
        }
        Task {
            _ = await work.value
            timer.cancel()
        }
    }
}
