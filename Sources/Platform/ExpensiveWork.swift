import Foundation
import Synchronization

/// Runs CPU-heavy work (a deliberately slow hash, such as a port-out PIN's) on threads of its own, a few
/// at a time, with a bounded queue behind them: past the queue, a caller is refused ``ServiceError/Code/busy`` at
/// once, so a burst of such requests cannot starve the API's other work or pile up without end.
public final class ExpensiveWork: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    private let state = Mutex(State())
    /// How many run at once.
    public let concurrency: Int
    /// How many may wait for a turn.
    public let queue: Int

    public init(concurrency: Int = 1, queue: Int = 16) {
        precondition(concurrency > 0 && queue >= 0)
        self.concurrency = concurrency
        self.queue = queue
    }

    /// How many run now.
    public var running: Int {
        state.withLock { $0.running }
    }

    /// How many callers wait for a turn now.
    public var queued: Int {
        state.withLock { $0.waiting.count }
    }

    /// Runs `work` on a thread of its own once there is room; throws `busy` when the queue is full.
    public func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await enter()
        defer { leave() }
        // A thread of its own: neither the cooperative pool nor Dispatch's shared workers (as few as the cores) are
        // held while the work runs. Work of this kind is rare enough that a thread per job costs nothing that counts.
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try work() })
            }
            thread.name = "tandem-expensive-work"
            thread.start()
        }
    }

    private func enter() async throws(ServiceError) {
        enum Admission { case now, wait, refuse }
        let admission: Admission = state.withLock { state in
            if state.running < concurrency {
                state.running += 1
                return .now
            }
            return state.waiting.count < queue ? .wait : .refuse
        }
        switch admission {
        case .now:
            return
        case .refuse:
            throw ServiceError(.busy, "the server is busy with work of this kind; try again in a second")
        case .wait:
            let admitted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                enum Turn { case now, queued, refused }
                let turn: Turn = state.withLock { state in
                    // Room may have opened since the check above: take it rather than wait for a wake-up. The queue
                    // may have filled: checked again under this lock.
                    if state.running < concurrency {
                        state.running += 1
                        return .now
                    }
                    guard state.waiting.count < queue else { return .refused }
                    state.waiting.append(continuation)
                    return .queued
                }
                switch turn {
                case .now: continuation.resume(returning: true)
                case .refused: continuation.resume(returning: false)
                case .queued: break
                }
            }
            guard admitted else {
                throw ServiceError(.busy, "the server is busy with work of this kind; try again in a second")
            }
        }
    }

    /// Hands the turn to the next waiter, or frees it.
    private func leave() {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
