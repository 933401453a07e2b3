import CallRecords
import Crypto
import Foundation
import Platform
import Rating
import Routing
import SQLKit
import Store
import Synchronization
import Telephony
import TestSupport
import Testing
import Timekeeping

/// Stored CDRs: rated on arrival, stored once, seen per tenant, explained, and kept for as long as the retention.
@Suite("Stored CDRs")
struct CDRStorageTests {
    static let tokens = DecisionToken(key: SymmetricKey(data: Data(repeating: 7, count: 32)))
    static let rater = CDRRater(tokens: tokens, gateways: ["127.0.0.1:25182": ["car_bluegrass"]])
    /// 2026-11-30T23:59:59Z: a call then is November's, the next second's December's.
    static let endOfNovember: Int64 = 1_796_083_199_000
    static let clock = WallClock.fixed(at: Date(timeIntervalSince1970: 1_796_690_041))

    /// A page request the tests' limits and cursors always make.
    static func page(limit: Int? = nil, cursor: String? = nil) -> PageRequest {
        try! PageRequest(limit: limit, cursor: cursor)
    }

    /// An answered outbound call of `seconds` from `account`'s trunk, started at `start` (Unix ms).
    static func call(
        _ callID: String, account: String, trunk: String = "trk", start: Int64 = endOfNovember, seconds: Double = 65.2,
        kind: CallDecision.Kind = .outbound, token: String? = nil
    ) -> CallDetailRecord {
        let decision = token ?? tokens.seal(CallDecision(
            decidedAt: start / 1_000, callDigest: CallDecision.digest(ofCallID: callID), kind: kind, accountId: account,
            trunkId: trunk, destination: "+19525918123", jurisdiction: .interstate,
            price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6),
            carriers: [ChosenCarrier(id: "car_bluegrass", rate: Rate(micros: 6_000, initialSeconds: 6, incrementSeconds: 6))]
        ))
        let durationMs = Int64(seconds * 1_000)
        return CallDetailRecord(
            format: .kamailio, key: callID, callID: callID, setupAt: start - 2_000, answeredAt: start - 100, startedAt: start,
            endedAt: start + durationMs, durationMs: durationMs, billableSeconds: (durationMs + 999) / 1_000, sipCode: 200,
            source: "127.0.0.1", caller: "+12025550100", dialed: "+19525918123",
            gateway: "sip:+19525918123;npdi@127.0.0.1:25182;user=phone", decision: decision
        )
    }

    @Test("a record is rated as it arrives and stored once, however often it comes and by whichever way", arguments: TestDatabase.available)
    func storedOnce(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            let acme = fixture.acme.accountId
            let batch = [Self.call("c1", account: acme), Self.call("c2", account: acme, start: Self.endOfNovember + 1_000)]
            #expect(try await records.ingest(batch, rater: Self.rater) == IngestOutcome(stored: 2, repeated: 0, rated: 2))
            #expect(try await records.ingest(batch, rater: Self.rater) == IngestOutcome(stored: 0, repeated: 2, rated: 0))
            // The same call twice in one batch, and a third call beside it.
            let again = [Self.call("c3", account: acme), Self.call("c3", account: acme), Self.call("c1", account: acme)]
            #expect(try await records.ingest(again, rater: Self.rater) == IngestOutcome(stored: 1, repeated: 2, rated: 1))
            // Concurrent writers of the same records store each once.
            let racing = (4..<40).map { Self.call("c\($0)", account: acme) }
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for _ in 0..<4 { group.addTask { try await records.ingest(racing, rater: Self.rater) } }
                return try await group.reduce(IngestOutcome(), +)
            }
            #expect(outcomes.stored == racing.count && outcomes.repeated == 3 * racing.count)
            let page = try await records.records(CDRFilter(), page: Self.page(limit: 500), by: fixture.operatorPrincipal)
            #expect(page.data.count == 39)
            let first = try #require(page.data.first { $0.callId == "c1" })
            #expect(first.price.amount == Money(micros: 11_000) && first.cost?.amount == Money(micros: 6_600))
            #expect(first.margin == Money(micros: 4_400) && first.carrierId == "car_bluegrass" && first.rated)
            #expect(first.direction == "outbound" && first.accountId == acme && first.jurisdiction == "interstate")
        }
    }

    @Test("bad records change nothing: a start a day ahead of the clock, or too many at once", arguments: TestDatabase.available)
    func refused(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            let now = Self.clock.unixMilliseconds()
            let batch = [Self.call("ok", account: fixture.acme.accountId), Self.call("ahead", account: fixture.acme.accountId, start: now + 86_400_001)]
            await #expect(throws: ServiceError.invalid("cdrs[1]", "the call starts more than a day after this server's time")) {
                try await records.ingest(batch, rater: Self.rater)
            }
            let many = Array(repeating: Self.call("x", account: "a"), count: CallDetailRecords.maximumBatch + 1)
            await #expect(throws: ServiceError.self) { try await records.ingest(many, rater: Self.rater) }
            let stored = try await records.records(CDRFilter(), page: Self.page(), by: fixture.operatorPrincipal)
            #expect(stored.data.isEmpty)
        }
    }

    @Test("records without a good token are stored unrated, with the reason; unanswered calls are free", arguments: TestDatabase.available)
    func unrated(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            var none = Self.call("none", account: "-")
            none.decision = nil
            let forged = Self.call("forged", account: "-", token: "1.2.3")
            var moved = Self.call("moved", account: fixture.acme.accountId)
            moved.callID = "elsewhere"
            var missed = Self.call("missed", account: fixture.acme.accountId)
            (missed.answeredAt, missed.durationMs, missed.billableSeconds, missed.sipCode) = (nil, 0, 0, 486)
            let outcome = try await records.ingest([none, forged, moved, missed], rater: Self.rater)
            #expect(outcome == IngestOutcome(stored: 4, repeated: 0, rated: 1, badDecisions: 1), "the forged token counted")
            let page = try await records.records(CDRFilter(rated: false), page: Self.page(), by: fixture.operatorPrincipal)
            let problems = Dictionary(uniqueKeysWithValues: page.data.map { ($0.callId, $0.problem) })
            #expect(problems == ["none": "no-decision", "forged": "bad-decision", "elsewhere": "other-call"])
            #expect(page.data.allSatisfy { $0.price.status == "unrated" && $0.price.amount == nil && !$0.rated })
            let free = try await records.records(CDRFilter(rated: true), page: Self.page(), by: fixture.operatorPrincipal).data
            #expect(free.map(\.callId) == ["missed"] && free[0].price == StoredCDR.Side(status: "free", reason: "unanswered", amount: .zero))
        }
    }

    @Test("each tenant sees its own records; a customer sees its price, never the cost, carrier or gateway", arguments: TestDatabase.available)
    func tenants(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            let acme = fixture.acme.accountId, globex = fixture.globex.accountId
            _ = try await records.ingest(
                [Self.call("a1", account: acme), Self.call("a2", account: acme, kind: .emergency), Self.call("g1", account: globex)],
                rater: Self.rater
            )
            let acmeView = try await records.records(CDRFilter(), page: Self.page(), by: fixture.acme).data
            #expect(Set(acmeView.map(\.callId)) == ["a1", "a2"])
            #expect(acmeView.allSatisfy { $0.cost == nil && $0.carrierId == nil && $0.gateway == nil && $0.margin == nil })
            let emergency = try #require(acmeView.first { $0.callId == "a2" })
            #expect(emergency.price == StoredCDR.Side(status: "free", reason: "emergency", amount: .zero))
            // A customer naming another account sees nothing of it.
            await #expect(throws: ServiceError.notFound("account")) {
                try await records.records(CDRFilter(accountId: globex), page: Self.page(), by: fixture.acme)
            }
            let globexId = try #require(try await records.records(CDRFilter(), page: Self.page(), by: fixture.globex).data.first?.id)
            await #expect(throws: ServiceError.notFound("cdr")) { try await records.record(id: globexId, by: fixture.acme) }
            for refused in [fixture.agent, fixture.partner] {
                await #expect(throws: ServiceError.self) { try await records.records(CDRFilter(), page: Self.page(), by: refused) }
            }
            let operatorView = try await records.records(CDRFilter(accountId: globex), page: Self.page(), by: fixture.operatorPrincipal)
            #expect(operatorView.data.map(\.callId) == ["g1"])
        }
    }

    @Test("filters, and cursor paging newest first across records that share a start", arguments: TestDatabase.available)
    func paging(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            let acme = fixture.acme.accountId
            let batch = (0..<7).map { Self.call("p\($0)", account: acme, start: Self.endOfNovember + Int64($0 / 2) * 1_000) }
                + [Self.call("in", account: acme, kind: .inbound)]
            _ = try await records.ingest(batch, rater: Self.rater)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await records.records(CDRFilter(direction: .outbound), page: Self.page(limit: 3, cursor: cursor), by: fixture.acme)
                seen += page.data.map(\.callId)
                #expect(page.data.count <= 3)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 7 && Set(seen).count == 7 && seen.first == "p6", "each once, the latest first")
            let window = CDRFilter(from: Date(timeIntervalSince1970: Double(Self.endOfNovember + 1_000) / 1_000),
                                   to: Date(timeIntervalSince1970: Double(Self.endOfNovember + 3_000) / 1_000))
            #expect(try await records.records(window, page: Self.page(), by: fixture.acme).data.count == 4)
            #expect(try await records.records(CDRFilter(number: "+19525918123"), page: Self.page(), by: fixture.acme).data.count == 8)
            #expect(try await records.records(CDRFilter(number: "+15555550000"), page: Self.page(), by: fixture.acme).data.isEmpty)
            await #expect(throws: ServiceError.self) {
                try await records.records(CDRFilter(), page: Self.page(cursor: "nonsense"), by: fixture.acme)
            }
        }
    }

    @Test("one record explained: the decision, and the price's steps; the cost's for the operator only", arguments: TestDatabase.available)
    func explained(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            _ = try await records.ingest([Self.call("e1", account: fixture.acme.accountId)], rater: Self.rater)
            let id = try #require(try await records.records(CDRFilter(), page: Self.page(), by: fixture.acme).data.first?.id)
            let customer = try await records.record(id: id, by: fixture.acme)
            #expect(customer.price.explanation == [
                "rate 0.01/min with 6/6 increments, in force since the deck's start",
                "66 s talked, billed as 66 s (the first 6 s, then 10 × 6 s)",
                "usage 66 s × 0.01/min ÷ 60 = 0.011 (exact)",
                "total 0.011",
            ])
            #expect(customer.decision?.contains { $0.contains("car_bluegrass") } == false, "no carrier shown to the customer")
            #expect(customer.cost == nil)
            let operatorView = try await records.record(id: id, by: fixture.operatorPrincipal)
            #expect(operatorView.decision?.contains("carrier car_bluegrass: 0.006/min, 6/6 (answered)") == true)
            #expect(operatorView.cost?.explanation?.last == "total 0.0066")
        }
    }

    @Test("retention: records of calls before the cutoff go (on PostgreSQL, whole months' partitions dropped), later ones stay",
          arguments: TestDatabase.available)
    func retention(database: TestDatabase) async throws {
        try await database.withFixture(clock: Self.clock) { store, fixture in
            let records = CallDetailRecords(store: store, tokens: Self.tokens, gateways: { [:] }, clock: Self.clock)
            let acme = fixture.acme.accountId
            let october: Int64 = 1_792_000_000_000, december = Self.endOfNovember + 1_000
            _ = try await records.ingest(
                [Self.call("oct", account: acme, start: october), Self.call("nov", account: acme),
                 Self.call("nov-early", account: acme, start: Self.endOfNovember - 20 * 86_400_000), Self.call("dec", account: acme, start: december)],
                rater: Self.rater
            )
            // The cutoff mid-November: October's month goes whole, November's early call by row.
            let cutoff = Date(timeIntervalSince1970: Double(Self.endOfNovember - 10 * 86_400_000) / 1_000)
            let deleted = try await records.delete(before: cutoff, chunk: 1)
            #expect(database == .postgres || deleted == 2, "on PostgreSQL a dropped month's rows are estimated, not counted")
            let left = try await records.records(CDRFilter(), page: Self.page(), by: fixture.operatorPrincipal).data.map(\.callId)
            #expect(Set(left) == ["nov", "dec"])
            if database == .postgres {
                let partitions = try await store.read { database in
                    try await database.raw("""
                        SELECT child.relname AS name FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                        WHERE pg_inherits.inhparent = 'cdrs'::regclass ORDER BY 1
                        """).all().map { try $0.decode(column: "name", as: String.self) }
                }
                #expect(partitions == ["cdrs_y2026m11", "cdrs_y2026m12"])
                // A record for a month whose partition was dropped makes it again.
                #expect(try await records.ingest([Self.call("oct-late", account: acme, start: october)], rater: Self.rater).stored == 1)
                // A partition dropped by another node, which this one still thinks is there: made again, and stored.
                try await store.transaction { try await $0.raw("DROP TABLE cdrs_y2026m12").run() }
                #expect(try await records.ingest([Self.call("dec-late", account: acme, start: december)], rater: Self.rater).stored == 1)
            }
        }
    }
}

@Suite("Calls that lose money")
struct CDRLossTests {
    /// What the handler was told, across transactions.
    final class Told: Sendable {
        let losses = Mutex<[CDRLoss]>([])
    }

    @Test("a call whose carrier costs more than its price is told, in the transaction that stores it; a failing handler stores nothing",
          arguments: TestDatabase.available)
    func told(database: TestDatabase) async throws {
        try await database.withFixture(clock: CDRStorageTests.clock) { store, fixture in
            let told = Told()
            let records = CallDetailRecords(
                store: store, tokens: CDRStorageTests.tokens, gateways: { [:] },
                losses: { losses, _ in told.losses.withLock { $0 += losses } }, clock: CDRStorageTests.clock
            )
            let expensive = Rate(micros: 20_000, initialSeconds: 6, incrementSeconds: 6)
            let token = CDRStorageTests.tokens.seal(CallDecision(
                decidedAt: CDRStorageTests.endOfNovember / 1_000, callDigest: CallDecision.digest(ofCallID: "loss"), kind: .outbound,
                accountId: fixture.acme.accountId, trunkId: "trk", destination: "+19525918123", jurisdiction: .interstate,
                price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6),
                carriers: [ChosenCarrier(id: "car_bluegrass", rate: expensive)]
            ))
            let batch = [CDRStorageTests.call("loss", account: fixture.acme.accountId, token: token),
                         CDRStorageTests.call("gain", account: fixture.acme.accountId)]
            let outcome = try await records.ingest(batch, rater: CDRStorageTests.rater)
            #expect(outcome == IngestOutcome(stored: 2, repeated: 0, rated: 2, losingMoney: 1))
            let loss = try #require(told.losses.withLock { $0 }.first)
            #expect(told.losses.withLock { $0.count } == 1)
            #expect(loss.callId == "loss" && loss.price == Money(micros: 11_000) && loss.cost == Money(micros: 22_000)
                    && loss.margin == Money(micros: -11_000) && loss.carrierId == "car_bluegrass")
            #expect(try await records.ingest(batch, rater: CDRStorageTests.rater).losingMoney == 0, "a repeat is told nothing")

            struct Refused: Error {}
            let failing = CallDetailRecords(
                store: store, tokens: CDRStorageTests.tokens, gateways: { [:] }, losses: { _, _ in throw Refused() },
                clock: CDRStorageTests.clock
            )
            let other = CDRStorageTests.call("loss-2", account: fixture.acme.accountId, token: CDRStorageTests.tokens.seal(CallDecision(
                decidedAt: 0, callDigest: CallDecision.digest(ofCallID: "loss-2"), kind: .outbound, accountId: fixture.acme.accountId,
                trunkId: "trk", destination: nil, jurisdiction: nil, price: Rate(micros: 1, initialSeconds: 1, incrementSeconds: 1),
                carriers: [ChosenCarrier(id: "car_bluegrass", rate: expensive)]
            )))
            await #expect(throws: Refused.self) { try await failing.ingest([other], rater: CDRStorageTests.rater) }
            let stored = try await records.records(CDRFilter(number: nil), page: CDRStorageTests.page(limit: 10), by: fixture.operatorPrincipal)
            #expect(!stored.data.contains { $0.callId == "loss-2" }, "the loss and its record go together, or neither")
        }
    }
}
