import Foundation
import Inventory
import Logging
import Routing
import RoutingFeed
import Store
import Telephony
import TestSupport
import Testing

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Routing snapshot compilation", .timeLimit(.minutes(3)))
struct RoutingCompilerTests {
    @Test("provisioning changes reach routing through the epoch", arguments: TestDatabase.available)
    func publish(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let table = RoutingTable()
            let publisher = RoutingPublisher(
                compiler: RoutingCompiler(store: store, emergency: EmergencyRoute(host: "psap.example"), clock: fixture.clock),
                table: table, logger: .test("test")
            )
            #expect(try await publisher.refresh())
            #expect(try await !publisher.refresh(), "nothing changed, nothing to publish")
            let fromWholesale = CallRequest(source: IPAddress("198.51.100.3")!, dialed: "+12025550042",
                                            caller: nil, callID: "c1", time: fixture.clock.unixSeconds())
            func decide() -> RoutingOutcome { Router.decide(fromWholesale, in: table.current).outcome }
            // Globex's trunk (198.51.100.0/28) calls Acme's number: not ours until Acme orders and assigns it.
            #expect(decide() == .refuse(Refusal(status: 403, reason: "caller ID not allowed: '' is not a number the trunk may present")))

            let numbers = fixture.provisioning.numbers
            _ = try await numbers.order(["+12025550042"], accountId: nil, by: fixture.acme)
            _ = try await numbers.assign(["+12025550042"], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
            _ = try await fixture.provisioning.trunks.update(
                fixture.globexTrunk.id, with: TrunkDraft(callerId: CallerIDPolicy(mode: .any)), by: fixture.operatorPrincipal
            )
            let before = table.current.version
            #expect(try await publisher.refresh())
            #expect(table.current.version == before + 1)
            guard case .redirect(let targets) = decide() else {
                Issue.record("expected a redirect, got \(decide())")
                return
            }
            #expect(targets.map(\.host) == ["pbx.acme.example"])

            // Unassigning the number takes it out of service at once.
            _ = try await fixture.provisioning.numbers.unassign(["+12025550042"], by: fixture.acme)
            #expect(try await publisher.refresh())
            #expect(decide() == .refuse(Refusal(status: 480, reason: "number not in service", retryAfter: 60)))
        }
    }

    @Test("exchanges of one rate center make local calls; another rate center in the LATA is intra-LATA",
          arguments: TestDatabase.available)
    func localCalls(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            _ = try await fixture.provisioning.reference.replace(with: Fixture.exchanges + [
                ExchangeRecord(npa: 202, nxx: 556, block: nil, state: "DC", lata: "236", rateCenter: "WASHINGTON",
                               ocn: "9206", company: "Capital Bell", companyType: .ilec),
                ExchangeRecord(npa: 202, nxx: 557, block: nil, state: "DC", lata: "236", rateCenter: "GEORGETOWN",
                               ocn: "9206", company: "Capital Bell", companyType: .ilec),
            ])
            _ = try await fixture.provisioning.numbers.order(["+12025550042"], accountId: nil, by: fixture.acme)
            let snapshot = try await RoutingCompiler(store: store, emergency: nil, clock: fixture.clock).compile(version: 1)
            func jurisdiction(_ dialed: String) -> Jurisdiction? {
                Router.decide(CallRequest(source: IPAddress("192.0.2.10")!, dialed: dialed, caller: "+12025550042", callID: "c", time: fixture.clock.unixSeconds()),
                              in: snapshot).jurisdiction
            }
            #expect(jurisdiction("+12025560100") == .local)
            #expect(jurisdiction("+12025570100") == .intraLATA)
            #expect(jurisdiction("+19735550100") == .interstate)
        }
    }
}
