import Foundation
import Inventory
import Logging
import Routing
import Store
import Telephony
import TestSupport
import Testing

@Suite("Routing snapshot compilation")
struct RoutingCompilerTests {
    @Test("provisioning changes reach routing through the epoch", arguments: TestDatabase.available)
    func publish(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let table = RoutingTable()
            let publisher = RoutingPublisher(
                compiler: RoutingCompiler(store: store, emergency: EmergencyRoute(host: "psap.example")),
                table: table, logger: Logger(label: "test")
            )
            #expect(try await publisher.refresh())
            #expect(try await !publisher.refresh(), "nothing changed, nothing to publish")
            let fromWholesale = CallRequest(source: IPAddress("198.51.100.3")!, dialed: "+12025550042",
                                            caller: nil, callID: "c1")
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
}
