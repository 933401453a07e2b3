import Foundation
import NIOConcurrencyHelpers

/// Results of slow lookups (fetching and validating a certificate chain, a revocation list) by URL, each kept for
/// the lifetime its loader gives, at most `capacity` of them (the least recently used goes first). Concurrent
/// lookups of one URL share one load.
final class ExpiringCache<Value: Sendable>: Sendable {
    typealias Outcome = Result<Value, VerificationFailure>

    private struct Entry {
        var outcome: Outcome
        var expires: Date
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var loading: [String: Task<Outcome, Never>] = [:]
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The cached outcome for `key`, when there is one that has not expired.
    func value(for key: String) -> Outcome? {
        let now = Date()
        return state.withLockedValue { state in
            guard let entry = state.entries[key], entry.expires > now else { return nil }
            state.clock += 1
            state.entries[key]?.lastUse = state.clock
            return entry.outcome
        }
    }

    /// The outcome for `key`: cached, being loaded by another caller, or loaded now by `load`, which returns the
    /// outcome and how many seconds to keep it.
    func value(for key: String, load: @escaping @Sendable () async -> (Outcome, TimeInterval)) async -> Outcome {
        if let cached = value(for: key) { return cached }
        let task = state.withLockedValue { state in
            if let loading = state.loading[key] { return loading }
            let task = Task { [weak self] in
                let (outcome, lifetime) = await load()
                self?.store(outcome, for: key, lifetime: lifetime)
                return outcome
            }
            state.loading[key] = task
            return task
        }
        return await task.value
    }

    private func store(_ outcome: Outcome, for key: String, lifetime: TimeInterval) {
        let expires = Date() + lifetime
        state.withLockedValue { state in
            state.loading[key] = nil
            guard lifetime > 0 else { return }
            if state.entries[key] == nil, state.entries.count >= capacity,
                let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key
            {
                state.entries[oldest] = nil
            }
            state.clock += 1
            state.entries[key] = Entry(outcome: outcome, expires: expires, lastUse: state.clock)
        }
    }
}

/// The result of `operation` if it finishes within `budget`, else `fallback`; the operation then runs on unwaited,
/// so that what it loads is there for the next caller.
func within<Value: Sendable>(
    _ budget: Duration, otherwise fallback: Value, _ operation: @escaping @Sendable () async -> Value
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
        let timer = Task {
            try await Task.sleep(for: budget)
            answer(fallback)
        }
        Task {
            answer(await operation())
            timer.cancel()
        }
    }
}
