import Foundation
import Inventory
import NetworkData
import Platform
import Routing
import RoutingFeed
import Store
import Telephony
import TestSupport
import Testing

@Suite("Blocked destinations")
struct BlockedDestinationTests {
    private static func code(_ error: any Error) -> ServiceError.Code? { (error as? ServiceError)?.code }

    @Test("blocks reach routing: per account, network-wide, and lifted", arguments: TestDatabase.available)
    func routing(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let blocks = fixture.provisioning.blockedDestinations
            _ = try await fixture.provisioning.numbers.order(["+12025550042"], accountId: nil, by: fixture.acme)
            _ = try await fixture.provisioning.trunks.update(
                fixture.globexTrunk.id, with: TrunkDraft(callerId: CallerIDPolicy(mode: .any)), by: fixture.operatorPrincipal
            )
            let psap = EmergencyRoute(host: "psap.example", port: 5090)
            let compiler = RoutingCompiler(store: store, emergency: psap, clock: fixture.clock)
            func outcome(_ dialed: String, from source: String) async throws -> RoutingOutcome {
                let caller = source == "192.0.2.10" ? "+12025550042" : "+12025550100"
                let request = CallRequest(
                    source: IPAddress(source)!, dialed: dialed, caller: caller, callID: "c", time: fixture.clock.unixSeconds()
                )
                return Router.decide(request, in: try await compiler.compile(version: 1)).outcome
            }
            func status(_ dialed: String, from source: String) async throws -> Int? {
                if case .refuse(let refusal) = try await outcome(dialed, from: source) { return refusal.status }
                return nil
            }
            // The fixture's Acme blocks +53; Globex does not.
            #expect(try await status("+5372345678", from: "192.0.2.10") == 603)
            #expect(try await status("+5372345678", from: "198.51.100.3") != 603)
            let network = try await blocks.create(BlockedDestinationDraft(prefix: "+5372"), by: fixture.operatorPrincipal)
            #expect(network.accountId == nil)
            #expect(try await status("+5372345678", from: "198.51.100.3") == 603)
            // Blocks that cover every NANP and every +9 destination, for everyone and for Acme, still let 911 through.
            let wide = [
                try await blocks.create(BlockedDestinationDraft(prefix: "+1"), by: fixture.operatorPrincipal),
                try await blocks.create(BlockedDestinationDraft(prefix: "+9"), by: fixture.operatorPrincipal),
                try await blocks.create(BlockedDestinationDraft(prefix: "+1"), by: fixture.acme),
            ]
            #expect(try await status("+13125550100", from: "192.0.2.10") == 603)
            #expect(try await outcome("911", from: "192.0.2.10") == .redirect([
                RouteTarget(user: "911", host: "psap.example", port: 5090, transport: "udp", label: "emergency"),
            ]), "911 is never blocked")
            for block in wide { try await blocks.delete(block.id, by: fixture.operatorPrincipal) }
            try await blocks.delete(network.id, by: fixture.operatorPrincipal)
            #expect(try await status("+5372345678", from: "198.51.100.3") != 603)
        }
    }

    @Test("bad prefixes and repeats are refused", arguments: ["", "53", "+", "+0", "+1234567890123456", "+1 900", "+٥٣"])
    func badPrefix(prefix: String) async throws {
        try await TestDatabase.sqlite.withFixture { store, fixture in
            await #expect { try await fixture.provisioning.blockedDestinations.create(.init(prefix: prefix), by: fixture.acme) }
                throws: { Self.code($0) == .invalidField }
        }
    }

    @Test("tenants see and lift only their own blocks; network blocks are the operator's", arguments: TestDatabase.available)
    func access(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let blocks = fixture.provisioning.blockedDestinations
            let network = try await blocks.create(.init(prefix: "+1900", reason: "premium rate"), by: fixture.operatorPrincipal)
            let globex = try await blocks.create(.init(prefix: "+44"), by: fixture.globex)
            await #expect { try await blocks.create(.init(prefix: "+53"), by: fixture.acme) } throws: { Self.code($0) == .conflict }
            await #expect { try await blocks.create(.init(prefix: "+7", accountId: fixture.globex.accountId), by: fixture.acme) }
                throws: { Self.code($0) == .notFound }
            await #expect { try await blocks.create(.init(prefix: "+7"), by: fixture.acmeReader) } throws: { Self.code($0) == .forbidden }

            let seen = try await blocks.list(accountId: nil, page: try PageRequest(), by: fixture.acme).data.map(\.id)
            #expect(Set(seen) == [fixture.acmeBlock.id, network.id])
            let all = try await blocks.list(accountId: nil, page: try PageRequest(), by: fixture.operatorPrincipal).data.map(\.id)
            #expect(Set(all) == [fixture.acmeBlock.id, network.id, globex.id])

            await #expect { try await blocks.delete(globex.id, by: fixture.acme) } throws: { Self.code($0) == .notFound }
            await #expect { try await blocks.delete(network.id, by: fixture.acme) } throws: { Self.code($0) == .forbidden }
            let imposed = try await blocks.create(.init(prefix: "+882", accountId: fixture.acme.accountId), by: fixture.operatorPrincipal)
            #expect(imposed.setByOperator && !fixture.acmeBlock.setByOperator)
            await #expect { try await blocks.delete(imposed.id, by: fixture.acme) } throws: { Self.code($0) == .forbidden }
            try await blocks.delete(imposed.id, by: fixture.operatorPrincipal)
            try await blocks.delete(fixture.acmeBlock.id, by: fixture.acme)
            try await blocks.delete(globex.id, by: fixture.operatorPrincipal)
            #expect(try await blocks.list(accountId: nil, page: try PageRequest(), by: fixture.operatorPrincipal).data.map(\.id) == [network.id])
        }
    }
}
