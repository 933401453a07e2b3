import Atomics
import Foundation
import Synchronization
import Telephony

// MARK: - RoutingRecord

/// What routing decided for one call, as kept in the routing records: the decision log that CDRs, fraud
/// detection and quality build on.
///
/// Made on the hot path, so it holds the decision's values as they are (no formatting): the strings are shared
/// with the request and the decision, and the source address stays an ``IPAddress`` until the record is written.
public struct RoutingRecord: Sendable, Equatable {
    /// A carrier chosen for an outbound call, with what it costs per minute.
    /// When the decision was made, in Unix milliseconds.
    public var at: Int64
    public var callID: String
    /// Where the request came from (the SBC's address).
    public var source: IPAddress
    /// The customer trunk the call came from; `nil` for calls from carriers and unknown sources.
    public var trunkId: String?
    /// The Request-URI's user part, as received.
    public var dialed: String
    /// The dialed number as normalized (E.164 for NANP), when it was a number.
    public var normalized: String?
    /// The LRN of the dialed number when it was ported.
    public var lrn: String?
    /// The jurisdiction an outbound call was rated in.
    public var jurisdiction: Jurisdiction?
    /// The SIP status answered: 302 for a redirect, else the refusal's status.
    public var status: Int
    /// For a redirect, what the first target is (a trunk, a carrier, the emergency route); for a refusal, why.
    public var reason: String
    /// Outbound: the carriers chosen, cheapest first.
    public var carriers: [ChosenCarrier]
    /// Outbound: what the customer pays per minute, in micro-dollars.
    public var priceMicros: Int64?
    /// The caller presented a number its trunk may not present, and the trunk only flags that.
    public var callerIDFlagged: Bool

    public init(
        at: Int64, callID: String, source: IPAddress, trunkId: String?, dialed: String, normalized: String?,
        lrn: String?, jurisdiction: Jurisdiction?, status: Int, reason: String, carriers: [ChosenCarrier],
        priceMicros: Int64?, callerIDFlagged: Bool
    ) {
        self.at = at
        self.callID = callID
        self.source = source
        self.trunkId = trunkId
        self.dialed = dialed
        self.normalized = normalized
        self.lrn = lrn
        self.jurisdiction = jurisdiction
        self.status = status
        self.reason = reason
        self.carriers = carriers
        self.priceMicros = priceMicros
        self.callerIDFlagged = callerIDFlagged
    }

    /// The record of `decision`, made for `request` at `at` (Unix milliseconds).
    public init(request: CallRequest, decision: RoutingDecision, at: Int64) {
        let status: Int
        let reason: String
        switch decision.outcome {
        case .redirect(let targets):
            status = 302
            reason = targets.first?.label ?? ""
        case .refuse(let refusal):
            status = refusal.status
            reason = refusal.reason
        }
        // A peer controls the Call-ID and the dialed string: keep at most 128 bytes of each, so the queue's memory
        // stays bounded by its capacity.
        self.init(
            at: at, callID: Self.bounded(request.callID), source: request.source, trunkId: decision.sourceTrunk,
            dialed: Self.bounded(request.dialed), normalized: decision.normalized, lrn: decision.lrn,
            jurisdiction: decision.jurisdiction, status: status, reason: Self.bounded(reason),
            carriers: decision.carriers,
            priceMicros: decision.price?.micros, callerIDFlagged: decision.callerIDFlagged
        )
    }

    /// `text` cut to at most 128 bytes, on a character boundary.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > 128 else { return text }
        var result = ""
        for character in text {
            if result.utf8.count + character.utf8.count > 128 { break }
            result.append(character)
        }
        return result
    }
}

// MARK: - RoutingRecordQueue

/// A bounded queue of routing records between the routing hot path (many producers) and the record writer
/// (one consumer).
///
/// A fixed-capacity ring buffer, allocated once: ``offer(_:)`` holds the lock only to store one record and never
/// waits for the consumer. When the queue is full the record is dropped and counted (``dropped``), so a slow or
/// failing database never slows routing down. Memory is bounded by `capacity` records (about 12 MB at the
/// default capacity).
///
/// When ``batchThreshold`` records are waiting, ``wakeups`` delivers a signal so that the consumer need not wait
/// for its next tick.
public final class RoutingRecordQueue: Sendable {
    /// The capacity used when none is given.
    public static let defaultCapacity = 65_536

    /// How many records the queue holds at most.
    public let capacity: Int
    /// How many waiting records make the queue wake its consumer.
    public let batchThreshold: Int

    private struct Ring {
        var slots: [RoutingRecord?]
        var head = 0
        var count = 0
    }

    private let ring: Mutex<Ring>
    private let droppedCount = ManagedAtomic<Int>(0)
    private let wakeupStream: AsyncStream<Void>
    private let wakeupContinuation: AsyncStream<Void>.Continuation

    /// A queue of at most `capacity` records that wakes its consumer when `batchThreshold` are waiting.
    public init(capacity: Int = RoutingRecordQueue.defaultCapacity, batchThreshold: Int = 1_000) {
        precondition(capacity > 0, "a routing record queue needs room for at least one record")
        precondition(batchThreshold > 0, "the batch threshold must be positive")
        self.capacity = capacity
        self.batchThreshold = batchThreshold
        self.ring = Mutex(Ring(slots: Array(repeating: nil, count: capacity)))
        (wakeupStream, wakeupContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        wakeupContinuation.finish()
    }

    /// Adds a record unless the queue is full; never blocks. Returns whether the record was queued.
    @discardableResult
    public func offer(_ record: RoutingRecord) -> Bool {
        let waiting: Int? = ring.withLock { ring in
            guard ring.count < ring.slots.count else { return nil }
            var tail = ring.head + ring.count
            if tail >= ring.slots.count { tail -= ring.slots.count }
            ring.slots[tail] = record
            ring.count += 1
            return ring.count
        }
        guard let waiting else {
            droppedCount.wrappingIncrement(ordering: .relaxed)
            return false
        }
        if waiting == batchThreshold { wakeupContinuation.yield() }
        return true
    }

    /// Moves up to `maximum` of the oldest records into `batch`, in the order they were offered; returns how many.
    ///
    /// Takes the lock for a few hundred records at a time, so producers never wait long.
    @discardableResult
    public func drain(into batch: inout [RoutingRecord], maximum: Int) -> Int {
        var taken = 0
        while taken < maximum {
            let chunk = min(256, maximum - taken)
            let moved = ring.withLock { ring -> Int in
                let moving = min(chunk, ring.count)
                for _ in 0..<moving {
                    if let record = ring.slots[ring.head].take() { batch.append(record) }
                    ring.head = ring.head + 1 == ring.slots.count ? 0 : ring.head + 1
                    ring.count -= 1
                }
                return moving
            }
            taken += moved
            if moved < chunk { break }
        }
        return taken
    }

    /// How many records are waiting.
    public var count: Int {
        ring.withLock { $0.count }
    }

    /// How many records were dropped because the queue was full, since it was made.
    public var dropped: Int {
        droppedCount.load(ordering: .relaxed)
    }

    /// Signals that records are waiting: when ``batchThreshold`` are, and whenever ``wake()`` is called.
    ///
    /// Signals do not pile up: several before the consumer looks count as one. Only one consumer may iterate.
    public var wakeups: AsyncStream<Void> {
        wakeupStream
    }

    /// Wakes the consumer (a timer tick, or shutdown).
    public func wake() {
        wakeupContinuation.yield()
    }
}
