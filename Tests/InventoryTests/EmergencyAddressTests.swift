import Emergency
import Foundation
import Inventory
import Platform
import Routing
import RoutingFeed
import Store
import Telephony
import TestSupport
import Testing

@Suite("E911 addresses and bindings")
struct EmergencyAddressTests {
    private static let number = PhoneNumber("+12025550042")!

    private static func code(_ error: any Error) -> ServiceError.Code? { (error as? ServiceError)?.code }

    private static func assigned(_ fixture: Fixture) async throws {
        _ = try await fixture.provisioning.numbers.order([number.e164], accountId: nil, by: fixture.acme)
        _ = try await fixture.provisioning.numbers.assign([number.e164], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
    }

    @Test("a wrong street is refused with candidates and stores nothing; the corrected one validates and binds",
          arguments: TestDatabase.available)
    func correctAndBind(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let e911 = fixture.provisioning.emergencyAddresses
            try await Self.assigned(fixture)
            let before = try await e911.addresses(accountId: nil, page: try PageRequest(), by: fixture.acme).data
            await #expect {
                _ = try await e911.create(AddressDraft(street: "400 Capitol Street", city: "Washington", state: "DC", zip: "20001"),
                                          accountId: nil, by: fixture.acme)
            } throws: { error in
                guard let refusal = error as? AddressRefusal else { return false }
                return refusal.problem == .unknownStreet && refusal.candidates == ["1-2000 N CAPITOL ST, WASHINGTON DC"]
            }
            #expect(try await e911.addresses(accountId: nil, page: try PageRequest(), by: fixture.acme).data == before)

            let address = try await e911.create(
                AddressDraft(street: "400 North Capitol Street, Room 12", city: "washington", state: "dc", zip: "20001"), accountId: nil, by: fixture.acme
            )
            #expect(address.esn == "104" && address.psap == "DC-OUC")
            #expect(address.line == "400 N CAPITOL ST, RM 12, WASHINGTON DC 20001")

            #expect(try await fixture.provisioning.emergencyBindings.unbound(accountId: nil, page: try PageRequest(), by: fixture.acme).data.map(\.number) == [Self.number])
            let binding = try await fixture.provisioning.emergencyBindings.bind(Self.number, to: address.id, by: fixture.acme)
            #expect(binding.address == address)
            #expect(try await fixture.provisioning.emergencyBindings.binding(of: Self.number, by: fixture.acme).address.id == address.id)
            #expect(try await fixture.provisioning.emergencyBindings.unbound(accountId: nil, page: try PageRequest(), by: fixture.acme).data.isEmpty)
            // Routing picks the binding up: a 911 call from the number carries its location.
            let snapshot = try await RoutingCompiler(store: store, emergency: EmergencyRoute(host: "psap.example"), clock: fixture.clock).compile(version: 1)
            let call = CallRequest(source: IPAddress("192.0.2.10")!, dialed: "911", caller: Self.number.e164, callID: "e", time: fixture.clock.unixSeconds())
            #expect(Router.decide(call, in: snapshot).emergency?.location?.addressId == address.id)

            // Binding again replaces the binding.
            _ = try await fixture.provisioning.emergencyBindings.bind(Self.number, to: address.id, by: fixture.acme)
            try await fixture.provisioning.emergencyBindings.unbind(Self.number, by: fixture.acme)
            await #expect { try await fixture.provisioning.emergencyBindings.binding(of: Self.number, by: fixture.acme) } throws: { Self.code($0) == .notFound }
            let actions = try await store.read { database in
                try await database.raw("SELECT action, actor FROM e911_events ORDER BY id").all()
                    .map { try $0.decode(column: "action", as: String.self) }
            }
            #expect(actions.suffix(4) == ["address-created", "bound", "bound", "unbound"])

            // The binding never passes to the number's next owner: releasing the number drops it.
            _ = try await fixture.provisioning.emergencyBindings.bind(Self.number, to: address.id, by: fixture.acme)
            _ = try await fixture.provisioning.numbers.release([Self.number.e164], by: fixture.acme)
            let kept = try await store.read { try await $0.raw("SELECT COUNT(*) AS n FROM number_e911").first()!.decode(column: "n", as: Int.self) }
            #expect(kept == 0)
        }
    }

    @Test("out-of-range numbers and unknown communities are refused with the reason")
    func refusals() async throws {
        try await TestDatabase.sqlite.withFixture { store, fixture in
            let e911 = fixture.provisioning.emergencyAddresses
            let (_, outOfRange) = try await e911.validate(AddressDraft(street: "2500 Main St", city: "Washington", state: "DC", zip: "20001"))
            guard case .invalid(.houseNumberOutOfRange, let candidates) = outOfRange else {
                Issue.record("expected out of range, got \(outOfRange)")
                return
            }
            #expect(candidates.first?.summary == "1-1999 odd MAIN ST, WASHINGTON DC")
            let (_, elsewhere) = try await e911.validate(AddressDraft(street: "10 Main St", city: "Silver Spring", state: "MD", zip: "20910"))
            guard case .invalid(.unknownCommunity, let suggested) = elsewhere else {
                Issue.record("expected an unknown community, got \(elsewhere)")
                return
            }
            #expect(suggested.map(\.community) == ["BETHESDA"])
            await #expect { try await e911.validate(AddressDraft(street: "10 Main St", city: "Washington", state: "DC", zip: "123")) }
                throws: { ($0 as? ServiceError)?.field == "zip" }
        }
    }

    @Test("tenants see only their own addresses and numbers; addresses bind only to their owner's numbers",
          arguments: TestDatabase.available)
    func isolation(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let e911 = fixture.provisioning.emergencyAddresses
            try await Self.assigned(fixture)
            await #expect { try await e911.address(fixture.acmeAddress.id, by: fixture.globex) } throws: { Self.code($0) == .notFound }
            await #expect { try await fixture.provisioning.emergencyBindings.bind(Self.number, to: fixture.acmeAddress.id, by: fixture.globex) }
                throws: { Self.code($0) == .notFound }
            let globexAddress = try await e911.create(
                AddressDraft(street: "12 Main St", city: "Bethesda", state: "MD", zip: "20814"), accountId: nil, by: fixture.globex
            )
            await #expect { try await fixture.provisioning.emergencyBindings.bind(Self.number, to: globexAddress.id, by: fixture.acme) }
                throws: { Self.code($0) == .notFound }
            await #expect { try await fixture.provisioning.emergencyBindings.bind(Self.number, to: globexAddress.id, by: fixture.operatorPrincipal) }
                throws: { ($0 as? ServiceError)?.field == "address_id" }
            await #expect { try await fixture.provisioning.emergencyBindings.bind(Self.number, to: fixture.acmeAddress.id, by: fixture.acmeReader) }
                throws: { Self.code($0) == .forbidden }
            let stock = PhoneNumber("+12025550043")!
            await #expect { try await fixture.provisioning.emergencyBindings.bind(stock, to: fixture.acmeAddress.id, by: fixture.operatorPrincipal) }
                throws: { Self.code($0) == .notFound }
            #expect(try await e911.addresses(accountId: nil, page: try PageRequest(), by: fixture.globex).data.map(\.id) == [globexAddress.id])
        }
    }

    @Test("an MSAG file imports streets normalized like addresses; a bad row changes nothing", arguments: TestDatabase.available)
    func importMSAG(database: TestDatabase) async throws {
        try await database.withFixture { _, fixture in
            let e911 = fixture.provisioning.emergencyAddresses
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("msag-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let header = "state,community,pre_directional,street_name,street_type,post_directional,low,high,parity,esn,psap\n"
            let good = directory.appendingPathComponent("good.csv").path
            try (header + "Alabama,Huntsville,,Clinton,Avenue,West,100,998,E,00502,HUNTSVILLE-ECC\n"
                + "AL,HUNTSVILLE,,CLINTON,AVE,W,101,999,o,00503,HUNTSVILLE-ECC\n").write(toFile: good, atomically: true, encoding: .utf8)
            #expect(try await e911.importMSAG(from: good) == 2)
            let (_, verdict) = try await e911.validate(AddressDraft(street: "201 Clinton Ave W", city: "Huntsville", state: "AL", zip: "35801"))
            guard case .valid(let range) = verdict else {
                Issue.record("expected a valid address, got \(verdict)")
                return
            }
            #expect(range.esn == "00503")
            // The fixture's Washington streets were replaced.
            let (_, gone) = try await e911.validate(AddressDraft(street: "100 Main St", city: "Washington", state: "DC", zip: "20001"))
            #expect(gone != .valid(Fixture.msag[0]))

            let bad = directory.appendingPathComponent("bad.csv").path
            try (header + "AL,Huntsville,,Main,St,,1,99,B,00501,HSV\n" + "AL,Huntsville,,Main,St,,1,99,X,00501,HSV\n"
                + "AL,Huntsville,,Main,Strasse,,1,99,B,00501,HSV\n" + "AL,Huntsville,,Main,St,,99,1,B,00501,HSV\n"
                + "ZZ,Huntsville,,Main,St,,1,99,B,00501,HSV\n").write(toFile: bad, atomically: true, encoding: .utf8)
            do {
                _ = try await e911.importMSAG(from: bad)
                Issue.record("a bad file imported")
            } catch let error as ImportError {
                #expect(error.rowErrors.map(\.line) == [3, 4, 5, 6])
                #expect(error.rowErrors.map { $0.reason.prefix { $0 != ":" } } == ["parity", "street_type", "low", "state"])
            }
            let (_, kept) = try await e911.validate(AddressDraft(street: "201 Clinton Ave W", city: "Huntsville", state: "AL", zip: "35801"))
            #expect(kept == verdict, "the previous MSAG is untouched")

            let missing = directory.appendingPathComponent("missing.csv").path
            try "state,community,street_name\nAL,Huntsville,Main\n".write(toFile: missing, atomically: true, encoding: .utf8)
            await #expect { try await e911.importMSAG(from: missing) } throws: { ($0 as? ImportError)?.fileError?.contains("low") == true }
        }
    }
}
