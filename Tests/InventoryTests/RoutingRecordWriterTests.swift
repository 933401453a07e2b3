import Foundation
import Inventory
import Logging
import Observability
import Platform
import Routing
import RoutingFeed
import SQLKit
import ServiceLifecycle
import ServiceLifecycleTestKit
import Store
import Telephony
import Testing
import TestSupport
import Timekeeping

/// The time of the records below (2023-11-14): the writers run on it, so that none of them expires.
private let recordTime = WallClock.fixed(at: Date(timeIntervalSince1970: 1_700_000_000))

private func record(_ index: Int, trunk: String? = "trk_a") -> RoutingRecord {
    RoutingRecord(
        at: 1_700_000_000_000 + Int64(index), callID: "call-\(index)", source: IPAddress("192.0.2.10")!,
        trunkId: trunk, dialed: "13015550100", normalized: "+13015550100",
        lrn: index.isMultiple(of: 2) ? "+14105559000" : nil,
        jurisdiction: .interstate, status: 302, reason: "Cheap",
        carriers: [.init(id: "car_a", rate: Rate(micros: 4_000)), .init(id: "car_b", rate: Rate(micros: 4_500))],
        priceMicros: 10_000, callerIDFlagged: index == 1
    )
}

private func storedCount(_ store: Store) async throws -> Int {
    try await store.read { database in
        try await database.raw("SELECT COUNT(*) AS n FROM routing_records").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }
}

private let logger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}()

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Routing record writer", .timeLimit(.minutes(3)))
struct RoutingRecordWriterTests {
    @Test("writes waiting records in batches of the configured size, every field kept",
          arguments: TestDatabase.available)
    func batches(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let queue = RoutingRecordQueue(capacity: 5_000)
            let metrics = TandemMetrics(scraping: ScrapedFigures(recordsDropped: { queue.dropped }))
            let writer = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: recordTime), queue: queue, configuration: .init(batchSize: 1_000),
                metrics: metrics, logger: logger
            )
            for index in 0..<2_500 { queue.offer(record(index)) }
            #expect(await writer.writeWaiting() == 2_500)
            #expect(queue.count == 0)
            #expect(try await storedCount(store) == 2_500)
            #expect(await writer.writeWaiting() == 0)

            let fixture = try await Fixture.make(store)
            let page = try await RoutingRecords(store: store, clock: recordTime).records(
                trunkId: nil, page: PageRequest(limit: 3), by: fixture.operatorPrincipal
            )
            // Newest first.
            #expect(page.data.map(\.callId) == ["call-2499", "call-2498", "call-2497"])
            let newest = try #require(page.data.first)
            #expect(newest.atMs == 1_700_000_002_499)
            #expect(newest.at == Date(timeIntervalSince1970: 1_700_000_002))
            #expect(newest.source == "192.0.2.10")
            #expect(newest.trunkId == "trk_a")
            #expect(newest.normalized == "+13015550100")
            #expect(newest.lrn == nil)
            #expect(page.data[1].lrn == "+14105559000")
            #expect(newest.jurisdiction == "interstate")
            #expect(newest.status == 302)
            #expect(newest.carriers == [
                .init(carrierId: "car_a", cost: Money(micros: 4_000)),
                .init(carrierId: "car_b", cost: Money(micros: 4_500)),
            ])
            #expect(newest.price == Money(micros: 10_000))
            #expect(!newest.callerIdFlagged)
            let text = metrics.exposition()
            #expect(text.contains("tandem_routing_records_written_total 2500"))
        }
    }

    @Test("records older than the retention are deleted, in chunks, and newer ones kept", arguments: TestDatabase.available)
    func retention(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let queue = RoutingRecordQueue()
            // Records at 1,700,000,000.000 s + index ms: 25 of them.
            for index in 0..<25 { _ = queue.offer(record(index)) }
            // A day after the 10th record's millisecond: the first 10 have expired.
            let now = TestClock(Date(timeIntervalSince1970: 1_700_000_000.010 + 86_400))
            let writer = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: now.clock), queue: queue,
                configuration: .init(retention: .seconds(86_400)), logger: logger
            )
            #expect(await writer.writeWaiting() == 25)
            #expect(try await RoutingRecords(store: store, clock: now.clock)
                .delete(before: now.now.addingTimeInterval(-86_400), chunk: 3) == 10)
            #expect(try await storedCount(store) == 15)
            #expect(await writer.pruneExpired() == 0, "the others are younger than a day")
            now.advance(by: 3_600)
            #expect(await writer.pruneExpired() == 15)
            #expect(try await storedCount(store) == 0)
        }
    }

    @Test("on graceful shutdown the writer writes what is left before it returns", arguments: TestDatabase.available)
    func drainsOnShutdown(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            // A long interval and a high threshold: nothing is written before shutdown.
            let queue = RoutingRecordQueue(capacity: 5_000, batchThreshold: 5_000)
            let patient = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: recordTime), queue: queue,
                configuration: .init(interval: .seconds(3_600), batchSize: 100), logger: logger
            )
            for index in 0..<1_234 { queue.offer(record(index)) }
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await patient.run() }
                    try await Task.sleep(for: .milliseconds(50))
                    #expect(try await storedCount(store) == 0)
                    trigger.triggerGracefulShutdown()
                    try await group.waitForAll()
                }
            }
            #expect(queue.count == 0)
            #expect(try await storedCount(store) == 1_234)
        }
    }

    @Test("writes on its interval, and as soon as a batch is waiting", arguments: TestDatabase.available)
    func wakes(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let ticking = RoutingRecordQueue(capacity: 5_000, batchThreshold: 1_000)
            let ticker = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: recordTime), queue: ticking,
                configuration: .init(interval: .milliseconds(20)), logger: logger
            )
            let batched = RoutingRecordQueue(capacity: 5_000, batchThreshold: 500)
            let waiter = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: recordTime), queue: batched,
                configuration: .init(interval: .seconds(3_600)), logger: logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await ticker.run() }
                group.addTask { try await waiter.run() }
                for index in 0..<3 { ticking.offer(record(index)) }
                for index in 0..<500 { batched.offer(record(index)) }
                let deadline = ContinuousClock.now + .seconds(10)
                while try await storedCount(store) < 503, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try await storedCount(store) == 503)
                group.cancelAll()
            }
        }
    }

    @Test("a store error loses the batch, counted and logged, and the writer carries on",
          arguments: TestDatabase.available)
    func storeErrors(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let queue = RoutingRecordQueue()
            let metrics = TandemMetrics(scraping: ScrapedFigures(recordsDropped: { queue.dropped }))
            let writer = RoutingRecordWriter(
                records: RoutingRecords(store: store, clock: recordTime), queue: queue, metrics: metrics, logger: logger
            )
            try await store.transaction {
                try await $0.raw("ALTER TABLE routing_records RENAME TO routing_records_away").run()
            }
            for index in 0..<10 { queue.offer(record(index)) }
            #expect(await writer.writeWaiting() == 0)
            #expect(queue.count == 0)
            try await store.transaction {
                try await $0.raw("ALTER TABLE routing_records_away RENAME TO routing_records").run()
            }
            for index in 0..<5 { queue.offer(record(index)) }
            #expect(await writer.writeWaiting() == 5)
            let text = metrics.exposition()
            #expect(text.contains("tandem_routing_records_lost_total 10"))
            #expect(text.contains("tandem_routing_records_written_total 5"))
        }
    }

    @Test("text a peer sends arrives as sent: quotes, backslashes, control characters, non-ASCII; NUL (which PostgreSQL refuses) left out",
          arguments: TestDatabase.available)
    func oddText(_ database: TestDatabase) async throws {
        try await database.withStore { store in
            let texts = ["a\u{0}b", #"q"u\o\"te"#, "tab\tnew\nline\u{1}\u{1f}", "café ☎️ 𝄞", "", "null", "[1,2]"]
            let records = texts.enumerated().map { index, text in
                var odd = record(index)
                odd.callID = text
                odd.reason = text
                return odd
            }
            try await RoutingRecords(store: store, clock: recordTime).insert(records)
            let fixture = try await Fixture.make(store)
            let page = try await RoutingRecords(store: store, clock: recordTime).records(
                trunkId: nil, page: PageRequest(), by: fixture.operatorPrincipal
            )
            let expected = texts.map { $0.replacingOccurrences(of: "\u{0}", with: "") }
            #expect(page.data.reversed().map(\.callId) == expected)
            #expect(page.data.reversed().map(\.reason) == expected)
        }
    }
}
