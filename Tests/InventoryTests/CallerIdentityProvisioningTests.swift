import Foundation
import Inventory
import Platform
import Routing
import RoutingFeed
import Store
import Telephony
import TestSupport
import Testing

@Suite("Caller names and signing policy")
struct CallerIdentityProvisioningTests {
    private static let number = PhoneNumber("+12025550042")!

    private static func code(_ error: any Error) -> ServiceError.Code? { (error as? ServiceError)?.code }

    @Test("caller names are normalized, CNAM-sized, printable ASCII", arguments: [
        ("  Acme   Dental  ", "Acme Dental"), ("ACME-DENTAL #2", "ACME-DENTAL #2"), ("Golden Gate Co", "Golden Gate Co"),
    ])
    func normalization(raw: String, expected: String) throws {
        #expect(try CallerName(normalizing: raw).text == expected)
    }

    @Test("names CNAM cannot carry are refused with the reason", arguments: ["", "   ", "Sixteen chars ab", "Zoë Café", "tab\u{7}bell"])
    func badNames(raw: String) {
        #expect(throws: CallerName.NameError.self) { try CallerName(normalizing: raw) }
    }

    @Test("the owner names its number; routing carries the name; the name leaves with the number", arguments: TestDatabase.available)
    func lifecycle(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            _ = try await numbers.order([Self.number.e164], accountId: nil, by: fixture.acme)
            _ = try await numbers.assign([Self.number.e164], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
            let name = try CallerName(normalizing: "Acme Dental")

            // Another tenant can neither read nor set it; the dip answers anyone, but only for a named number.
            await #expect { try await numbers.setCallerName(of: Self.number, to: name, by: fixture.globex) } throws: {
                Self.code($0) == .notFound
            }
            #expect(try await numbers.lookUpCallerName(Self.number, by: fixture.globex) == nil)

            #expect(try await numbers.setCallerName(of: Self.number, to: name, by: fixture.acme) == name)
            #expect(try await numbers.callerName(of: Self.number, by: fixture.acme) == name)
            #expect(try await numbers.lookUpCallerName(Self.number, by: fixture.globex) == name)
            await #expect { try await numbers.lookUpCallerName(Self.number, by: fixture.agent) } throws: {
                Self.code($0) == .forbidden
            }
            do {
                _ = try await numbers.callerName(of: Self.number, by: fixture.globex)
                Issue.record("another tenant read the name")
            } catch {
                #expect(Self.code(error) == .notFound)
            }
            let history = try await numbers.history(Self.number, page: try PageRequest(), by: fixture.acme)
            #expect(history.data.contains { $0.action == .setCallerName && $0.reason == "caller name 'Acme Dental'" })

            let snapshot = try await RoutingCompiler(store: store, emergency: nil, clock: fixture.clock).compile(version: 1)
            #expect(snapshot.number(Self.number)?.callerName == "Acme Dental")

            _ = try await numbers.release([Self.number.e164], by: fixture.acme)
            #expect(try await numbers.lookUpCallerName(Self.number, by: fixture.globex) == nil)
            #expect(try await numbers.callerName(of: Self.number, by: fixture.operatorPrincipal) == nil)
        }
    }

    @Test("a number that is not assigned cannot be named", arguments: TestDatabase.available)
    func unassigned(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            do {
                _ = try await fixture.provisioning.numbers.setCallerName(
                    of: PhoneNumber("+12025550043")!, to: try CallerName(normalizing: "Nobody"), by: fixture.operatorPrincipal
                )
                Issue.record("an available number was named")
            } catch {
                #expect(Self.code(error) == .illegalTransition)
            }
        }
    }

    @Test("a trunk's signing policy reaches routing; only the operator sets the verified name", arguments: TestDatabase.available)
    func signingPolicy(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            let named = IdentityPolicyDraft(signing: .unsigned, signInternational: true, verifiedName: "Acme   Dental Group")
            for forbidden in [named, IdentityPolicyDraft(passesOnCalls: true)] {
                do {
                    _ = try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(identity: forbidden), by: fixture.acme)
                    Issue.record("a customer changed what only the operator vouches for: \(forbidden)")
                } catch {
                    #expect(Self.code(error) == .forbidden)
                }
            }
            let updated = try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(identity: named), by: fixture.operatorPrincipal)
            #expect(updated.identity == IdentityPolicy(signing: .unsigned, signInternational: true, verifiedName: "Acme Dental Group"))
            // The customer may change its signing mode; what it leaves out stays, and repeating the name is no change.
            let changed = try await trunks.update(
                fixture.acmeTrunk.id, with: TrunkDraft(identity: IdentityPolicyDraft(signing: .all, verifiedName: "Acme Dental Group")),
                by: fixture.acme
            )
            #expect(changed.identity == IdentityPolicy(signing: .all, signInternational: true, verifiedName: "Acme Dental Group"))
            do {
                _ = try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(identity: IdentityPolicyDraft(verifiedName: "Zoë")),
                                            by: fixture.operatorPrincipal)
                Issue.record("a name with non-ASCII letters was accepted")
            } catch {
                #expect((error as? ServiceError)?.field == "identity.verified_name")
            }

            let snapshot = try await RoutingCompiler(store: store, emergency: nil, clock: fixture.clock).compile(version: 1)
            let route = try #require(snapshot.trunk(id: fixture.acmeTrunk.id))
            #expect(route.signing.mode == .all)
            #expect(route.signing.international)
            #expect(route.signing.verifiedName == "Acme Dental Group")
            #expect(route.signing.originIdentifier == updated.origid)
            #expect(updated.origid == Trunk.originIdentifier(account: fixture.acme.accountId, trunk: fixture.acmeTrunk.id))
            #expect(updated.origid.count == 36 && updated.origid != fixture.globexTrunk.origid)
        }
    }
}
