import Foundation
import Inventory
import Platform
import SQLKit
import Store
import Synchronization
import Telephony
import TestSupport
import Testing
import Timekeeping

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var inventoryClock: WallClock { WallClock { self.current.withLock { $0 } } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

@Suite("Number inventory")
struct NumberInventoryTests {
    // MARK: - Search

    @Test("searches by NPA, NPA-NXX, rate center, state, LATA and digit patterns", arguments: TestDatabase.available)
    func search(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            func count(_ search: NumberSearch, limit: Int = 500) async throws -> Int {
                try await numbers.search(search, page: PageRequest(limit: limit), by: fixture.acme).data.count
            }
            #expect(try await count(NumberSearch(npa: "202")) == 200)
            #expect(try await count(NumberSearch(npaNXX: "973555")) == 100)
            #expect(try await count(NumberSearch(npaNXX: "303555")) == 0)
            #expect(try await count(NumberSearch(state: "nj")) == 100)
            #expect(try await count(NumberSearch(lata: "236")) == 200)
            // 973-555-9xxx is a thousands-block of its own rate center.
            #expect(try await count(NumberSearch(rateCenter: "Morristown")) == 100)
            #expect(try await count(NumberSearch(rateCenter: "NEWARK")) == 0)
            #expect(try await count(NumberSearch(endsWith: "0000")) == 1)
            #expect(try await count(NumberSearch(endsWith: "99")) == 3)
            #expect(try await count(NumberSearch(npa: "973", endsWith: "099")) == 1)
            let matches = try await count(NumberSearch(contains: "555001"))
            #expect(matches == 10)
            #expect(try await count(NumberSearch(startsWith: "20255501")) == 100)
            // Keypad letters: JKL = 555.
            #expect(try await count(NumberSearch(npa: "973", contains: "JKL9")) == 100)
            // Contradictory prefixes match nothing instead of failing.
            #expect(try await count(NumberSearch(npa: "202", npaNXX: "973555")) == 0)
        }
    }

    @Test("search pages by cursor without gaps or repeats", arguments: TestDatabase.available)
    func paging(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            var seen: [PhoneNumber] = []
            var cursor: String?
            repeat {
                let page = try await fixture.provisioning.numbers.search(
                    NumberSearch(npa: "202"), page: PageRequest(limit: 30, cursor: cursor), by: fixture.acme
                )
                seen += page.data.map(\.number)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == 200)
            #expect(seen == seen.sorted())
            #expect(Set(seen).count == 200)
        }
    }

    @Test("bad search criteria name the field")
    func badSearch() {
        let cases: [(String, () throws -> NumberSearch)] = [
            ("npa", { try NumberSearch(npa: "123") }),
            ("npanxx", { try NumberSearch(npaNXX: "20255") }),
            ("state", { try NumberSearch(state: "N1") }),
            ("lata", { try NumberSearch(lata: "2a4") }),
            ("contains", { try NumberSearch(contains: "55*5") }),
            ("ends_with", { try NumberSearch(endsWith: "12345678901") }),
        ]
        for (field, make) in cases {
            #expect(throws: ServiceError.self, "\(field)") { try make() }
            #expect((try? make()) == nil)
            do { _ = try make() } catch let error as ServiceError { #expect(error.field == field) } catch {}
        }
    }

    // MARK: - Orders

    @Test("order, assign, unassign and release walk the lifecycle and record each step", arguments: TestDatabase.available)
    func orderAssignRelease(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let tn = "+12025550042"
            let number = try PhoneNumber(parsing: tn)
            #expect(try await numbers.order([tn], accountId: nil, by: fixture.acme).succeeded == 1)
            #expect(try await numbers.assign([tn], trunkId: fixture.acmeTrunk.id, by: fixture.acme).succeeded == 1)
            var record = try await numbers.number(number, by: fixture.acme)
            #expect(record.status == .assigned && record.trunkId == fixture.acmeTrunk.id && record.accountId == fixture.acme.accountId)
            #expect(try await numbers.unassign([tn], by: fixture.acme).succeeded == 1)
            #expect(try await numbers.release([tn], by: fixture.acme).succeeded == 1)
            record = try await numbers.number(number, by: fixture.operatorPrincipal)
            #expect(record.status == .aging && record.accountId == nil && record.agingUntil != nil)
            let history = try await numbers.history(number, page: PageRequest(), by: fixture.operatorPrincipal).data
            #expect(history.map(\.action) == [.add, .order, .assignTrunk, .unassignTrunk, .release])
            #expect(history.map(\.toStatus) == [.available, .assigned, .assigned, .assigned, .aging])
            #expect(history.dropFirst().allSatisfy { $0.actor == fixture.acme.actor })
        }
    }

    @Test("one bad number in a bulk order does not fail the rest", arguments: TestDatabase.available)
    func bulkResults(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let result = try await fixture.provisioning.numbers.order(
                ["202-555-0001", "not a number", "+13035550000", "(202) 555-0002", "2025550001"],
                accountId: nil, by: fixture.acme
            )
            #expect(result.results.map(\.ok) == [true, false, false, true, false])
            // +1 303-555-0000 is not Tandem's: to a customer, as not available as another customer's number.
            #expect(result.results.map { $0.error?.code } == [nil, "invalid-field", "illegal-transition", nil, "invalid-field"])
            #expect(result.succeeded == 2 && result.failed == 3)
        }
    }

    @Test("a number taken by one customer cannot be ordered, released or assigned by another", arguments: TestDatabase.available)
    func otherCustomersNumbers(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let tn = "+12025550100"
            _ = try await numbers.order([tn], accountId: nil, by: fixture.acme)
            let taken = try await numbers.order([tn], accountId: nil, by: fixture.globex).results[0].error
            #expect(taken?.code == "illegal-transition" && taken?.detail == "the number is not available")
            // Reserved or aging, it reads the same: another tenant's status and holder never show.
            _ = try await numbers.reserve(["+12025550101"], accountId: nil, by: fixture.acme)
            #expect(try await numbers.order(["+12025550101"], accountId: nil, by: fixture.globex).results[0].error == taken)
            #expect(try await numbers.release([tn], by: fixture.globex).results[0].error?.code == "not-found")
            #expect(try await numbers.assign([tn], trunkId: fixture.globexTrunk.id, by: fixture.globex).results[0].error?.code == "not-found")
            // Acme cannot point its number at Globex's trunk either: to Acme that trunk does not exist.
            #expect(try await numbers.assign([tn], trunkId: fixture.globexTrunk.id, by: fixture.acme).results[0].error?.code == "not-found")
            await #expect(throws: ServiceError.notFound("number")) {
                try await numbers.number(PhoneNumber(parsing: tn), by: fixture.globex)
            }
        }
    }

    @Test("read-only keys and agents cannot change numbers", arguments: TestDatabase.available)
    func readOnlyRoles(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            for principal in [fixture.acmeReader, fixture.agent] {
                await #expect { try await fixture.provisioning.numbers.order(["+12025550001"], accountId: nil, by: principal) }
                    throws: { ($0 as? ServiceError)?.code == .forbidden }
            }
            await #expect { try await fixture.provisioning.numbers.search(NumberSearch(), page: PageRequest(), by: fixture.agent) }
                throws: { ($0 as? ServiceError)?.code == .forbidden }
        }
    }

    @Test("reservations confirm before they expire and lapse after", arguments: TestDatabase.available)
    func reservations(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let clock = ManualClock()
            let fixture = try await Fixture.make(
                store, configuration: .init(reservationTime: .seconds(600), agingDays: 30), clock: clock.inventoryClock
            )
            let numbers = fixture.provisioning.numbers
            let reserved = try await numbers.reserve(["+12025550010", "+12025550011"], accountId: nil, by: fixture.acme)
            #expect(reserved.results.map(\.status) == [.reserved, .reserved])
            // Reserved numbers leave the search, and other customers cannot take them.
            #expect(try await numbers.search(NumberSearch(contains: "555001"), page: PageRequest(), by: fixture.globex).data.count == 8)
            #expect(try await numbers.order(["+12025550010"], accountId: nil, by: fixture.globex).failed == 1)
            // Confirming in time turns the reservation into an order.
            clock.advance(by: 300)
            #expect(try await numbers.order(["+12025550010"], accountId: nil, by: fixture.acme).results[0].status == .assigned)
            // Past the reservation time, confirming fails and the sweep returns the number to stock.
            clock.advance(by: 301)
            let late = try await numbers.order(["+12025550011"], accountId: nil, by: fixture.acme)
            #expect(late.results[0].error?.detail.contains("expired") == true)
            #expect(try await numbers.sweep() == (expired: 1, reclaimed: 0))
            let record = try await numbers.number(PhoneNumber(parsing: "+12025550011"), by: fixture.operatorPrincipal)
            #expect(record.status == .available && record.accountId == nil)
        }
    }

    @Test("released numbers age for the configured days, then return to stock", arguments: TestDatabase.available)
    func aging(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let clock = ManualClock()
            let fixture = try await Fixture.make(
                store, configuration: .init(reservationTime: .seconds(600), agingDays: 30), clock: clock.inventoryClock
            )
            let numbers = fixture.provisioning.numbers
            _ = try await numbers.order(["+12025550020"], accountId: nil, by: fixture.acme)
            _ = try await numbers.release(["+12025550020"], by: fixture.acme)
            clock.advance(by: 29 * 86_400)
            #expect(try await numbers.sweep() == (expired: 0, reclaimed: 0))
            #expect(try await numbers.order(["+12025550020"], accountId: nil, by: fixture.globex).failed == 1)
            clock.advance(by: 86_400)
            #expect(try await numbers.sweep() == (expired: 0, reclaimed: 1))
            #expect(try await numbers.order(["+12025550020"], accountId: nil, by: fixture.globex).succeeded == 1)
            // Globex sees only its own part of the number's history, not Acme's.
            let history = try await numbers.history(PhoneNumber(parsing: "+12025550020"), page: PageRequest(), by: fixture.globex)
            #expect(history.data.map(\.action) == [.order])
        }
    }

    @Test("a quantity order takes all it asks for or nothing", arguments: TestDatabase.available)
    func quantityOrders(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let search = try NumberSearch(rateCenter: "MORRISTOWN")
            let taken = try await numbers.take(60, matching: search, reserve: false, accountId: nil, by: fixture.acme)
            #expect(taken.succeeded == 60)
            await #expect { try await numbers.take(41, matching: search, reserve: false, accountId: nil, by: fixture.globex) }
                throws: { ($0 as? ServiceError)?.code == .insufficientInventory }
            // Nothing was taken by the failed order: all 40 remaining are still there.
            #expect(try await numbers.search(search, page: PageRequest(limit: 100), by: fixture.globex).data.count == 40)
        }
    }

    @Test("the operator orders for a named customer, and must name one", arguments: TestDatabase.available)
    func operatorOrders(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            await #expect { try await numbers.order(["+12025550001"], accountId: nil, by: fixture.operatorPrincipal) }
                throws: { ($0 as? ServiceError)?.field == "account_id" }
            let result = try await numbers.order(["+12025550001"], accountId: fixture.globex.accountId, by: fixture.operatorPrincipal)
            #expect(result.succeeded == 1)
            // A customer naming another account gets not-found, never a hint that it exists.
            await #expect(throws: ServiceError.notFound("account")) {
                try await numbers.order(["+12025550002"], accountId: fixture.globex.accountId, by: fixture.acme)
            }
        }
    }

    // MARK: - Concurrency

    @Test("two customers ordering the same numbers at once never both get one", arguments: TestDatabase.available)
    func concurrentOrders(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let wanted = (0..<60).map { "+1202555\(String(format: "%04d", 100 + $0))" }
            let results = try await withThrowingTaskGroup(of: BulkResult.self) { group in
                for (index, principal) in [fixture.acme, fixture.globex, fixture.acme, fixture.globex].enumerated() {
                    let list = index.isMultiple(of: 2) ? wanted : wanted.reversed()
                    group.addTask { try await numbers.order(Array(list), accountId: nil, by: principal) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var winners: [String: Int] = [:]
            for result in results {
                for item in result.results where item.ok { winners[item.number, default: 0] += 1 }
            }
            #expect(winners.count == wanted.count)
            #expect(winners.values.allSatisfy { $0 == 1 })
        }
    }

    @Test("concurrent quantity orders get disjoint numbers", arguments: TestDatabase.available)
    func concurrentQuantityOrders(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let search = try NumberSearch(npa: "202")
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for index in 0..<8 {
                    let principal = index.isMultiple(of: 2) ? fixture.acme : fixture.globex
                    group.addTask {
                        try await numbers.take(20, matching: search, reserve: index < 4, accountId: nil, by: principal)
                            .results.map(\.number)
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(results.count == 160)
            #expect(Set(results).count == 160)
        }
    }

    // MARK: - Stock

    @Test("operators add numbers; duplicates and numbers without reference data fail alone", arguments: TestDatabase.available)
    func addStock(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            let new = try (200..<210).map { try PhoneNumber(npa: 202, nxx: 555, line: UInt16($0)) }
            let result = try await numbers.add(
                new + [try PhoneNumber(parsing: "+12025550000"), try PhoneNumber(parsing: "+13125550000")],
                by: fixture.operatorPrincipal
            )
            #expect(result.added == 10 && result.failed == 2)
            #expect(Set(result.failures.compactMap(\.error?.code)) == ["conflict", "invalid-field"])
            await #expect { try await numbers.add(new, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .forbidden
            }
        }
    }
}
