import Foundation
import Inventory
import Platform
import Porting
import Routing
import RoutingFeed
import SQLKit
import Store
import Synchronization
import Telephony
import TestSupport
import Testing
import Timekeeping

private let numbers = (100..<104).map { try! PhoneNumber(npa: 202, nxx: 555, line: UInt16($0)) }
private let start = Date(timeIntervalSince1970: 1_795_186_800)

/// A test clock, moved by hand.
private final class TestClock: Sendable {
    private let now = Mutex(start)

    var clock: WallClock { WallClock { self.now.withLock { $0 } } }

    func advance(hours: Double) {
        now.withLock { $0 = $0.addingTimeInterval(hours * 3_600) }
    }
}

/// Runs `body` with the fixture, Acme owning 202-555-0100 to 0103 on its trunk (0100 bound to its E911 address),
/// and port-outs on a test clock (72-hour approval window, 3 wrong PINs lock for a day).
private func withPortOuts(
    _ database: TestDatabase, _ body: @escaping @Sendable (Store, Fixture, PortOuts, TestClock) async throws -> Void
) async throws {
    let time = TestClock()
    try await database.withStore { store in
        let fixture = try await Fixture.make(store, clock: time.clock)
        let inventory = fixture.provisioning.numbers
        _ = try await inventory.order(numbers.map(\.e164), accountId: fixture.acme.accountId, by: fixture.operatorPrincipal)
        _ = try await inventory.assign(numbers.map(\.e164), trunkId: fixture.acmeTrunk.id, by: fixture.acme)
        _ = try await fixture.provisioning.emergencyBindings.bind(numbers[0], to: fixture.acmeAddress.id, by: fixture.acme)
        let portOuts = PortOuts(
            store: store, numbers: inventory, configuration: .init(maximumFailedPINs: 3, lockout: .seconds(86_400)),
            clock: time.clock
        )
        try await body(store, fixture, portOuts, time)
    }
}

/// Rival Telecom's request for `numbers`, due in a week, with Acme's data unless told otherwise.
private func request(
    _ fixture: Fixture, _ numbers: [PhoneNumber], account: String? = nil, name: String = "ACME", zip: String = "20001",
    pin: String? = "2468", dueInHours: Double = 168
) -> PortOutDraft {
    PortOutDraft(
        numbers: numbers.map(\.e164), gainingCarrier: "Rival Telecom", gainingOcn: "7Q2X",
        accountNumber: account ?? fixture.acme.accountId, businessName: name, zip: zip, pin: pin,
        dueAt: start.addingTimeInterval(dueInHours * 3_600)
    )
}

@Suite("Port-out requests")
struct PortOutTests {
    @Test("each check has its reason: numbers, account number, name, ZIP, PIN right, wrong and missing",
          arguments: TestDatabase.available)
    func checks(database: TestDatabase) async throws {
        try await withPortOuts(database) { _, fixture, portOuts, _ in
            _ = try await portOuts.protect(accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "2468", zip: "20001-1234"),
                                           by: fixture.acme)
            let cases: [(PortOutDraft, [PortOutRejectReason])] = [
                (request(fixture, [numbers[1]], pin: "1357"), [.pinMismatch]),
                (request(fixture, [numbers[1]], pin: nil), [.pinMissing]),
                (request(fixture, [numbers[1]], name: "Acme Dental", zip: "20002"), [.nameMismatch, .zipMismatch]),
                (request(fixture, [numbers[1]], account: fixture.globex.accountId, name: "Globex"), [.accountNumberMismatch]),
                (request(fixture, [numbers[1]], account: "acc_nobody"), [.accountNumberMismatch]),
                (request(fixture, [PhoneNumber("+12025550150")!]), [.unknownNumber]),
                (request(fixture, [numbers[1]], name: "  acme, "), []),
                (request(fixture, [numbers[1]]), [.pendingPortOut]),
            ]
            for (draft, reasons) in cases {
                let filed = try await portOuts.request(draft, by: fixture.operatorPrincipal)
                #expect(filed.rejectReasons ?? [] == reasons, "\(draft)")
                #expect(filed.state == (reasons.isEmpty ? .pendingApproval : .rejected))
            }
            // The customer sees every request against its numbers, the rejected ones too (not the one for a number that
            // is no one's); Globex, whose account one of them named, sees none of them.
            #expect(try await portOuts.portOuts(page: PageRequest(), by: fixture.acme).data.count == 7)
            #expect(try await portOuts.portOuts(page: PageRequest(), by: fixture.globex).data.isEmpty)
            await #expect { try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .forbidden
            }
            await #expect { try await portOuts.request(request(fixture, [numbers[1]], dueInHours: -1), by: fixture.operatorPrincipal) }
                throws: { ($0 as? ServiceError)?.field == "due_at" }
            await #expect {
                try await portOuts.protect(accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "12a4", zip: "20001"), by: fixture.acme)
            } throws: { ($0 as? ServiceError)?.field == "pin" }
            let protection = try await portOuts.protection(accountId: fixture.acme.accountId, by: fixture.acme)
            #expect(protection.zip == "20001" && protection.approvalRequired && protection.lockedUntil == nil)
        }
    }

    @Test("a request's PIN is hashed before its write transaction: while it waits for a turn to hash, other writes go on",
          .timeLimit(.minutes(3)), arguments: TestDatabase.available)
    func hashOutsideTheTransaction(database: TestDatabase) async throws {
        try await withPortOuts(database) { store, fixture, _, time in
            let hashing = ExpensiveWork(concurrency: 1, queue: 4)
            let portOuts = PortOuts(store: store, numbers: fixture.provisioning.numbers, clock: time.clock, hashing: hashing)
            _ = try await portOuts.protect(accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "2468", zip: "20001"),
                                           by: fixture.acme)
            // Another hash holds the only turn until the gate opens; the request's hash waits behind it.
            let gate = DispatchSemaphore(value: 0)
            let holder = Task { try await hashing.run { gate.wait() } }
            while hashing.running < 1 { try await Task.sleep(for: .milliseconds(10)) }
            let requested = Task { try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal) }
            while hashing.queued < 1 { try await Task.sleep(for: .milliseconds(10)) }
            // On SQLite a write transaction holds the one writer: this write finishes only if the request holds none.
            let trunk = try await fixture.provisioning.trunks.update(
                fixture.acmeTrunk.id, with: TrunkDraft(name: "Acme PBX (renamed while a PIN waits)"), by: fixture.acme
            )
            #expect(trunk.name == "Acme PBX (renamed while a PIN waits)")
            gate.signal()
            try await holder.value
            #expect(try await requested.value.state == .pendingApproval)
        }
    }

    @Test("wrong PINs in a row lock the account's port-outs, even for the right PIN, until the lock ends",
          arguments: TestDatabase.available)
    func lockout(database: TestDatabase) async throws {
        try await withPortOuts(database) { _, fixture, portOuts, time in
            _ = try await portOuts.protect(accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "2468", zip: "20001"),
                                           by: fixture.acme)
            for _ in 0..<3 {
                #expect(try await portOuts.request(request(fixture, [numbers[1]], pin: "0000"), by: fixture.operatorPrincipal)
                    .rejectReasons == [.pinMismatch])
            }
            #expect(try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal).rejectReasons == [.pinLocked])
            #expect(try await portOuts.protection(accountId: fixture.acme.accountId, by: fixture.acme).lockedUntil
                == start.addingTimeInterval(86_400))
            time.advance(hours: 24)
            #expect(try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal).state == .pendingApproval)
        }
    }

    @Test("an unanswered request expires at its deadline and the numbers stay; a late approval is refused",
          arguments: TestDatabase.available)
    func approvalExpires(database: TestDatabase) async throws {
        try await withPortOuts(database) { _, fixture, portOuts, time in
            let filed = try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal)
            #expect(filed.state == .pendingApproval && filed.approveBy == start.addingTimeInterval(72 * 3_600))
            time.advance(hours: 71)
            #expect(try await portOuts.processDue() == 0)
            time.advance(hours: 1)
            await #expect { try await portOuts.approve(filed.id, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .illegalTransition
            }
            #expect(try await portOuts.processDue() == 1)
            #expect(try await portOuts.portOut(filed.id, by: fixture.acme).state == .expired)
            #expect(try await fixture.provisioning.numbers.number(numbers[1], by: fixture.acme).status == .assigned)
            let timeline = try await portOuts.timeline(filed.id, by: fixture.acme)
            #expect(timeline.map(\.event) == ["request", "expire"])
            #expect(timeline.last?.actor == "system/port-out" && timeline.first?.actor == fixture.operatorPrincipal.actor)
        }
    }

    @Test("an account that opted out of approval: the numbers leave at the due time; routing and E911 forget them",
          arguments: TestDatabase.available)
    func optOutCompletesAtDueTime(database: TestDatabase) async throws {
        try await withPortOuts(database) { store, fixture, portOuts, time in
            _ = try await portOuts.protect(
                accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "2468", zip: "20001", approvalRequired: false),
                by: fixture.acme
            )
            let filed = try await portOuts.request(request(fixture, [numbers[0], numbers[1]], dueInHours: 24), by: fixture.operatorPrincipal)
            #expect(filed.state == .approved && filed.approveBy == nil)
            #expect(try await portOuts.processDue() == 0, "not before the due time")
            time.advance(hours: 24)
            #expect(try await portOuts.processDue() == 1)
            let done = try await portOuts.portOut(filed.id, by: fixture.acme)
            #expect(done.state == .completed)
            for number in [numbers[0], numbers[1]] {
                let record = try await fixture.provisioning.numbers.number(number, by: fixture.operatorPrincipal)
                #expect(record.status == .portedOut && record.trunkId == nil)
            }
            // The number leaves without its E911 address: no binding is left, and Acme is told the number is gone.
            await #expect { try await fixture.provisioning.emergencyBindings.binding(of: numbers[0], by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .conflict && "\($0)".contains("this one is ported-out")
            }
            let bindings = try await store.read { database in
                try await database.raw("SELECT COUNT(*) AS n FROM number_e911 WHERE tn = \(bind: numbers[0].national)").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(bindings == 0)
            let history = try await fixture.provisioning.numbers.history(numbers[0], page: PageRequest(), by: fixture.operatorPrincipal)
            #expect(history.data.last?.action == .portOut && history.data.last?.reason == "ported to Rival Telecom (7Q2X)")
            let snapshot = try await RoutingCompiler(store: store, emergency: nil, clock: fixture.clock).compile(version: 1)
            func hosts(_ number: PhoneNumber) -> [String] {
                let call = CallRequest(source: IPAddress("192.0.2.10")!, dialed: number.e164, caller: numbers[3].e164, callID: "c", time: fixture.clock.unixSeconds())
                guard case .redirect(let targets) = Router.decide(call, in: snapshot).outcome else { return [] }
                return targets.map(\.host)
            }
            #expect(hosts(numbers[2]) == ["pbx.acme.example"])
            #expect(!hosts(numbers[0]).contains("pbx.acme.example"), "a ported-out number is no longer delivered to Acme")
            let (unbound, events) = try await store.read { database in
                (try await database.raw("SELECT COUNT(*) AS n FROM e911_events WHERE action = 'unbound-ported-out'").first()?
                    .decode(column: "n", as: Int.self),
                 try await database.raw("SELECT COUNT(*) AS n FROM webhook_events WHERE type = 'port-out.status-changed'").first()?
                    .decode(column: "n", as: Int.self))
            }
            #expect(unbound == 1 && events == 2)
            #expect(try await portOuts.timeline(filed.id, by: fixture.acme).last?.detail == "ported out: 2")
        }
    }

    @Test("the customer approves or declines; others cannot; the operator cancels for the gaining carrier",
          arguments: TestDatabase.available)
    func answers(database: TestDatabase) async throws {
        try await withPortOuts(database) { _, fixture, portOuts, _ in
            let first = try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal)
            await #expect { try await portOuts.approve(first.id, by: fixture.globex) } throws: { ($0 as? ServiceError)?.code == .notFound }
            await #expect { try await portOuts.approve(first.id, by: fixture.acmeReader) } throws: { ($0 as? ServiceError)?.code == .forbidden }
            #expect(try await portOuts.approve(first.id, by: fixture.acme).state == .approved)
            #expect(try await portOuts.decline(first.id, by: fixture.acme).state == .declined, "a change of mind before the due time")
            let second = try await portOuts.request(request(fixture, [numbers[1]]), by: fixture.operatorPrincipal)
            await #expect { try await portOuts.cancel(second.id, by: fixture.acme) } throws: { ($0 as? ServiceError)?.code == .forbidden }
            #expect(try await portOuts.cancel(second.id, by: fixture.operatorPrincipal).state == .canceled)
            await #expect { try await portOuts.activate(second.id, by: fixture.operatorPrincipal) } throws: {
                ($0 as? ServiceError)?.code == .illegalTransition
            }
        }
    }

    @Test("a partner carrier files as itself, follows and withdraws only its own requests, and never sees the account",
          arguments: TestDatabase.available)
    func partnerCarrier(database: TestDatabase) async throws {
        try await withPortOuts(database) { store, fixture, portOuts, _ in
            let accounts = fixture.provisioning.accounts
            let other = try await accounts.createAccount(
                name: "Other Fiber", kind: .partner, agentId: nil, ocn: "9zzz", by: fixture.operatorPrincipal
            )
            #expect(other.ocn == "9ZZZ")
            let otherKey = try await accounts.issueKey(accountId: other.id, role: .partner, name: "lsr", by: fixture.operatorPrincipal)
            let otherPartner = Principal(accountId: other.id, role: .partner, keyId: otherKey.key.id)

            var draft = request(fixture, [numbers[1], numbers[2]])
            draft.gainingCarrier = nil
            draft.gainingOcn = "1ABC"
            await #expect { try await portOuts.request(draft, by: fixture.partner) } throws: {
                ($0 as? ServiceError)?.field == "gaining_ocn"
            }
            draft.gainingOcn = nil
            let filed = try await portOuts.request(draft, by: fixture.partner)
            #expect(filed.state == .pendingApproval)
            #expect(filed.gainingCarrier == "Rival Telecom" && filed.gainingOcn == "7Q2X" && filed.filedBy == fixture.partner.accountId)
            #expect(filed.accountId == nil, "a partner never learns whose numbers they are")
            #expect(try await portOuts.portOut(filed.id, by: fixture.acme).accountId == fixture.acme.accountId)
            #expect(try await portOuts.portOut(filed.id, by: fixture.operatorPrincipal).filedBy == fixture.partner.accountId)

            let operatorFiled = try await portOuts.request(request(fixture, [numbers[3]]), by: fixture.operatorPrincipal)
            #expect(try await portOuts.portOuts(page: PageRequest(), by: fixture.partner).data.map(\.id) == [filed.id])
            #expect(try await portOuts.portOuts(page: PageRequest(), by: otherPartner).data.isEmpty)
            for id in [operatorFiled.id] {
                await #expect { try await portOuts.portOut(id, by: fixture.partner) } throws: { ($0 as? ServiceError)?.code == .notFound }
                await #expect { try await portOuts.cancel(id, by: fixture.partner) } throws: { ($0 as? ServiceError)?.code == .notFound }
            }
            await #expect { try await portOuts.portOut(filed.id, by: otherPartner) } throws: { ($0 as? ServiceError)?.code == .notFound }
            await #expect { try await portOuts.cancel(filed.id, by: otherPartner) } throws: { ($0 as? ServiceError)?.code == .notFound }
            await #expect { try await portOuts.approve(filed.id, by: fixture.partner) } throws: { ($0 as? ServiceError)?.code == .forbidden }
            await #expect { try await portOuts.activate(filed.id, by: fixture.partner) } throws: { ($0 as? ServiceError)?.code == .forbidden }
            await #expect { try await portOuts.protection(accountId: fixture.acme.accountId, by: fixture.partner) } throws: {
                ($0 as? ServiceError)?.code == .forbidden
            }

            #expect(try await portOuts.approve(filed.id, by: fixture.acme).state == .approved)
            let withdrawn = try await portOuts.cancel(filed.id, by: fixture.partner)
            #expect(withdrawn.state == .canceled && withdrawn.accountId == nil)
            let seen = try await portOuts.timeline(filed.id, by: fixture.partner)
            #expect(seen.map(\.actor) == [fixture.partner.actor, "customer", fixture.partner.actor])
            #expect(try await portOuts.timeline(filed.id, by: fixture.acme).map(\.actor)[1] == fixture.acme.actor)

            let payloads = try await store.read { database in
                try await database.raw("""
                    SELECT payload FROM webhook_events WHERE account_id = \(bind: fixture.partner.accountId) ORDER BY created_at, id
                    """).all().map { try $0.decode(column: "payload", as: String.self) }
            }
            #expect(payloads.count == 3, "the partner hears of its request, the approval and its withdrawal")
            #expect(payloads.allSatisfy { !$0.contains(fixture.acme.accountId) && !$0.contains(fixture.acme.keyId) }, "\(payloads)")
        }
    }

    @Test("concurrent schedulers, a decline and a release during activation leave one consistent outcome",
          arguments: TestDatabase.available)
    func concurrentActivation(database: TestDatabase) async throws {
        try await withPortOuts(database) { _, fixture, portOuts, time in
            let group = [numbers[1], numbers[2], numbers[3]]
            let filed = try await portOuts.request(request(fixture, group, dueInHours: 24), by: fixture.operatorPrincipal)
            _ = try await portOuts.approve(filed.id, by: fixture.acme)
            time.advance(hours: 24)
            async let first = portOuts.processDue()
            async let second = portOuts.processDue()
            async let declined = Result(catching: { try await portOuts.decline(filed.id, by: fixture.acme) })
            async let released = fixture.provisioning.numbers.release([numbers[2].e164], by: fixture.acme)
            let moved = try await first + second
            let decline = await declined
            let release = try await released
            let final = try await portOuts.portOut(filed.id, by: fixture.operatorPrincipal)
            let statuses = try await group.asyncMap { try await fixture.provisioning.numbers.number($0, by: fixture.operatorPrincipal).status }
            let timeline = try await portOuts.timeline(filed.id, by: fixture.acme).map(\.event)
            #expect(timeline.filter { ["complete", "decline"].contains($0) }.count == 1, "one outcome: \(timeline)")
            switch final.state {
            case .completed:
                #expect(moved == 1)
                guard case .failure = decline else { Issue.record("declined after completion"); return }
                // The released number left before the port-out, or the release came too late.
                #expect(statuses[0] == .portedOut && statuses[2] == .portedOut)
                #expect(statuses[1] == (release.succeeded == 1 ? .aging : .portedOut))
            case .declined:
                #expect(moved == 0)
                #expect(statuses[0] == .assigned && statuses[2] == .assigned)
            default:
                Issue.record("unexpected outcome \(final.state)")
            }
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
