import Foundation
import Logging
import Routing
import ServiceLifecycle
import Store
import Synchronization
import Telephony

/// What an `emergency.call` event tells the calling account (Kari's Law): which number called what, from where,
/// and when.
public struct EmergencyCallEvent: Sendable, Codable, Equatable {
    /// The validated address of the calling number, as the PSAP got it.
    public struct Address: Sendable, Codable, Equatable {
        public var id: String
        public var line: String
        public var esn: String
        public var psap: String
    }

    /// `911`, or `933` for a test call.
    public var dialed: String
    /// The calling (callback) number, when the call presented one.
    public var number: PhoneNumber?
    /// `located` when the number has a validated address, `unlocated` when the call reached the PSAP without one.
    public var location: String
    public var address: Address?
    public var trunkId: String?
    /// The call's Call-ID; in a summary, the last repeat's.
    public var callId: String
    /// When the call was routed; in a summary, when the last repeat was.
    public var at: Date
    /// `0` for a call told at once. In a summary: how many more calls of the same number, trunk and dialed code
    /// came within the window after the one told at once.
    public var repeats: Int
    /// In a summary, when the call told at once was routed: the repeats came between `since` and `at`.
    public var since: Date?

    init(_ notice: EmergencyCallNotice, repeats: Int = 0, since: EmergencyCallNotice? = nil) {
        dialed = notice.dialed
        number = notice.call.callback
        location = notice.call.location == nil ? "unlocated" : "located"
        address = notice.call.location.map { Address(id: $0.addressId, line: $0.line, esn: $0.esn, psap: $0.psap) }
        trunkId = notice.trunkId
        callId = notice.callID
        at = Date(timeIntervalSince1970: Double(notice.at) / 1_000)
        self.repeats = repeats
        self.since = since.map { Date(timeIntervalSince1970: Double($0.at) / 1_000) }
    }
}

/// Kari's Law: tells an account at once of every 911 and 933 call from its trunks, through its webhook endpoints.
///
/// Takes the calls routing announced in an ``EmergencyCallQueue``, logs each (a warning when the caller had no
/// validated address), writes an `emergency.call` event to the outbox and wakes the ``WebhookDelivery``. Routing
/// never waits for any of it.
///
/// Repeats are coalesced: the first call of a number from a trunk to a dialed code is told at once, and the calls
/// of the same number, trunk and code within ``Configuration/window`` after it are counted, then told in one
/// `emergency.call` event whose `repeats` says how many (with the last call's id and time, and `since`, the first
/// call's). A flood of spoofed 911 INVITEs thus gives one event per caller and window, while routing still
/// answers every call. At graceful shutdown the waiting calls and the open windows' summaries are still written
/// before it returns, so run it after the store and before the SIP server (services stop in reverse order).
public struct EmergencyNotifier: Service {
    /// How repeats are coalesced.
    public struct Configuration: Sendable {
        /// How long after a call its repeats are counted into one summary: one minute by default.
        public var window: Duration
        /// How many callers' windows are open at once at most (10,000 by default); past that, calls are told one by
        /// one, bounded by the queue's capacity.
        public var maximumWindows: Int
        /// How often open windows are checked for closing.
        public var closingInterval: Duration
        /// The monotonic time windows are measured in (tests move it by hand).
        package var now: @Sendable () -> ContinuousClock.Instant = { .now }

        public init(window: Duration = .seconds(60), maximumWindows: Int = 10_000, closingInterval: Duration = .seconds(1)) {
            precondition(window > .zero && maximumWindows > 0 && closingInterval > .zero)
            self.window = window
            self.maximumWindows = maximumWindows
            self.closingInterval = closingInterval
        }
    }

    let queue: EmergencyCallQueue
    let store: Store
    let delivery: WebhookDelivery?
    let configuration: Configuration
    let logger: Logger

    public init(
        queue: EmergencyCallQueue, store: Store, delivery: WebhookDelivery?, configuration: Configuration = .init(),
        logger: Logger
    ) {
        self.queue = queue
        self.store = store
        self.delivery = delivery
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async {
        let coalescer = SharedCoalescer(configuration)
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Closes the windows whose time is up, and tells their repeats. The writes run outside this
                    // task's cancellation: stopping the loop at shutdown must not fail a summary already taken.
                    while (try? await Task.sleep(for: configuration.closingInterval)) != nil {
                        let summaries = coalescer.state.withLock { $0.close(at: configuration.now()) }
                        guard !summaries.isEmpty else { continue }
                        await Task { for summary in summaries { await notify(summary) } }.value
                    }
                }
                for await notice in queue.notices {
                    if coalescer.state.withLock({ $0.admit(notice, at: configuration.now()) }) {
                        await notify(notice)
                    }
                }
                group.cancelAll()
            }
            for summary in coalescer.state.withLock({ $0.close(at: nil) }) { await notify(summary) }
        } onGracefulShutdown: {
            queue.finish()
        }
    }

    /// Logs a call and writes its event; a store error is retried twice, then logged.
    public func notify(_ notice: EmergencyCallNotice) async {
        await write(EmergencyCallEvent(notice), for: notice)
    }

    /// Logs and writes the summary of a caller's repeated calls.
    private func notify(_ summary: EmergencyNoticeCoalescer.Summary) async {
        await write(EmergencyCallEvent(summary.last, repeats: summary.repeats, since: summary.first), for: summary.last)
    }

    private func write(_ event: EmergencyCallEvent, for notice: EmergencyCallNotice) async {
        var metadata: Logger.Metadata = [
            "account": "\(notice.call.accountId)", "number": "\(event.number?.e164 ?? "unknown")",
            "dialed": "\(notice.dialed)", "call_id": "\(notice.callID)",
        ]
        if event.repeats > 0 { metadata["repeats"] = "\(event.repeats)" }
        if let address = event.address {
            metadata["address"] = "\(address.line)"
            logger.notice("emergency call routed", metadata: metadata)
        } else {
            logger.warning("emergency call from a number with no validated address: routed without a location", metadata: metadata)
        }
        for attempt in 1...3 {
            do {
                try await store.transaction { database in
                    try await WebhookOutbox.enqueue(.emergencyCall, account: notice.call.accountId, data: event, at: event.at, in: database)
                }
                delivery?.wake()
                return
            } catch {
                if attempt == 3 {
                    logger.critical("an emergency call's notification was not recorded", metadata: metadata.merging(
                        ["error": "\(String(reflecting: error))"], uniquingKeysWith: { $1 }
                    ))
                } else {
                    try? await Task.sleep(for: .milliseconds(100 * attempt))
                }
            }
        }
    }
}

/// The coalescer the notifier's two tasks share: the one that takes notices and the one that closes windows.
private final class SharedCoalescer: Sendable {
    let state: Mutex<EmergencyNoticeCoalescer>

    init(_ configuration: EmergencyNotifier.Configuration) {
        state = Mutex(EmergencyNoticeCoalescer(window: configuration.window, maximumWindows: configuration.maximumWindows))
    }
}
