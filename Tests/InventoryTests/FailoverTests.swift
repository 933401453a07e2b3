import Foundation
import Inventory
import Logging
import Platform
import Routing
import RoutingFeed
import Store
import Telephony
import TestSupport
import Testing

@Suite("Number failover")
struct FailoverProvisioningTests {
    private static let number = PhoneNumber("+12025550042")!

    /// Runs `body` on a fixture where Acme has ordered +1 202-555-0042, pointed it at its trunk, and added a
    /// second trunk for disaster recovery (passed as `recovery`).
    private static func withNumber(
        on database: TestDatabase, _ body: @escaping @Sendable (Store, Fixture, _ recovery: Trunk) async throws -> Void
    ) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            _ = try await numbers.order([number.e164], accountId: nil, by: fixture.acme)
            _ = try await numbers.assign([number.e164], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
            let recovery = try await fixture.provisioning.trunks.create(
                TrunkDraft(name: "Acme DR", hosts: [TrunkHost(address: "dr.acme.example")], sourceAddresses: ["192.0.2.20"]),
                by: fixture.acme
            )
            try await body(store, fixture, recovery)
        }
    }

    private static func code(_ error: any Error) -> ServiceError.Code? { (error as? ServiceError)?.code }

    @Test("failover reaches routing in order after the trunk, and leaves with the number", arguments: TestDatabase.available)
    func endToEnd(database: TestDatabase) async throws {
        try await Self.withNumber(on: database) { store, fixture, recovery in
            let numbers = fixture.provisioning.numbers
            let targets: [FailoverTarget] = [.trunk(recovery.id), .number(PhoneNumber("+19735559000")!)]
            #expect(try await numbers.setFailover(of: Self.number, to: targets, by: fixture.acme) == targets)
            #expect(try await numbers.failover(of: Self.number, by: fixture.acme) == targets)
            #expect(try await numbers.failover(of: Self.number, by: fixture.operatorPrincipal) == targets)

            let compiler = RoutingCompiler(store: store, emergency: nil, clock: fixture.clock)
            let call = CallRequest(source: IPAddress("192.0.2.10")!, dialed: Self.number.e164, caller: Self.number.e164, callID: "c", time: fixture.clock.unixSeconds())
            guard case .redirect(let contacts) = Router.decide(call, in: try await compiler.compile(version: 1)).outcome else {
                Issue.record("expected a redirect")
                return
            }
            #expect(contacts.map(\.host) == ["pbx.acme.example", "dr.acme.example"],
                    "+1 973-555-9000 is not assigned, so it has no trunk to deliver to")

            // A released number keeps nothing of its failover for its next owner.
            _ = try await numbers.release([Self.number.e164], by: fixture.acme)
            let left = try await store.read { try await $0.raw("SELECT COUNT(*) AS n FROM number_failover").first()!.decode(column: "n", as: Int.self) }
            #expect(left == 0)
        }
    }

    @Test("bad targets are refused, naming the target, and change nothing", arguments: TestDatabase.available)
    func validation(database: TestDatabase) async throws {
        try await Self.withNumber(on: database) { store, fixture, recovery in
            let numbers = fixture.provisioning.numbers
            let kept: [FailoverTarget] = [.trunk(recovery.id)]
            _ = try await numbers.setFailover(of: Self.number, to: kept, by: fixture.acme)
            let bad: [([FailoverTarget], String)] = [
                ([.trunk(recovery.id), .trunk(fixture.globexTrunk.id)], "targets[1]"),
                ([.trunk("trk_missing")], "targets[0]"),
                ([.number(Self.number)], "targets[0]"),
                ([.number(PhoneNumber("+19005550100")!)], "targets[0]"),
                ([.number(PhoneNumber("+18765550100")!)], "targets[0]"),
                ([.trunk(recovery.id), .trunk(recovery.id)], "targets"),
                (Array(repeating: .trunk(recovery.id), count: 6), "targets"),
            ]
            for (targets, field) in bad {
                await #expect(throws: ServiceError.self, "\(targets)") {
                    do {
                        _ = try await numbers.setFailover(of: Self.number, to: targets, by: fixture.acme)
                    } catch let error as ServiceError {
                        #expect(error.code == .invalidField && error.field == field, "\(targets): \(error)")
                        throw error
                    }
                }
            }
            #expect(try await numbers.failover(of: Self.number, by: fixture.acme) == kept)
        }
    }

    @Test("other tenants, readers and unassigned numbers are refused", arguments: TestDatabase.available)
    func access(database: TestDatabase) async throws {
        try await Self.withNumber(on: database) { store, fixture, recovery in
            let numbers = fixture.provisioning.numbers
            await #expect { try await numbers.failover(of: Self.number, by: fixture.globex) } throws: { Self.code($0) == .notFound }
            await #expect { try await numbers.setFailover(of: Self.number, to: [], by: fixture.globex) } throws: { Self.code($0) == .notFound }
            await #expect { try await numbers.setFailover(of: Self.number, to: [], by: fixture.acmeReader) } throws: { Self.code($0) == .forbidden }
            let stock = PhoneNumber("+12025550043")!
            await #expect { try await numbers.setFailover(of: stock, to: [.trunk(recovery.id)], by: fixture.operatorPrincipal) }
                throws: { Self.code($0) == .conflict }
        }
    }

    @Test("a trunk that numbers fail over to cannot be deleted", arguments: TestDatabase.available)
    func trunkInUse(database: TestDatabase) async throws {
        try await Self.withNumber(on: database) { store, fixture, recovery in
            _ = try await fixture.provisioning.numbers.setFailover(of: Self.number, to: [.trunk(recovery.id)], by: fixture.acme)
            await #expect { try await fixture.provisioning.trunks.delete(recovery.id, releasing: [], by: fixture.acme) } throws: { Self.code($0) == .conflict }
            _ = try await fixture.provisioning.numbers.setFailover(of: Self.number, to: [], by: fixture.acme)
            try await fixture.provisioning.trunks.delete(recovery.id, releasing: [], by: fixture.acme)
        }
    }
}
