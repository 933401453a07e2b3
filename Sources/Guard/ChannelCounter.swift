import Routing
import Synchronization

/// The calls each trunk has up: a channel is taken when Tandem redirects a call and given back when the switch says
/// the call ended (or its CDR arrives); a call the switch never says was answered gives its channel back when
/// ``Configuration/answerTimeout`` passes, an answered one after ``Configuration/longestCall``, so a lost event
/// holds a channel for a while, never for good.
///
/// Shared by every event loop; each call takes one short lock. The table is bounded by
/// ``Configuration/maximumCalls``: past it, calls are admitted without a channel (counted as untracked), so no
/// flood of redirects can grow it without bound; the limits then undercount, never refuse a call they cannot see.
public final class ChannelCounter: Sendable {
    /// How long a channel is held without news.
    public struct Configuration: Sendable {
        /// From the redirect to the answer: longer than the switch lets a call ring (its ring timeout, across the
        /// Contacts it tries).
        public var answerTimeout: Duration
        /// From the answer to the end: the longest call the switch keeps up (Kamailio's dialog lifetime).
        public var longestCall: Duration
        /// The most calls tracked at once, across all trunks.
        public var maximumCalls: Int

        public init(answerTimeout: Duration = .seconds(180), longestCall: Duration = .seconds(12 * 3_600), maximumCalls: Int = 1_000_000) {
            self.answerTimeout = answerTimeout
            self.longestCall = longestCall
            self.maximumCalls = maximumCalls
        }
    }

    /// A trunk's channels in use.
    public struct Usage: Sendable, Hashable, Codable {
        /// Redirected, not yet answered.
        public var ringing: Int
        public var answered: Int

        public init(ringing: Int = 0, answered: Int = 0) {
            self.ringing = ringing
            self.answered = answered
        }

        /// Channels in use: ringing and answered.
        public var inUse: Int { ringing + answered }
    }

    private struct Call {
        var trunk: String
        var answered: Bool
        var expires: ContinuousClock.Instant
    }

    private struct State {
        /// By Call-ID.
        var calls: [String: Call] = [:]
        /// By trunk: the Call-IDs of its calls.
        var trunks: [String: Set<String>] = [:]
        var untracked = 0

        mutating func remove(_ callID: String) {
            guard let call = calls.removeValue(forKey: callID) else { return }
            trunks[call.trunk]?.remove(callID)
            if trunks[call.trunk]?.isEmpty == true { trunks[call.trunk] = nil }
        }

        /// Drops the trunk's calls whose time is up.
        mutating func expire(trunk: String, at now: ContinuousClock.Instant) {
            for callID in trunks[trunk] ?? [] where calls[callID].map({ $0.expires <= now }) == true { remove(callID) }
        }
    }

    private let state = Mutex(State())
    public let configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Takes a channel of `trunk` for the call `callID`, unless the trunk has `limit` (when given) in use already.
    /// A call that holds one already keeps it (a new INVITE of the same call).
    public func take(trunk: String, limit: Int?, callID: String, at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            if state.calls[callID] != nil { return true }
            if let limit, (state.trunks[trunk]?.count ?? 0) >= limit {
                state.expire(trunk: trunk, at: now)
                guard (state.trunks[trunk]?.count ?? 0) < limit else { return false }
            }
            guard state.calls.count < configuration.maximumCalls else {
                state.untracked += 1
                return true
            }
            state.calls[callID] = Call(trunk: trunk, answered: false, expires: now + configuration.answerTimeout)
            state.trunks[trunk, default: []].insert(callID)
            return true
        }
    }

    /// The switch says `callID` was answered: its channel is held until the call ends. Whether the call holds one.
    @discardableResult
    public func answered(_ callID: String, at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            guard state.calls[callID] != nil else { return false }
            state.calls[callID]?.answered = true
            state.calls[callID]?.expires = now + configuration.longestCall
            return true
        }
    }

    /// The call `callID` ended (or failed): its channel is free. Whether it held one.
    @discardableResult
    public func ended(_ callID: String) -> Bool {
        state.withLock { state in
            guard state.calls[callID] != nil else { return false }
            state.remove(callID)
            return true
        }
    }

    /// The channels `trunk` has in use at `now`.
    public func usage(of trunk: String, at now: ContinuousClock.Instant = .now) -> Usage {
        state.withLock { state in
            state.expire(trunk: trunk, at: now)
            var usage = Usage()
            for callID in state.trunks[trunk] ?? [] {
                if state.calls[callID]?.answered == true { usage.answered += 1 } else { usage.ringing += 1 }
            }
            return usage
        }
    }

    /// Every trunk's channels in use at `now`, for metrics; expired calls are dropped on the way.
    public func allUsage(at now: ContinuousClock.Instant = .now) -> [String: Usage] {
        state.withLock { state in
            var usage: [String: Usage] = [:]
            for (callID, call) in state.calls {
                if call.expires <= now {
                    state.remove(callID)
                    continue
                }
                if call.answered { usage[call.trunk, default: Usage()].answered += 1 } else { usage[call.trunk, default: Usage()].ringing += 1 }
            }
            return usage
        }
    }

    /// Calls admitted without a channel because the table was full.
    public var untracked: Int { state.withLock { $0.untracked } }
}

/// The trunk's channel limit: a redirected call takes one of its trunk's channels, and a call that finds them all in
/// use is refused `486 Busy Here`: the trunk is busy, not this server failing (a `503` would make the SBC fail over to
/// another Tandem or mark this one down). Only calls a trusted SBC sent are counted (``CallRequest/throughSBC``): the
/// SBC says when they end; a call from anyone else would hold its channel until its answer timeout. Put it last in
/// the chain: a later policy's refusal would leave the channel taken until that timeout.
public struct ChannelPolicy: AdmissionPolicy {
    public let counter: ChannelCounter

    public init(counter: ChannelCounter) {
        self.counter = counter
    }

    public func verdict(on call: CallRequest, routedAs decision: RoutingDecision) -> AdmissionVerdict {
        guard call.throughSBC, case .redirect = decision.outcome, let trunk = decision.channelTrunk,
            !counter.take(trunk: trunk, limit: decision.channelLimit, callID: call.callID)
        else { return .admit }
        let limit = decision.channelLimit ?? 0
        return .refuse(Refusal(status: 486, reason: "all \(limit) channels of the trunk are in use"))
    }
}
