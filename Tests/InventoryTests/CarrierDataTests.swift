import Foundation
import Inventory
import NetworkData
import Platform
import SQLKit
import Store
import Telephony
import TestSupport
import Testing
import Timekeeping

/// The store's routing epoch, read directly.
private func epoch(_ store: Store) async throws -> Int64 {
    try await store.read { database in
        let row = try await database.raw("SELECT epoch FROM routing_epoch WHERE id = 1").first()
        return try row?.decode(column: "epoch", as: Int64.self) ?? -1
    }
}

/// A temporary CSV file with the given contents.
private func file(_ contents: String, _ name: String = "deck") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID()).csv").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Midnight UTC of a date, as Unix seconds.
private func day(_ text: String) throws -> Int64 {
    Int64(try Date(text + "T00:00:00Z", strategy: .iso8601).timeIntervalSince1970)
}

// MARK: - Carriers

@Suite("Carriers")
struct CarrierTests {
    static let gateway = CarrierGateway(address: "sip.northwind.example")

    @Test("create, read, list, change and delete; every change moves the routing epoch",
          arguments: TestDatabase.available)
    func lifecycle(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let carriers = fixture.provisioning.carriers
            let admin = fixture.operatorPrincipal
            var before = try await epoch(store)
            let created = try await carriers.create(CarrierDraft(
                name: "  Northwind  ", gateways: [Self.gateway, CarrierGateway(address: "2001:db8::5", port: 5061,
                                                                               transport: .tls)],
                sourceAddresses: ["203.0.113.0/28"]
            ), by: admin)
            #expect(try await epoch(store) == before + 1)
            #expect(created.id.hasPrefix("car_"))
            #expect(created.name == "Northwind" && created.status == .active && created.priority == 100)
            #expect(created.intraMeans == .intrastate)
            #expect(created.sourceAddresses == ["203.0.113.0/28"])
            #expect(try await carriers.carrier(created.id, by: admin) == created)
            #expect(try await carriers.carrier(idOrName: "Northwind", by: admin).id == created.id)

            before = try await epoch(store)
            let changed = try await carriers.update(
                created.id, with: CarrierDraft(status: .down, priority: 5, intraMeans: .intraLATA), by: admin
            )
            #expect(try await epoch(store) == before + 1)
            #expect(changed.status == .down && changed.priority == 5 && changed.intraMeans == .intraLATA)
            #expect(changed.gateways == created.gateways && changed.name == "Northwind")

            let page = try await carriers.carriers(page: PageRequest(limit: 1), by: admin)
            #expect(page.data.count == 1 && page.nextCursor != nil)
            let rest = try await carriers.carriers(page: PageRequest(limit: 10, cursor: page.nextCursor), by: admin)
            #expect(Set((page.data + rest.data).map(\.id)) == [created.id, fixture.carrier.id])

            // The stored configuration is exactly what the routing compiler decodes.
            let configuration = try await store.read { database in
                try await database.raw("SELECT configuration FROM carriers WHERE id = \(bind: created.id)").first()?
                    .decode(column: "configuration", as: String.self)
            }
            #expect(configuration?.hasPrefix("{\"gateways\":[{\"address\":\"sip.northwind.example\"") == true)
            #expect(configuration?.contains("\"sourceAddresses\":[\"203.0.113.0\\/28\"]") == true)

            before = try await epoch(store)
            try await carriers.delete(created.id, by: admin)
            #expect(try await epoch(store) == before + 1)
            await #expect(throws: ServiceError.notFound("carrier")) {
                try await carriers.carrier(created.id, by: admin)
            }
            await #expect(throws: ServiceError.notFound("carrier")) {
                try await carriers.delete(created.id, by: admin)
            }
        }
    }

    @Test("validation names the field at fault", arguments: [
        (CarrierDraft(gateways: [gateway]), "name"),
        (CarrierDraft(name: " ", gateways: [gateway]), "name"),
        (CarrierDraft(name: "X"), "gateways"),
        (CarrierDraft(name: "X", gateways: []), "gateways"),
        (CarrierDraft(name: "X", gateways: Array(repeating: gateway, count: 17)), "gateways"),
        (CarrierDraft(name: "X", gateways: [CarrierGateway(address: "bad host!")]), "gateways[0].address"),
        (CarrierDraft(name: "X", gateways: [gateway, CarrierGateway(address: "a.example", port: 0)]),
         "gateways[1].port"),
        (CarrierDraft(name: "X", priority: 1001, gateways: [gateway]), "priority"),
        (CarrierDraft(name: "X", priority: -1, gateways: [gateway]), "priority"),
        (CarrierDraft(name: "X", gateways: [gateway], sourceAddresses: ["10.0.0.1", "10.0.0.0/33"]),
         "source_addresses[1]"),
        (CarrierDraft(name: "X", gateways: [gateway], sourceAddresses: Array(repeating: "10.0.0.1", count: 65)),
         "source_addresses"),
    ])
    func validation(draft: CarrierDraft, field: String) async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let before = try await epoch(store)
            await #expect { try await fixture.provisioning.carriers.create(draft, by: fixture.operatorPrincipal) }
                throws: { ($0 as? ServiceError)?.field == field && ($0 as? ServiceError)?.code == .invalidField }
            #expect(try await epoch(store) == before)
        }
    }

    @Test("names are unique, on create and on change", arguments: TestDatabase.available)
    func uniqueNames(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let carriers = fixture.provisioning.carriers
            let admin = fixture.operatorPrincipal
            let taken = CarrierDraft(name: "Fixture Wholesale", gateways: [Self.gateway])
            await #expect { try await carriers.create(taken, by: admin) } throws: {
                ($0 as? ServiceError)?.code == .conflict && ($0 as? ServiceError)?.field == "name"
            }
            let other = try await carriers.create(CarrierDraft(name: "Other", gateways: [Self.gateway]), by: admin)
            await #expect { try await carriers.update(other.id, with: CarrierDraft(name: taken.name), by: admin) }
                throws: { ($0 as? ServiceError)?.code == .conflict }
        }
    }

    @Test("only the operator sees or changes carriers", arguments: TestDatabase.available)
    func permissions(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let carriers = fixture.provisioning.carriers
            let id = fixture.carrier.id
            for principal in [fixture.acme, fixture.acmeReader, fixture.globex, fixture.agent] {
                let forbidden: @Sendable (any Error) -> Bool = { ($0 as? ServiceError)?.code == .forbidden }
                await #expect(performing: {
                    try await carriers.carriers(page: PageRequest(), by: principal)
                }, throws: forbidden)
                await #expect(performing: { try await carriers.carrier(id, by: principal) }, throws: forbidden)
                await #expect(performing: {
                    try await carriers.carrier(idOrName: id, by: principal)
                }, throws: forbidden)
                await #expect(performing: {
                    try await carriers.create(CarrierDraft(name: "Mine", gateways: [Self.gateway]), by: principal)
                }, throws: forbidden)
                await #expect(performing: {
                    try await carriers.update(id, with: CarrierDraft(priority: 1), by: principal)
                }, throws: forbidden)
                await #expect(performing: { try await carriers.delete(id, by: principal) }, throws: forbidden)
            }
            #expect(try await carriers.carrier(id, by: fixture.operatorPrincipal).priority == 100)
        }
    }

    @Test("deleting a carrier deletes its rate deck and the deck's rows", arguments: TestDatabase.available)
    func deleteCascades(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            #expect(try await fixture.provisioning.rateDecks.deck(owner: .carrier(id: fixture.carrier.id))?.rows == 2)
            try await fixture.provisioning.carriers.delete(fixture.carrier.id, by: fixture.operatorPrincipal)
            #expect(try await fixture.provisioning.rateDecks.deck(owner: .carrier(id: fixture.carrier.id)) == nil)
            let left = try await store.read { database in
                try await database.raw("SELECT COUNT(*) AS n FROM rate_prefixes").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(left == 0)
        }
    }
}

// MARK: - Rate decks

@Suite("Rate deck import")
struct RateDeckImportTests {
    struct PrefixRow: Equatable {
        var prefix: String
        var rate: Int64
        var initial: Int64
        var increment: Int64
        var effective: Int64
        var expires: Int64?
    }

    static func prefixRows(_ store: Store, deck: String) async throws -> [PrefixRow] {
        try await store.read { database in
            try await database.raw("""
                SELECT * FROM rate_prefixes WHERE deck_id = \(bind: deck) ORDER BY prefix, effective_at
                """).all().map { row in
                PrefixRow(
                    prefix: try row.decode(column: "prefix", as: String.self),
                    rate: try row.decode(column: "rate_micros", as: Int64.self),
                    initial: try row.decode(column: "initial_seconds", as: Int64.self),
                    increment: try row.decode(column: "increment_seconds", as: Int64.self),
                    effective: try row.decode(column: "effective_at", as: Int64.self),
                    expires: try row.decode(column: "expires_at", as: Int64?.self)
                )
            }
        }
    }

    static func count(_ table: String, _ store: Store) async throws -> Int {
        try await store.read { database in
            let row = try await database.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()
            return try row?.decode(column: "n", as: Int.self) ?? -1
        }
    }

    @Test("a prefix deck loads with increments, effective and expiry dates", arguments: TestDatabase.available)
    func prefixDeck(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let carrier = fixture.carrier.id
            let path = try file("""
                Rate,PREFIX,Initial_Increment,subsequent_increment,effective_date,expiry_date,description
                0.0045,+1202,6,6,2026-01-01,,DC
                0.0050,1202,6,6,2026-07-01T12:00:00Z,2027-01-01,DC from July
                "0.01",1,,,,,NANP
                $0.2,44,1,1,,2026-03-01,UK
                0,999,30,60,2024-02-29,2024-03-01,free

                """)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let before = try await epoch(store)
            var reports: [ImportProgress] = []
            let decks = fixture.provisioning.rateDecks
            let summary = try await decks.importDeck(owner: .carrier(id: carrier), from: path) { reports.append($0) }
            #expect(try await epoch(store) == before + 1)
            #expect(summary.layout == .prefix && summary.rows == 5 && summary.deckId.hasPrefix("deck_"))
            #expect(reports.last?.finished == true && reports.last?.rows == 5)
            let rows = try await Self.prefixRows(store, deck: summary.deckId)
            #expect(rows == [
                PrefixRow(prefix: "1", rate: 10_000, initial: 60, increment: 60, effective: 0, expires: nil),
                PrefixRow(prefix: "1202", rate: 4_500, initial: 6, increment: 6, effective: try day("2026-01-01"),
                          expires: nil),
                PrefixRow(prefix: "1202", rate: 5_000, initial: 6, increment: 6,
                          effective: try day("2026-07-01") + 43_200, expires: try day("2027-01-01")),
                PrefixRow(prefix: "44", rate: 200_000, initial: 1, increment: 1, effective: 0,
                          expires: try day("2026-03-01")),
                PrefixRow(prefix: "999", rate: 0, initial: 30, increment: 60, effective: try day("2024-02-29"),
                          expires: try day("2024-03-01")),
            ])
            let info = try #require(try await fixture.provisioning.rateDecks.deck(owner: .carrier(id: carrier)))
            #expect(info.id == summary.deckId && info.layout == .prefix && info.rows == 5)
            #expect(info.source == URL(fileURLWithPath: path).lastPathComponent)
        }
    }

    @Test("an NPA-NXX deck loads exchanges and thousands-blocks with three jurisdictional rates",
          arguments: TestDatabase.available)
    func npanxxDeck(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let path = try file("""
                npanxx,interstate,intrastate,indeterminate,effective_date,expiry_date,initial_increment
                202555,0.0040,0.0060,0.0060,,,
                202-555-1,0.0030,0.0050,0.0050,2026-02-01,2026-03-01,6
                973555,0.0041,0.0120,0.0120,,,

                """)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let summary = try await fixture.provisioning.rateDecks.importDeck(
                owner: .carrier(id: fixture.carrier.id), from: path
            )
            #expect(summary.layout == .npanxx && summary.rows == 3)
            let rows = try await store.read { database in
                try await database.raw("""
                    SELECT * FROM rate_npanxx WHERE deck_id = \(bind: summary.deckId) ORDER BY npanxx
                    """).all().map { row in
                    [
                        try row.decode(column: "npanxx", as: String.self),
                        String(try row.decode(column: "interstate_micros", as: Int64.self)),
                        String(try row.decode(column: "intrastate_micros", as: Int64.self)),
                        String(try row.decode(column: "indeterminate_micros", as: Int64.self)),
                        String(try row.decode(column: "initial_seconds", as: Int64.self)),
                        String(try row.decode(column: "increment_seconds", as: Int64.self)),
                        String(try row.decode(column: "effective_at", as: Int64.self)),
                        String(describing: try row.decode(column: "expires_at", as: Int64?.self)),
                    ]
                }
            }
            #expect(rows == [
                ["202555", "4000", "6000", "6000", "60", "60", "0", "nil"],
                ["2025551", "3000", "5000", "5000", "6", "60", String(try day("2026-02-01")),
                 String(describing: Optional(try day("2026-03-01")))],
                ["973555", "4100", "12000", "12000", "60", "60", "0", "nil"],
            ])
            // The fixture's prefix deck was replaced, its rows gone with it.
            #expect(try await Self.count("rate_prefixes", store) == 0)
        }
    }

    @Test("bad rows are reported by line with the column, and nothing changes", arguments: TestDatabase.available)
    func badRows(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let decks = fixture.provisioning.rateDecks
            let owner = RateDeckOwner.carrier(id: fixture.carrier.id)
            let old = try #require(try await decks.deck(owner: owner))
            let before = try await epoch(store)
            let prefixFile = try file("""
                prefix,rate,initial_increment,subsequent_increment,effective_date,expiry_date
                1202,0.004,,,,
                12a2,0.004,,,,
                1234567890123456,0.004,,,,
                1203,-0.01,,,,
                1204,100.000001,,,,
                1205,cheap,,,,
                1202,0.005,,,,
                1206,0.004,0,,,
                1207,0.004,,3601,,
                1208,0.004,,,2026-02-30,
                1209,0.004,,,2026-03-01,2026-03-01
                1210,0.004,,,2026-03-01,2026-02-01
                1211,0.004,,,
                +,0.004,,,,
                1212,0.0040001,,,,
                1202,0.005,,,2026-01-01,
                """)
            let npanxxFile = try file("""
                npanxx,interstate,intrastate,indeterminate
                202555,0.001,0.002,0.003
                20255,0.001,0.002,0.003
                102555,0.001,0.002,0.003
                202911,0.001,0.002,0.003
                20255512,0.001,0.002,0.003
                202555,0.001,0.002,0.003
                2025559,0.001,,0.003
                """)
            defer { for path in [prefixFile, npanxxFile] { try? FileManager.default.removeItem(atPath: path) } }
            do {
                _ = try await decks.importDeck(owner: owner, from: prefixFile)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.badRows == 14)
                #expect(error.rowErrors.map(\.line) == Array(3...16))
                let fields = error.rowErrors.map { String($0.reason.prefix { $0 != ":" }) }
                #expect(fields == [
                    "prefix", "prefix", "rate", "rate", "rate", "prefix", "initial_increment", "subsequent_increment",
                    "effective_date", "expiry_date", "expiry_date", "row", "prefix", "rate",
                ])
                #expect(error.rowErrors[5].reason.contains("duplicates"))
                #expect(error.description.contains("nothing was imported"))
            }
            do {
                _ = try await decks.importDeck(owner: owner, from: npanxxFile)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.rowErrors.map(\.line) == [3, 4, 5, 6, 7, 8])
                let fields = error.rowErrors.map { String($0.reason.prefix { $0 != ":" }) }
                #expect(fields == ["npanxx", "npanxx", "npanxx", "npanxx", "npanxx", "intrastate"])
                #expect(error.rowErrors[4].reason.contains("duplicates"))
            }
            // The old deck and its rows are untouched, and routing was not told of any change.
            #expect(try await decks.deck(owner: owner) == old)
            #expect(try await Self.prefixRows(store, deck: old.id).map(\.prefix) == ["1", "1202"])
            #expect(try await Self.count("rate_npanxx", store) == 0)
            #expect(try await epoch(store) == before)
        }
    }

    @Test("a header of neither layout, or of both, is refused at line 1")
    func headers() async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            for (header, expected) in [
                ("code,price\n", "neither"), ("prefix,npanxx,rate\n", "both"), ("prefix\n1,0.1\n", "rate"),
                ("npanxx,interstate\n", "intrastate, indeterminate"), ("", "empty"),
            ] {
                let path = try file(header)
                defer { try? FileManager.default.removeItem(atPath: path) }
                await #expect {
                    try await fixture.provisioning.rateDecks.importDeck(
                        owner: .carrier(id: fixture.carrier.id), from: path
                    )
                } throws: { error in
                    let text = (error as? ImportError)?.fileError ?? ""
                    return text.contains(expected) && (expected == "empty" || text.hasPrefix("line 1"))
                }
            }
        }
    }

    @Test("a re-import replaces the deck atomically; a failed one leaves the previous deck",
          arguments: TestDatabase.available)
    func replacement(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let decks = fixture.provisioning.rateDecks
            let owner = RateDeckOwner.carrier(id: fixture.carrier.id)
            // Enough rows for several INSERT batches.
            let big = try file("prefix,rate\n" + (0..<2_500).map { "1\(200_000 + $0),0.00\($0 % 10 + 1)\n" }.joined())
            let small = try file("prefix,rate\n44,0.02\n")
            let failing = try file("prefix,rate\n" + (0..<2_500).map { "1\(200_000 + $0),0.001\n" }.joined() + "x,1\n")
            defer { for path in [big, small, failing] { try? FileManager.default.removeItem(atPath: path) } }

            let first = try await decks.importDeck(owner: owner, from: big)
            #expect(first.rows == 2_500)
            #expect(try await Self.count("rate_prefixes", store) == 2_500)
            let second = try await decks.importDeck(owner: owner, from: small)
            #expect(second.deckId != first.deckId)
            #expect(try await Self.count("rate_prefixes", store) == 1)
            #expect(try await Self.count("rate_decks", store) == 1)

            let before = try await epoch(store)
            await #expect(throws: ImportError.self) { try await decks.importDeck(owner: owner, from: failing) }
            #expect(try await decks.deck(owner: owner)?.id == second.deckId)
            #expect(try await Self.prefixRows(store, deck: second.deckId).map(\.prefix) == ["44"])
            #expect(try await Self.count("rate_prefixes", store) == 1)
            #expect(try await epoch(store) == before)
        }
    }

    @Test("customers have sell-rate decks of their own, apart from carriers'", arguments: TestDatabase.available)
    func customerDecks(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let decks = fixture.provisioning.rateDecks
            let path = try file("prefix,rate\n1,0.02\n1202,0.015\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let before = try await epoch(store)
            let acme = RateDeckOwner.customer(accountId: fixture.acme.accountId)
            let summary = try await decks.importDeck(owner: acme, from: path)
            #expect(try await epoch(store) == before + 1)
            #expect(try await decks.deck(owner: acme)?.id == summary.deckId)
            #expect(try await decks.deck(owner: .customer(accountId: fixture.globex.accountId)) == nil)
            #expect(try await decks.deck(owner: .carrier(id: fixture.carrier.id))?.rows == 2)
            #expect(try await Self.prefixRows(store, deck: summary.deckId).map(\.rate) == [20_000, 15_000])

            await #expect(throws: ServiceError.notFound("account")) {
                try await decks.importDeck(owner: .customer(accountId: "acc_nobody"), from: path)
            }
            let agent = RateDeckOwner.customer(accountId: fixture.agent.accountId)
            await #expect { try await decks.importDeck(owner: agent, from: path) } throws: {
                ($0 as? ServiceError)?.field == "account_id"
            }
            await #expect(throws: ServiceError.notFound("carrier")) {
                try await decks.importDeck(owner: .carrier(id: "car_nobody"), from: path)
            }
            #expect(try await epoch(store) == before + 1)
        }
    }
}

// MARK: - Ported numbers

@Suite("LRN import")
struct LRNImportTests {
    @Test("tn,lrn rows load in any spelling and are looked up by number", arguments: TestDatabase.available)
    func importAndLookup(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let ported = PortedNumbers(store: store, clock: .system)
            let path = try file("""
                LRN,TN
                2025550000,2025550143
                +1 (973) 555-0000,1-973-555-9001
                "tel:+1-212-555-0000",212.555.0100

                """, "lrn")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let before = try await epoch(store)
            var reports: [ImportProgress] = []
            #expect(try await ported.importLRN(from: path) { reports.append($0) } == 3)
            #expect(reports.last?.finished == true)
            #expect(try await epoch(store) == before + 1)
            #expect(try await ported.count() == 3)
            #expect(try await ported.lookup(PhoneNumber(parsing: "+12025550143")) == .ported(lrn: PhoneNumber(parsing: "2025550000")))
            #expect(try await ported.lookup(PhoneNumber(parsing: "9735559001")) == .ported(lrn: PhoneNumber(parsing: "9735550000")))
            #expect(try await ported.lookup(PhoneNumber(parsing: "2025550144")) == .notPorted)
            let stored = try await store.read { database in
                try await database.raw("SELECT tn, lrn FROM ported_numbers WHERE tn = 2125550100").first()
                    .map { [try $0.decode(column: "tn", as: Int64.self), try $0.decode(column: "lrn", as: Int64.self)] }
            }
            #expect(stored == [2_125_550_100, 2_125_550_000])
        }
    }

    @Test("bad rows are reported by line and nothing changes", arguments: TestDatabase.available)
    func badRows(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let ported = PortedNumbers(store: store, clock: .system)
            let good = try file("tn,lrn\n2025550143,2025550000\n", "lrn")
            let bad = try file("""
                tn,lrn
                2025550143,2025550000
                202555014,2025550000
                2025550144,1025550000
                +442079460000,2025550000
                2025550145,
                2025550146
                """, "lrn")
            let header = try file("tn,number\n2025550143,2025550000\n", "lrn")
            defer { for path in [good, bad, header] { try? FileManager.default.removeItem(atPath: path) } }
            _ = try await ported.importLRN(from: good)
            let before = try await epoch(store)
            do {
                _ = try await ported.importLRN(from: bad)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.rowErrors.map(\.line) == [3, 4, 5, 6, 7])
                let fields = error.rowErrors.map { String($0.reason.prefix { $0 != ":" }) }
                #expect(fields == ["tn", "lrn", "tn", "lrn", "row"])
            }
            await #expect { try await ported.importLRN(from: header) } throws: {
                ($0 as? ImportError)?.fileError?.contains("lacks column lrn") == true
            }
            #expect(try await ported.count() == 1)
            #expect(try await epoch(store) == before)
        }
    }

    @Test("duplicate numbers are reported with both lines, within a batch and across batches",
          arguments: TestDatabase.available)
    func duplicates(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let ported = PortedNumbers(store: store, clock: .system)
            let good = try file("tn,lrn\n2025550143,2025550000\n", "lrn")
            let small = try file(
                "tn,lrn\n2025550143,2025550000\n2025550144,2025550000\n202-555-0143,2025550001\n", "lrn"
            )
            // Lines 2 to 4,501; INSERT batches hold 2,000 rows. Line 2,502 repeats line 2 (an earlier batch) and
            // line 4,001 repeats line 4,000 (the same batch).
            var rows = (0..<4_500).map { "\(2_025_510_000 + $0),2025550000\n" }
            rows[2_500] = rows[0]
            rows[3_999] = rows[3_998]
            let large = try file("tn,lrn\n" + rows.joined(), "lrn")
            defer { for path in [good, small, large] { try? FileManager.default.removeItem(atPath: path) } }
            _ = try await ported.importLRN(from: good)
            let before = try await epoch(store)
            do {
                _ = try await ported.importLRN(from: small)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.rowErrors.map(\.description) == ["line 4: tn: +12025550143 duplicates line 2"])
            }
            do {
                _ = try await ported.importLRN(from: large)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.badRows == 2)
                #expect(error.rowErrors.map(\.description) == [
                    "line 2502: tn: +12025510000 duplicates line 2", "line 4001: tn: +12025513998 duplicates line 4000",
                ])
            }
            #expect(try await ported.count() == 1)
            #expect(try await ported.lookup(PhoneNumber(parsing: "2025550143")) == .ported(lrn: PhoneNumber(parsing: "2025550000")))
            #expect(try await epoch(store) == before)
        }
    }

    @Test("a new file replaces the whole table", arguments: TestDatabase.available)
    func replacement(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let ported = PortedNumbers(store: store, clock: .system)
            let first = try file("tn,lrn\n" + (0..<3_000).map { "\(2_025_510_000 + $0),2025550000\n" }.joined(), "lrn")
            let second = try file("tn,lrn\n9735559001,9735550000\n", "lrn")
            defer { for path in [first, second] { try? FileManager.default.removeItem(atPath: path) } }
            #expect(try await ported.importLRN(from: first) == 3_000)
            #expect(try await ported.count() == 3_000)
            let before = try await epoch(store)
            #expect(try await ported.importLRN(from: second) == 1)
            #expect(try await epoch(store) == before + 1)
            #expect(try await ported.count() == 1)
            #expect(try await ported.lookup(PhoneNumber(parsing: "2025510000")) == .notPorted)
            #expect(try await ported.lookup(PhoneNumber(parsing: "9735559001")) == .ported(lrn: PhoneNumber(parsing: "9735550000")))
        }
    }
}
