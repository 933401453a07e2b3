import Foundation
import Logging
import Routing
import ServiceLifecycle
import Store
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
    public var callId: String
    /// When the call was routed.
    public var at: Date

    init(_ notice: EmergencyCallNotice) {
        dialed = notice.dialed
        number = notice.call.callback
        location = notice.call.location == nil ? "unlocated" : "located"
        address = notice.call.location.map { Address(id: $0.addressId, line: $0.line, esn: $0.esn, psap: $0.psap) }
        trunkId = notice.trunkId
        callId = notice.callID
        at = Date(timeIntervalSince1970: Double(notice.at) / 1_000)
    }
}

/// Kari's Law: tells an account at once of every 911 and 933 call from its trunks, through its webhook endpoints.
///
/// Takes the calls routing announced in an ``EmergencyCallQueue``, logs each (a warning when the caller had no
/// validated address), writes an `emergency.call` event to the outbox and wakes the ``WebhookDelivery``. Routing
/// never waits for any of it. At graceful shutdown the waiting calls are still written before it returns, so run
/// it after the store and before the SIP server (services stop in reverse order).
public struct EmergencyNotifier: Service {
    let queue: EmergencyCallQueue
    let store: Store
    let delivery: WebhookDelivery?
    let logger: Logger

    public init(queue: EmergencyCallQueue, store: Store, delivery: WebhookDelivery?, logger: Logger) {
        self.queue = queue
        self.store = store
        self.delivery = delivery
        self.logger = logger
    }

    public func run() async {
        await withGracefulShutdownHandler {
            for await notice in queue.notices {
                await notify(notice)
            }
        } onGracefulShutdown: {
            queue.finish()
        }
    }

    /// Logs a call and writes its event; a store error is retried twice, then logged.
    public func notify(_ notice: EmergencyCallNotice) async {
        let event = EmergencyCallEvent(notice)
        var metadata: Logger.Metadata = [
            "account": "\(notice.call.accountId)", "number": "\(event.number?.e164 ?? "unknown")",
            "dialed": "\(notice.dialed)", "call_id": "\(notice.callID)",
        ]
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
