import Routing

/// Kari's Law notices, coalesced, so that a flood of 911 calls (UDP sources can be spoofed) cannot become a flood
/// of webhook events: per account, trunk, calling number and dialed code, the first call is told at once, and the
/// calls that follow within ``window`` are counted and told in one summary when the window closes.
///
/// Routing is never touched by this: every emergency call is still routed, and recorded, one by one.
struct EmergencyNoticeCoalescer {
    /// The calls one summary stands for: the first, told at once; the number that followed; the last of them.
    struct Summary: Equatable {
        var first: EmergencyCallNotice
        var repeats: Int
        var last: EmergencyCallNotice
    }

    private struct Key: Hashable {
        var accountId: String
        var trunkId: String?
        var caller: UInt64?
        var dialed: String

        init(_ notice: EmergencyCallNotice) {
            accountId = notice.call.accountId
            trunkId = notice.trunkId
            caller = notice.call.callback?.digits
            dialed = notice.dialed
        }
    }

    private struct Window {
        var opened: ContinuousClock.Instant
        var first: EmergencyCallNotice
        var repeats = 0
        var last: EmergencyCallNotice
    }

    /// How long after a call its repeats are counted rather than told.
    let window: Duration
    /// How many windows are open at most; past that, a call with no window is told at once, uncounted.
    let maximumWindows: Int
    private var open: [Key: Window] = [:]
    /// Summaries of windows that expired and were replaced before ``close(at:)`` came to them.
    private var replaced: [Summary] = []

    init(window: Duration, maximumWindows: Int) {
        precondition(maximumWindows > 0)
        self.window = window
        self.maximumWindows = maximumWindows
    }

    /// Whether `notice` is to be told now: `true` for the first call of its kind in a window (or one that finds
    /// every window taken), `false` for a repeat, counted into its window's summary.
    mutating func admit(_ notice: EmergencyCallNotice, at now: ContinuousClock.Instant) -> Bool {
        let key = Key(notice)
        if var counted = open[key], counted.opened + window > now {
            counted.repeats += 1
            counted.last = notice
            open[key] = counted
            return false
        }
        if let expired = open[key] {
            // The window is over but not yet closed: its repeats are told with the next closing.
            if expired.repeats > 0 { replaced.append(Summary(first: expired.first, repeats: expired.repeats, last: expired.last)) }
        } else if open.count >= maximumWindows {
            return true
        }
        open[key] = Window(opened: now, first: notice, last: notice)
        return true
    }

    /// Closes the windows opened `window` or longer before `now` (all of them, when `now` is `nil`), returning a
    /// summary for each that counted repeats.
    mutating func close(at now: ContinuousClock.Instant?) -> [Summary] {
        var summaries = replaced
        replaced.removeAll()
        for (key, counted) in open where now.map({ counted.opened + window <= $0 }) ?? true {
            open[key] = nil
            if counted.repeats > 0 {
                summaries.append(Summary(first: counted.first, repeats: counted.repeats, last: counted.last))
            }
        }
        return summaries.sorted { $0.first.at < $1.first.at }
    }

    /// How many windows are open.
    var openWindows: Int { open.count }
}
