import Synchronization
import Telephony

/// Which calls from unknown sources (addresses that are no trunk's or carrier's) get a routing record.
///
/// Such a call is refused `403` from memory, cheaply, every time; writing a row for each would let anyone with a
/// UDP socket (sources can be spoofed) fill the database. So each source gets a few records a second (a token
/// bucket of `burst` that refills at `perSecond`), and all unknown sources together at most `totalPerSecond`:
/// enough to see a misconfigured PBX in the records, never a flood. The rest are counted, not written.
///
/// Shared by every event loop; each check takes one short lock. The table of sources is bounded: past
/// `maximumSources` it starts afresh, so no peer can grow it.
public final class UnknownSourceSampler: Sendable {
    /// How records of unknown sources are sampled.
    public struct Configuration: Sendable {
        /// Records a second, per source, once its burst is spent.
        public var perSecond: Double
        /// Records a source may have at once, after a quiet spell.
        public var burst: Double
        /// Records a second for all unknown sources together (and as many at once).
        public var totalPerSecond: Double
        /// Sources tracked at most.
        public var maximumSources: Int

        public init(perSecond: Double = 1, burst: Double = 5, totalPerSecond: Double = 50, maximumSources: Int = 10_000) {
            precondition(perSecond > 0 && burst >= 1 && totalPerSecond >= 1 && maximumSources > 0)
            self.perSecond = perSecond
            self.burst = burst
            self.totalPerSecond = totalPerSecond
            self.maximumSources = maximumSources
        }
    }

    private struct State {
        var sources: [IPAddress: TokenBucket] = [:]
        var total: TokenBucket
        var suppressed = 0
    }

    public let configuration: Configuration
    private let state: Mutex<State>

    public init(_ configuration: Configuration = .init(), at now: ContinuousClock.Instant = .now) {
        self.configuration = configuration
        state = Mutex(State(total: TokenBucket(capacity: configuration.totalPerSecond, at: now)))
    }

    /// Whether a call from `source` gets a record; a call that does not is counted in ``suppressed``.
    public func admit(_ source: IPAddress, at now: ContinuousClock.Instant = .now) -> Bool {
        let configuration = self.configuration
        return state.withLock { state in
            if state.sources.count >= configuration.maximumSources, state.sources[source] == nil {
                state.sources.removeAll(keepingCapacity: true)
            }
            let fresh = TokenBucket(capacity: configuration.burst, at: now)
            let admitted = state.sources[source, default: fresh].take(rate: configuration.perSecond, capacity: configuration.burst, at: now)
                && state.total.take(rate: configuration.totalPerSecond, capacity: configuration.totalPerSecond, at: now)
            if !admitted { state.suppressed += 1 }
            return admitted
        }
    }

    /// How many calls from unknown sources got no record since start.
    public var suppressed: Int {
        state.withLock { $0.suppressed }
    }
}
