import NIOConcurrencyHelpers
import NIOCore
import SIP
import Telephony

// The server-transaction layer's state (RFC 3261 §17.2): the answer a transport sends, the key a
// retransmission is known by, and the cache that remembers answers for their transaction's lifetime.
// RedirectResponder.answer(_:from:) is the layer's logic.

/// An answer to send, and the top Via of the request it answers: the transport stamps that Via and sends the
/// answer by it (RFC 3261 §18.2.1, §18.2.2).
struct RedirectAnswer: Sendable {
    var response: SIPEncodedResponse
    var topVia: SIPVia?
    /// When caller identity needs fetching: the better answer, within the fetches' budgets. `response` is what
    /// to send if they run out.
    var complete: (@Sendable () async -> RedirectAnswer)?
    /// When the answer waits: the 100 Trying to send at once, so the client stops retransmitting (RFC 3261 §17.2.1).
    var trying: SIPEncodedResponse?

    init(response: SIPEncodedResponse, topVia: SIPVia?, trying: SIPEncodedResponse? = nil,
         complete: (@Sendable () async -> RedirectAnswer)? = nil) {
        self.response = response
        self.topVia = topVia
        self.trying = trying
        self.complete = complete
    }

    /// The provisional answer to send while this one waits, if it does.
    var provisional: RedirectAnswer? {
        trying.map { RedirectAnswer(response: $0, topVia: topVia) }
    }
}

/// What identifies an INVITE transaction for its retransmissions (RFC 3261 §17.2.3), and the peer that sent it.
struct TransactionKey: Equatable, Sendable {
    var source: IPAddress
    var callID: String
    var sequence: UInt32
    var method: SIPMethod
    var branch: String
    /// A 64-bit digest of the rest, with the process's random hashing seed: the cache's index. Two keys may share
    /// one, so the cache compares the whole key before it answers.
    let digest: UInt64

    init(_ request: SIPRequest, _ validated: SIPValidatedHeaders, method: SIPMethod, source: IPAddress) {
        self.init(
            source: source, callID: request.headers.callID ?? "", sequence: validated.cseq?.number ?? 0,
            method: method, branch: validated.topVia?.branch ?? ""
        )
    }

    /// A key; `digest` replaces the computed one, so that tests can make two keys collide.
    init(source: IPAddress, callID: String, sequence: UInt32, method: SIPMethod, branch: String, digest: UInt64? = nil) {
        self.source = source
        self.callID = callID
        self.sequence = sequence
        self.method = method
        self.branch = branch
        if let digest {
            self.digest = digest
        } else {
            var hasher = Hasher()
            hasher.combine(source)
            hasher.combine(callID)
            hasher.combine(sequence)
            hasher.combine(method)
            hasher.combine(branch)
            self.digest = UInt64(UInt(bitPattern: hasher.finalize()))
        }
    }
}

/// The answers given to recent INVITEs, so that retransmissions get the same one (RFC 3261 §17.2.1).
///
/// Bounded twice: by the number of answers, and by their bytes (each answer's, with its key's Call-ID and branch
/// and a fixed overhead), so that long Call-IDs cannot make a full cache large. When either is reached, the oldest
/// answers are forgotten first. Entries also expire after 32 s (timer H's 64*T1), after which a retransmission is
/// treated as a new request. The table is indexed by the keys' digests, which hash and compare as one integer; an
/// entry answers only the key it was stored for. Of two keys with one digest, the later answer replaces the
/// earlier, whose retransmissions are then routed again.
final class AnswerCache: Sendable {
    /// What an entry costs beyond its answer's bytes and its key's strings: the table slot, the key's other
    /// fields, the strings' headers.
    static let entryOverhead = 128

    private struct Entry {
        var key: TransactionKey
        var response: SIPEncodedResponse
        var at: NIODeadline
        /// The answer waits for caller identity; until it comes, retransmissions are absorbed.
        var pending: Bool
        /// A CANCEL came while the answer was pending: the INVITE is to be answered 487, not with what it waited for.
        var cancelled = false
        /// What the entry counts against the byte budget.
        var cost: Int
    }

    /// What the cache knows of a transaction.
    enum Lookup {
        case answered(SIPEncodedResponse)
        case pending
    }

    private struct State {
        var answers: [UInt64: Entry] = [:]
        /// The digests in the order they were stored, oldest at `head`: a ring of `count` of `capacity` slots.
        var order: [UInt64]
        var head = 0
        var count = 0
        var bytes = 0
    }

    private let capacity: Int
    /// The most the entries may cost together, in bytes.
    let byteBudget: Int
    private let lifetime = TimeAmount.seconds(32)
    private let state: NIOLockedValueBox<State>

    init(capacity: Int, byteBudget: Int = 64 << 20) {
        precondition(capacity > 0 && byteBudget > 0)
        self.capacity = capacity
        self.byteBudget = byteBudget
        // Room for every answer from the start: growing the table would copy it while requests wait.
        var initial = State(order: Array(repeating: 0, count: capacity))
        initial.answers.reserveCapacity(capacity)
        self.state = NIOLockedValueBox(initial)
    }

    func lookup(_ key: TransactionKey) -> Lookup? {
        state.withLockedValue { state in
            guard let entry = state.answers[key.digest], entry.key == key, entry.at + lifetime > .now() else {
                return nil
            }
            return entry.pending ? .pending : .answered(entry.response)
        }
    }

    /// The answer given to `key`, when it has been given.
    func answer(_ key: TransactionKey) -> SIPEncodedResponse? {
        guard case .answered(let response)? = lookup(key) else { return nil }
        return response
    }

    /// What a CANCEL finds of the INVITE transaction it names (RFC 3261 §9.2).
    enum CancelOutcome {
        /// No such transaction: 481.
        case unknown
        /// The INVITE was answered already: 200, and nothing more.
        case answered
        /// The INVITE's answer was pending: 200, and the INVITE is now to be answered 487 (``finish(_:completed:cancelled:)``).
        case cancelledPending
    }

    /// Records a CANCEL of `key`'s INVITE, and says what it found.
    func cancel(_ key: TransactionKey) -> CancelOutcome {
        state.withLockedValue { state in
            guard var entry = state.answers[key.digest], entry.key == key, entry.at + lifetime > .now() else { return .unknown }
            guard entry.pending else { return .answered }
            entry.cancelled = true
            state.answers[key.digest] = entry
            return .cancelledPending
        }
    }

    /// Ends `key`'s pending answer: `completed`, or `cancelled` when a CANCEL came while it waited. Decided and
    /// stored under one lock, so that a CANCEL cannot slip in between (it would get 200 and the INVITE a 302).
    func finish(_ key: TransactionKey, completed: SIPEncodedResponse, cancelled: SIPEncodedResponse) -> SIPEncodedResponse {
        let final = state.withLockedValue { state -> SIPEncodedResponse? in
            guard var entry = state.answers[key.digest], entry.key == key else { return nil }
            let final = entry.cancelled ? cancelled : completed
            let cost = final.byteCount + key.callID.utf8.count + key.branch.utf8.count + Self.entryOverhead
            state.bytes += cost - entry.cost
            entry.response = final
            entry.pending = false
            entry.cost = cost
            state.answers[key.digest] = entry
            return final
        }
        guard let final else {
            // The pending entry was forgotten (the cache was full): the answer is remembered anew.
            store(completed, for: key)
            return completed
        }
        return final
    }

    /// What the entries cost together now, in bytes.
    var bytes: Int {
        state.withLockedValue { $0.bytes }
    }

    func store(_ response: SIPEncodedResponse, for key: TransactionKey, pending: Bool = false) {
        let cost = response.byteCount + key.callID.utf8.count + key.branch.utf8.count + Self.entryOverhead
        // An answer larger than the whole budget is not kept: its retransmissions are answered again.
        guard cost <= byteBudget else { return }
        state.withLockedValue { state in
            let entry = Entry(key: key, response: response, at: .now(), pending: pending, cost: cost)
            if let replaced = state.answers.updateValue(entry, forKey: key.digest) {
                state.bytes += cost - replaced.cost
            } else {
                if state.count == capacity { Self.forgetOldest(&state) }
                state.order[(state.head + state.count) % capacity] = key.digest
                state.count += 1
                state.bytes += cost
            }
            while state.bytes > byteBudget, state.count > 1 { Self.forgetOldest(&state) }
        }
    }

    private static func forgetOldest(_ state: inout State) {
        let digest = state.order[state.head]
        state.head = (state.head + 1) % state.order.count
        state.count -= 1
        if let forgotten = state.answers.removeValue(forKey: digest) { state.bytes -= forgotten.cost }
    }
}
