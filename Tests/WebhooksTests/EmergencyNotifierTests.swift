import Foundation
import Logging
import Routing
import SQLKit
import Store
import Synchronization
import Telephony
import TestSupport
import Testing
import Webhooks

@Suite("Kari's Law notifications under a 911 flood")
struct EmergencyNotifierTests {
    /// The `emergency.call` events in the outbox, oldest first, as their payloads.
    private func events(_ store: Store) async throws -> [[String: Any]] {
        try await store.read { database in
            try await database.raw("SELECT payload FROM webhook_events WHERE type = 'emergency.call' ORDER BY created_at, id").all()
                .map { try $0.decode(column: "payload", as: String.self) }
        }.compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    private func waitFor(_ count: Int, in store: Store) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let found = try await events(store)
            if found.count >= count || ContinuousClock.now > deadline { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("500 911 calls from one caller: one event at once, one summary of 499 repeats when the window closes",
          arguments: TestDatabase.available)
    func floodCoalesces(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let queue = EmergencyCallQueue()
            var logger = Logger(label: "test.kari")
            logger.logLevel = .critical
            // The windows' time moves only when the test says: every call below falls in one window, however
            // slowly the machine takes them.
            let time = MovingTime()
            var configuration = EmergencyNotifier.Configuration(window: .seconds(60), closingInterval: .milliseconds(20))
            configuration.now = { time.now }
            let notifier = EmergencyNotifier(queue: queue, store: store, delivery: nil, configuration: configuration, logger: logger)
            let running = Task { await notifier.run() }
            let at = fixture.clock.unixSeconds() * 1_000
            let caller = EmergencyCall(accountId: fixture.acme.accountId, callback: PhoneNumber("+12025550100"), location: nil)
            for index in 0..<500 {
                queue.offer(EmergencyCallNotice(
                    dialed: "911", call: caller, trunkId: fixture.acmeTrunk.id, callID: "flood-\(index)", at: at + Int64(index)
                ))
            }
            // A second caller in the same second is told on its own.
            queue.offer(EmergencyCallNotice(
                dialed: "911", call: EmergencyCall(accountId: fixture.acme.accountId, callback: PhoneNumber("+12025550101"), location: nil),
                trunkId: fixture.acmeTrunk.id, callID: "other", at: at
            ))
            // The other caller's call was offered last: once it is told, every repeat has been counted.
            let early = try await waitFor(2, in: store)
            #expect(early.count == 2, "the first call of each caller, at once")
            time.advance(by: .seconds(61))
            let told = try await waitFor(3, in: store)
            queue.finish()
            await running.value
            #expect(told.count == 3, "the first call of each caller, and one summary")
            let first = try #require(told.first { ($0["data"] as? [String: Any])?["call_id"] as? String == "flood-0" }?["data"] as? [String: Any])
            #expect(first["repeats"] as? Int == 0 && first["since"] == nil)
            let summary = try #require(told.first { ($0["data"] as? [String: Any])?["call_id"] as? String == "flood-499" }?["data"] as? [String: Any])
            #expect(summary["repeats"] as? Int == 499)
            #expect(summary["number"] as? String == "+12025550100" && summary["since"] != nil)
            #expect(try await events(store).count == 3, "nothing more at shutdown: the summary's window had closed")
        }
    }

    @Test("at shutdown, an open window's repeats are still told", arguments: TestDatabase.available)
    func shutdownFlushes(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let queue = EmergencyCallQueue()
            var logger = Logger(label: "test.kari")
            logger.logLevel = .critical
            let notifier = EmergencyNotifier(queue: queue, store: store, delivery: nil, configuration: .init(window: .seconds(3_600)), logger: logger)
            let running = Task { await notifier.run() }
            let caller = EmergencyCall(accountId: fixture.acme.accountId, callback: PhoneNumber("+12025550100"), location: nil)
            for index in 0..<3 {
                queue.offer(EmergencyCallNotice(dialed: "911", call: caller, trunkId: fixture.acmeTrunk.id, callID: "c\(index)", at: 0))
            }
            _ = try await waitFor(1, in: store)
            queue.finish()
            await running.value
            let told = try await events(store).compactMap { $0["data"] as? [String: Any] }
            #expect(told.map { $0["repeats"] as? Int ?? -1 }.sorted() == [0, 2])
        }
    }
}

/// A monotonic time that moves only when told to.
private final class MovingTime: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}
