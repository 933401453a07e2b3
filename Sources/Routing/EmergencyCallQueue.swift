import Synchronization
import Telephony

/// A 911 or 933 call as routing saw it, for the notifications Kari's Law asks for: who called, from where, and
/// when.
public struct EmergencyCallNotice: Sendable, Hashable {
    /// The number dialed: `911`, or `933` for a test call.
    public var dialed: String
    public var call: EmergencyCall
    /// The trunk the call came from.
    public var trunkId: String?
    public var callID: String
    /// When the call was routed, in Unix milliseconds.
    public var at: Int64

    public init(dialed: String, call: EmergencyCall, trunkId: String?, callID: String, at: Int64) {
        self.dialed = dialed
        self.call = call
        self.trunkId = trunkId
        self.callID = callID
        self.at = at
    }
}

/// The emergency calls routing made, on their way from the SIP hot path to the customer's notifications.
///
/// ``offer(_:)`` never waits and never fails the call: the notices wait in a bounded buffer (an `AsyncStream`'s,
/// of ``capacity`` notices) for one consumer; when it is full, a notice is dropped and counted in ``dropped``.
/// Emergency calls are rare, so the buffer's lock costs the hot path nothing that matters.
public final class EmergencyCallQueue: Sendable {
    /// How many notices wait at most.
    public let capacity: Int
    /// The notices, in the order they were offered. Only one consumer may iterate.
    public let notices: AsyncStream<EmergencyCallNotice>
    private let continuation: AsyncStream<EmergencyCallNotice>.Continuation
    private let droppedCount = Mutex(0)

    public init(capacity: Int = 1_024) {
        precondition(capacity > 0, "an emergency call queue needs room for at least one notice")
        self.capacity = capacity
        (notices, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(capacity))
    }

    deinit {
        continuation.finish()
    }

    /// Queues a notice unless the queue is full; never blocks. Returns whether it was queued.
    @discardableResult
    public func offer(_ notice: EmergencyCallNotice) -> Bool {
        if case .enqueued = continuation.yield(notice) { return true }
        droppedCount.withLock { $0 += 1 }
        return false
    }

    /// Ends the stream of notices: the consumer stops once it has taken the waiting ones.
    public func finish() {
        continuation.finish()
    }

    /// How many notices were dropped because the queue was full.
    public var dropped: Int {
        droppedCount.withLock { $0 }
    }
}
