import Foundation
import NetworkData
import Platform
import RoutingFeed
import Synchronization
import Inventory
import Porting
@testable import Routing
import Store
import Telephony
import TestSupport
import Testing
import Timekeeping

private let btn = PhoneNumber("+12025551000")!
private let porting = PhoneNumber("+12025551001")!

/// The losing carrier of 202-555 (Capital Bell, in the fixture's reference data) and its CSR for Acme.
private func losingCarrier() -> SimulatedLosingCarrier {
    SimulatedLosingCarrier(records: [
        CustomerServiceRecord(
            accountNumber: "CB-7781", pin: "1234", businessName: "Acme Dental Group", serviceAddress: "1600 Main St",
            zip: "20001", billingNumber: btn, numbers: [btn, porting]
        ),
    ])
}

private let correct = LosingCarrierAccount(
    businessName: "Acme Dental Group", serviceAddress: "1600 Main St", zip: "20001", accountNumber: "CB-7781", pin: "1234",
    billingNumber: btn
)

private let loa = LOADraft(
    signer: "Pat Doe", title: "Office manager", signedOn: "2026-11-20", documentName: "loa.pdf",
    document: Data("%PDF-1.4 signed".utf8).base64EncodedString()
)

/// Runs `body` with the fixture, an LRN in LATA 236 (DC), and port orders over the simulated carrier.
private func withPorting(
    _ database: TestDatabase, clock: WallClock = .system,
    _ body: @escaping @Sendable (Store, Fixture, PortOrders) async throws -> Void
) async throws {
    try await database.withFixture(clock: clock) { store, fixture in
        try await fixture.provisioning.networkLRNs.set(lata: "236", lrn: PhoneNumber("+12025550199")!, by: fixture.operatorPrincipal)
        try await body(store, fixture, PortOrders(store: store, partner: losingCarrier(), clock: clock))
    }
}

@Suite("Port-in orders")
struct PortOrdersTests {
    @Test("a name mismatch is rejected, fixed by a supplement, committed, activated and routed", arguments: TestDatabase.available)
    func walkthrough(database: TestDatabase) async throws {
        try await withPorting(database) { store, fixture, orders in
            var wrong = correct
            wrong.businessName = "Acme Dental"
            let creation = try await orders.create(PortOrderDraft(
                numbers: [porting.e164, "+12025550100", "+18005550100", "not a number"], account: wrong, loa: loa,
                trunkId: fixture.acmeTrunk.id
            ), by: fixture.acme)
            #expect(creation.orders.count == 1)
            #expect(creation.failed.map(\.number) == ["not a number", "+12025550100", "+18005550100"])
            let order = try #require(creation.orders.first)
            #expect(order.losingOcn == "9206" && order.losingCarrier == "Capital Bell" && order.state == "draft")

            let rejected = try await orders.submit(order.id, by: fixture.acme)
            #expect(rejected.state == "rejected" && rejected.rejectReasons == [.nameMismatch])
            #expect(try await fixture.provisioning.numbers.number(porting, by: fixture.acme).status == .portingIn)

            let committed = try await orders.supplement(order.id, account: correct, by: fixture.acme)
            #expect(committed.state == "foc-received")
            #expect(committed.foc?.window == "09:00-12:00")

            await #expect { try await orders.activate(order.id, by: fixture.acme) } throws: { ($0 as? ServiceError)?.code == .forbidden }
            let done = try await orders.activate(order.id, by: fixture.operatorPrincipal)
            #expect(done.state == "completed")
            let record = try await fixture.provisioning.numbers.number(porting, by: fixture.acme)
            #expect(record.status == .assigned && record.trunkId == fixture.acmeTrunk.id)
            #expect(try await fixture.provisioning.portedNumbers.lookup(porting) == .ported(lrn: PhoneNumber("+12025550199")!))

            let snapshot = try await RoutingCompiler(store: store, emergency: nil, clock: fixture.clock).compile(version: 1)
            let fromAcme = CallRequest(source: IPAddress("192.0.2.10")!, dialed: porting.e164, caller: porting.e164, callID: "c",
                                       time: fixture.clock.unixSeconds())
            guard case .redirect(let targets) = Router.decide(fromAcme, in: snapshot).outcome else {
                Issue.record("the ported number does not route")
                return
            }
            #expect(targets.map(\.host) == ["pbx.acme.example"])

            let timeline = try await orders.timeline(order.id, by: fixture.acme)
            #expect(timeline.map(\.event) == ["create", "submit", "rejected", "supplement", "foc-received", "activate", "activated"])
            #expect(timeline.map(\.toState).last == "completed")
        }
    }

    @Test("canceling a submitted order takes its numbers back; a canceled order takes no more events", arguments: TestDatabase.available)
    func cancel(database: TestDatabase) async throws {
        try await withPorting(database) { _, fixture, orders in
            let order = try #require(try await orders.create(
                PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: nil), by: fixture.acme
            ).orders.first)
            _ = try await orders.submit(order.id, by: fixture.acme)
            #expect(try await orders.cancel(order.id, by: fixture.acme).state == "canceled")
            await #expect { try await fixture.provisioning.numbers.number(porting, by: fixture.operatorPrincipal) }
                throws: { ($0 as? ServiceError)?.code == .notFound }
            await #expect { try await orders.submit(order.id, by: fixture.acme) } throws: { ($0 as? ServiceError)?.code == .illegalTransition }
            // The number can be ordered again.
            let again = try await orders.create(PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: nil), by: fixture.acme)
            #expect(again.orders.count == 1)
        }
    }

    @Test("a trunk an open order brings numbers to cannot be deleted; once the order is over, it can", arguments: TestDatabase.available)
    func trunkInUse(database: TestDatabase) async throws {
        try await withPorting(database) { _, fixture, orders in
            let recovery = try await fixture.provisioning.trunks.create(
                TrunkDraft(name: "Acme DR", hosts: [TrunkHost(address: "dr.acme.example")], sourceAddresses: ["192.0.2.20"]),
                by: fixture.acme
            )
            let order = try #require(try await orders.create(
                PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: recovery.id), by: fixture.acme
            ).orders.first)
            await #expect { try await fixture.provisioning.trunks.delete(recovery.id, releasing: [orders], by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.code == .conflict }
            _ = try await orders.cancel(order.id, by: fixture.acme)
            try await fixture.provisioning.trunks.delete(recovery.id, releasing: [orders], by: fixture.acme)
            #expect(try await orders.order(order.id, by: fixture.acme).trunkId == nil)
        }
    }

    @Test("numbers on an open order, without an LRN in their LATA, or ours, fail alone; orders split by carrier",
          arguments: TestDatabase.available)
    func checks(database: TestDatabase) async throws {
        try await withPorting(database) { _, fixture, orders in
            _ = try await orders.create(PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: nil), by: fixture.acme)
            let second = try await orders.create(PortOrderDraft(
                numbers: [porting.e164, "+19735551234", btn.e164], account: correct, loa: loa, trunkId: nil
            ), by: fixture.acme)
            #expect(second.orders.map(\.numbers) == [[btn]])
            #expect(second.failed.map(\.number) == ["+12025551001", "+19735551234"])
            #expect(second.failed.map { $0.error?.detail ?? "" }.last?.contains("LATA 224") == true)
            try await fixture.provisioning.networkLRNs.set(lata: "224", lrn: PhoneNumber("+19735559000")!, by: fixture.operatorPrincipal)
            let split = try await orders.create(PortOrderDraft(
                numbers: ["+19735551234", "+19735559500"], account: correct, loa: loa, trunkId: nil
            ), by: fixture.acme)
            #expect(split.orders.map(\.losingOcn) == ["532F", "9102"], "block 9 belongs to Lakeside Fiber")
            await #expect {
                try await orders.create(PortOrderDraft(numbers: [btn.e164], account: correct, loa: loa, trunkId: fixture.globexTrunk.id), by: fixture.acme)
            } throws: { ($0 as? ServiceError)?.code == .notFound }
            var badLOA = loa
            badLOA.document = "not base64!"
            await #expect { try await orders.create(PortOrderDraft(numbers: [btn.e164], account: correct, loa: badLOA, trunkId: nil), by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.field == "loa.document" }
        }
    }

    @Test("another tenant's order is not found; at the FOC time the scheduler activates; concurrent activations apply once",
          arguments: TestDatabase.available)
    func isolationAndActivation(database: TestDatabase) async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_795_186_800))
        let clock = WallClock { now.withLock { $0 } }
        try await withPorting(database, clock: clock) { _, fixture, orders in
            let order = try #require(try await orders.create(
                PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: fixture.acmeTrunk.id), by: fixture.acme
            ).orders.first)
            await #expect { try await orders.order(order.id, by: fixture.globex) } throws: { ($0 as? ServiceError)?.code == .notFound }
            let committed = try await orders.submit(order.id, by: fixture.acme)
            let activateAt = try #require(committed.foc?.activateAt)
            #expect(try await orders.activateDue() == 0, "not before the FOC time")
            now.withLock { $0 = Date(timeIntervalSince1970: TimeInterval(activateAt)) }
            async let first = orders.activateDue()
            async let second = orders.activateDue()
            #expect(try await first + second == 1, "two schedulers racing activate the order once")
            #expect(try await orders.order(order.id, by: fixture.acme).state == "completed")
            let events = try await orders.timeline(order.id, by: fixture.acme).map(\.event)
            #expect(events.filter { $0 == "activated" }.count == 1)
        }
    }

    @Test("the order's E911 address and caller name come with its numbers; the FOC calendar shows committed ports by date",
          arguments: TestDatabase.available)
    func e911AndCalendar(database: TestDatabase) async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_795_186_800))
        let clock = WallClock { now.withLock { $0 } }
        try await withPorting(database, clock: clock) { _, fixture, orders in
            var draft = PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: fixture.acmeTrunk.id)
            draft.e911AddressId = "adr_elsewhere"
            await #expect { try await orders.create(draft, by: fixture.acme) } throws: { ($0 as? ServiceError)?.field == "e911_address_id" }
            draft.e911AddressId = fixture.acmeAddress.id
            draft.callerName = try CallerName(normalizing: "Acme Dental")
            var globexDraft = draft
            globexDraft.trunkId = nil
            await #expect { try await orders.create(globexDraft, by: fixture.globex) } throws: {
                ($0 as? ServiceError)?.field == "e911_address_id"
            }
            let order = try #require(try await orders.create(draft, by: fixture.acme).orders.first)
            #expect(order.e911AddressId == fixture.acmeAddress.id)
            let foc = try #require(try await orders.submit(order.id, by: fixture.acme).foc)

            let calendar = try await orders.calendar(from: foc.date, to: foc.date, by: fixture.acme)
            #expect(calendar.map(\.orderId) == [order.id] && calendar.first?.numbers == [porting] && calendar.first?.window == foc.window)
            #expect(try await orders.calendar(from: foc.date, to: foc.date, by: fixture.globex).isEmpty, "another tenant's ports")
            #expect(try await orders.calendar(from: "2026-01-01", to: "2026-01-31", by: fixture.operatorPrincipal).isEmpty)
            await #expect { try await orders.calendar(from: "2026-13-01", to: "2026-12-01", by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.field == "from"
            }
            await #expect { try await orders.calendar(from: "2026-12-01", to: "2026-11-01", by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.field == "to"
            }

            _ = try await orders.activate(order.id, by: fixture.operatorPrincipal)
            let binding = try await fixture.provisioning.emergencyBindings.binding(of: porting, by: fixture.acme)
            #expect(binding.address.id == fixture.acmeAddress.id)
            #expect(try await fixture.provisioning.numbers.callerName(of: porting, by: fixture.acme)?.text == "Acme Dental",
                    "the caller name moves with the number")
            #expect(try await orders.calendar(from: foc.date, to: foc.date, by: fixture.acme).isEmpty, "no longer to come")
        }
    }

    @Test("cutover forwarding sends calls to the old LRN first until the window ends or the customer ends it; the LRN table follows ports at once",
          arguments: TestDatabase.available)
    func cutover(database: TestDatabase) async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_795_186_800))
        let clock = WallClock { now.withLock { $0 } }
        try await withPorting(database, clock: clock) { store, fixture, orders in
            // The national feed says the number was ported once already, to a switch at 301-555-0000.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let feed = directory.appendingPathComponent("lrn.csv").path, plan = directory.appendingPathComponent("plan.csv").path
            try "tn,lrn\n2025551001,3015550000\n".write(toFile: feed, atomically: true, encoding: .utf8)
            try "prefix,rate\n1,0.02\n".write(toFile: plan, atomically: true, encoding: .utf8)
            _ = try await fixture.provisioning.portedNumbers.importLRN(from: feed)
            _ = try await fixture.provisioning.rateDecks.importDeck(owner: .customer(accountId: fixture.acme.accountId), from: plan)

            var draft = PortOrderDraft(numbers: [porting.e164], account: correct, loa: loa, trunkId: fixture.acmeTrunk.id)
            for hours in [0, 73] {
                draft.cutoverForwardHours = hours
                await #expect { try await orders.create(draft, by: fixture.acme) } throws: {
                    ($0 as? ServiceError)?.field == "cutover_forward_hours"
                }
            }
            draft.cutoverForwardHours = 24
            let order = try #require(try await orders.create(draft, by: fixture.acme).orders.first)
            #expect(order.cutoverForwardHours == 24 && order.cutoverEndsAt == nil)
            _ = try await orders.submit(order.id, by: fixture.acme)
            await #expect { try await orders.endCutover(order.id, by: fixture.acme) } throws: { ($0 as? ServiceError)?.code == .conflict }
            let activated = try await orders.activate(order.id, by: fixture.operatorPrincipal)
            let endsAt = now.withLock { $0 }.addingTimeInterval(24 * 3_600)
            #expect(activated.cutoverEndsAt == endsAt)

            _ = try await fixture.provisioning.carriers.update(
                fixture.carrier.id, with: CarrierDraft(sourceAddresses: ["203.0.113.9"]), by: fixture.operatorPrincipal
            )
            let compiler = RoutingCompiler(store: store, emergency: nil, clock: fixture.clock)
            func contacts(at time: Date) async throws -> [String] {
                let snapshot = try await compiler.compile(version: 1)
                // From the carrier, as calls to our numbers come.
                let call = CallRequest(
                    source: IPAddress("203.0.113.9")!, dialed: porting.e164, caller: "+12025551000", callID: "c",
                    time: time.unixSeconds
                )
                let decision = Router.decide(call, in: snapshot, explain: true)
                guard case .redirect(let targets) = decision.outcome else { return decision.steps }
                return targets.map { "\($0.user)@\($0.host)" }
            }
            #expect(try await contacts(at: endsAt.addingTimeInterval(-1)) == [
                "+12025551001;rn=+13015550000;npdi@198.51.100.40", "+12025551001@pbx.acme.example",
            ], "the old path first, through the carrier, never dipped again; then the new trunk")
            #expect(try await contacts(at: endsAt) == ["+12025551001@pbx.acme.example"], "the window is over")
            #expect(try await compiler.compile(version: 1).ported.dip(porting) == .ported(lrn: PhoneNumber("+12025550199")!),
                    "the dip gives our LRN at once, before the next import of the feed")

            await #expect { try await orders.endCutover(order.id, by: fixture.globex) } throws: { ($0 as? ServiceError)?.code == .notFound }
            let ended = try await orders.endCutover(order.id, by: fixture.acme)
            #expect(ended.cutoverEndsAt == nil)
            #expect(try await contacts(at: endsAt.addingTimeInterval(-1)) == ["+12025551001@pbx.acme.example"], "ended early")
            #expect(try await orders.timeline(order.id, by: fixture.acme).last?.event == "end-cutover")
            await #expect { try await orders.endCutover(order.id, by: fixture.acme) } throws: { ($0 as? ServiceError)?.code == .conflict }

            // The number leaves again: routing must stop dipping our LRN for it at once, not at the next import.
            let release = try await store.transaction { database in
                try await fixture.provisioning.numbers.portOut(
                    [porting], account: fixture.acme.accountId, reason: "test", actor: "test", in: database
                )
            }
            #expect(release.portedOut == [porting])
            let snapshot = try await compiler.compile(version: 2)
            #expect(snapshot.ported.dip(porting) == .portedToUnknownLRN, "not our LRN: ported away, to an LRN the feed will bring")

            // A feed cut before the port-out does not undo it; the port-out stays over it for a week.
            _ = try await fixture.provisioning.portedNumbers.importLRN(from: feed)
            #expect(try await compiler.compile(version: 3).ported.dip(porting) == .portedToUnknownLRN)
            #expect(try await fixture.provisioning.portedNumbers.lookup(porting) == .portedToUnknownLRN, "the store says what routing says")
        }
    }
}
