import Foundation
import Inventory
import Platform
import SQLKit
import Store
import TestSupport
import Testing

@Suite("Accounts and keys")
struct AccountsTests {
    @Test("keys authenticate, are stored only as hashes, and stop working when revoked", arguments: TestDatabase.available)
    func keys(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let accounts = fixture.provisioning.accounts
            #expect(try await accounts.authenticate(token: fixture.acmeKey) == fixture.acme)
            let stored = try await store.read { db in
                try await db.raw("SELECT secret_hash FROM api_keys").all().map { try $0.decode(column: "secret_hash", as: String.self) }
            }
            #expect(!stored.contains { fixture.acmeKey.contains($0) || $0.contains(fixture.acmeKey.suffix(32)) })
            #expect(stored.allSatisfy { $0.count == 64 })
            _ = try await accounts.revokeKey(fixture.acme.keyId, by: fixture.acme)
            #expect(try await accounts.authenticate(token: fixture.acmeKey) == nil)
        }
    }

    @Test("wrong, truncated and tampered tokens are refused", arguments: [
        "", "tdm_", "Bearer x", String(repeating: "a", count: 52), "tdm_" + String(repeating: "a", count: 48),
        "tdm_ünicode" + String(repeating: "a", count: 41),
    ])
    func badTokens(token: String) async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            #expect(try await fixture.provisioning.accounts.authenticate(token: token) == nil)
            var tampered = Array(fixture.acmeKey)
            tampered[tampered.count - 1] = tampered.last == "a" ? "b" : "a"
            #expect(try await fixture.provisioning.accounts.authenticate(token: String(tampered)) == nil)
        }
    }

    @Test("rotation issues a new key and retires the old one after the grace period", arguments: TestDatabase.available)
    func rotation(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let clock = ManualClock()
            let fixture = try await Fixture.make(store, clock: clock.inventoryClock)
            let accounts = fixture.provisioning.accounts
            let rotated = try await accounts.rotateKey(fixture.acme.keyId, gracePeriod: .seconds(3_600), by: fixture.acme)
            #expect(rotated.key.role == .customerAdmin && rotated.key.accountId == fixture.acme.accountId)
            #expect(try await accounts.authenticate(token: rotated.secret)?.accountId == fixture.acme.accountId)
            #expect(try await accounts.authenticate(token: fixture.acmeKey) != nil)
            // A key in its grace period cannot be rotated again to keep it alive.
            await #expect { try await accounts.rotateKey(fixture.acme.keyId, gracePeriod: .seconds(3_600), by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.code == .conflict }
            clock.advance(by: 3_601)
            #expect(try await accounts.authenticate(token: fixture.acmeKey) == nil)
            #expect(try await accounts.authenticate(token: rotated.secret) != nil)
        }
    }

    @Test("suspending an account locks out its keys", arguments: TestDatabase.available)
    func suspension(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let accounts = fixture.provisioning.accounts
            _ = try await accounts.updateAccount(fixture.acme.accountId, name: nil, status: .suspended, by: fixture.operatorPrincipal)
            #expect(try await accounts.authenticate(token: fixture.acmeKey) == nil)
            #expect(try await accounts.authenticate(token: fixture.globexKey) != nil)
        }
    }

    @Test("who may issue and see which keys", arguments: TestDatabase.available)
    func keyPermissions(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let accounts = fixture.provisioning.accounts
            // A customer admin may add a read-only key for itself, but not an operator key nor keys elsewhere.
            _ = try await accounts.issueKey(accountId: fixture.acme.accountId, role: .customerRead, name: "reports", by: fixture.acme)
            await #expect { try await accounts.issueKey(accountId: fixture.acme.accountId, role: .operatorAdmin, name: "x", by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.field == "role" }
            await #expect(throws: ServiceError.notFound("account")) {
                try await accounts.issueKey(accountId: fixture.globex.accountId, role: .customerRead, name: "x", by: fixture.acme)
            }
            await #expect { try await accounts.issueKey(accountId: fixture.acme.accountId, role: .customerRead, name: "x", by: fixture.acmeReader) }
                throws: { ($0 as? ServiceError)?.code == .forbidden }
            await #expect(throws: ServiceError.notFound("key")) {
                try await accounts.revokeKey(fixture.globex.keyId, by: fixture.acme)
            }
        }
    }

    @Test("agents see the customers they referred, customers and partners only themselves", arguments: TestDatabase.available)
    func visibility(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let accounts = fixture.provisioning.accounts
            let agentSees = try await accounts.accounts(for: fixture.agent, page: PageRequest()).data.map(\.id)
            #expect(Set(agentSees) == [fixture.agent.accountId, fixture.acme.accountId])
            #expect(try await accounts.accounts(for: fixture.globex, page: PageRequest()).data.map(\.id) == [fixture.globex.accountId])
            #expect(try await accounts.accounts(for: fixture.partner, page: PageRequest()).data.map(\.id) == [fixture.partner.accountId])
            #expect(try await accounts.accounts(for: fixture.operatorPrincipal, page: PageRequest()).data.count == 5)
            await #expect(throws: ServiceError.notFound("account")) {
                try await accounts.account(fixture.globex.accountId, for: fixture.agent)
            }
        }
    }
}

@Suite("Trunks")
struct TrunkTests {
    @Test("every field is validated and named", arguments: [
        ("name", TrunkDraft(name: "  ", hosts: [TrunkHost(address: "pbx.example")], sourceAddresses: ["192.0.2.1"])),
        ("hosts", TrunkDraft(name: "t", hosts: [], sourceAddresses: ["192.0.2.1"])),
        ("hosts[0].address", TrunkDraft(name: "t", hosts: [TrunkHost(address: "bad host")], sourceAddresses: ["192.0.2.1"])),
        ("hosts[1].port", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example"), TrunkHost(address: "b.example", port: 0)],
                                     sourceAddresses: ["192.0.2.1"])),
        ("hosts[0].weight", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example", weight: -1)], sourceAddresses: ["192.0.2.1"])),
        ("source_addresses", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: [])),
        ("source_addresses[0]", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: ["10.0.0.1/8"])),
        ("source_addresses[1]", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: ["10.0.0.0/8", "300.1.1.1"])),
        ("max_channels", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: ["192.0.2.1"], maxChannels: 0)),
        ("max_calls_per_second", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: ["192.0.2.1"],
                                            maxCallsPerSecond: 100_001)),
        ("caller_id.allowed[0]", TrunkDraft(name: "t", hosts: [TrunkHost(address: "a.example")], sourceAddresses: ["192.0.2.1"],
                                            callerId: CallerIDPolicy(allowed: ["+44207"]))),
    ])
    func validation(field: String, draft: TrunkDraft) async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            var draft = draft
            draft.accountId = fixture.acme.accountId
            await #expect { try await fixture.provisioning.trunks.create(draft, by: fixture.operatorPrincipal) } throws: {
                ($0 as? ServiceError)?.field == field
            }
            #expect(try await fixture.provisioning.trunks.trunks(accountId: nil, page: PageRequest(), by: fixture.acme).data.count == 1)
        }
    }

    @Test("updates change only the given fields; names are unique per account", arguments: TestDatabase.available)
    func update(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            let updated = try await trunks.update(
                fixture.acmeTrunk.id, with: TrunkDraft(sourceAddresses: ["2001:db8::1", "203.0.113.0/24"], maxChannels: 46),
                by: fixture.acme
            )
            #expect(updated.sourceAddresses == ["2001:db8::1/128", "203.0.113.0/24"])
            #expect(updated.maxChannels == 46 && updated.hosts == fixture.acmeTrunk.hosts && updated.name == "Acme PBX")
            _ = try await trunks.create(
                TrunkDraft(name: "Backup", hosts: [TrunkHost(address: "b.acme.example")], sourceAddresses: ["192.0.2.11"]),
                by: fixture.acme
            )
            await #expect { try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(name: "Backup"), by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.code == .conflict }
            // Globex may use the same name: names are per account.
            #expect(try await trunks.update(fixture.globexTrunk.id, with: TrunkDraft(name: "Backup"), by: fixture.globex).name == "Backup")
        }
    }

    @Test("two trunks renamed to one name at once: one is renamed, the other refused 409, never a server error",
          arguments: TestDatabase.available)
    func concurrentRenames(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            let second = try await trunks.create(
                TrunkDraft(name: "Second", hosts: [TrunkHost(address: "b.acme.example")], sourceAddresses: ["192.0.2.12"]),
                by: fixture.acme
            )
            for round in 0..<10 {
                let name = "Shared \(round)"
                let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                    for id in [fixture.acmeTrunk.id, second.id] {
                        group.addTask {
                            do {
                                _ = try await trunks.update(id, with: TrunkDraft(name: name), by: fixture.acme)
                                return "renamed"
                            } catch let error as ServiceError where error.code == .conflict {
                                return "conflict"
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }.sorted()
                }
                #expect(outcomes == ["conflict", "renamed"], "round \(round)")
            }
        }
    }

    @Test("another tenant's trunk does not exist for a customer", arguments: TestDatabase.available)
    func isolation(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            await #expect(throws: ServiceError.notFound("trunk")) { try await trunks.trunk(fixture.globexTrunk.id, by: fixture.acme) }
            await #expect(throws: ServiceError.notFound("trunk")) {
                try await trunks.update(fixture.globexTrunk.id, with: TrunkDraft(maxChannels: 1), by: fixture.acme)
            }
            await #expect(throws: ServiceError.notFound("trunk")) { try await trunks.delete(fixture.globexTrunk.id, releasing: [], by: fixture.acme) }
            #expect(try await trunks.trunks(accountId: nil, page: PageRequest(), by: fixture.operatorPrincipal).data.count == 2)
        }
    }

    @Test("only the operator sets a trunk's caller-ID policy", arguments: TestDatabase.available)
    func callerIDPolicy(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            let loose = TrunkDraft(callerId: CallerIDPolicy(mode: .any))
            await #expect { try await trunks.update(fixture.acmeTrunk.id, with: loose, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .forbidden && ($0 as? ServiceError)?.field == "caller_id"
            }
            let allowed = TrunkDraft(callerId: CallerIDPolicy(allowed: ["+1 (312) 555"], onViolation: .flag))
            let updated = try await trunks.update(fixture.acmeTrunk.id, with: allowed, by: fixture.operatorPrincipal)
            #expect(updated.callerId.allowed == ["+1312555"] && updated.callerId.onViolation == .flag)
            // The customer can still change everything else, and restating the default policy is no change of authority.
            #expect(try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(maxChannels: 10), by: fixture.acme).maxChannels == 10)
        }
    }

    @Test("a trunk cannot claim another trunk's source addresses; wide blocks are the operator's", arguments: TestDatabase.available)
    func sourceClaims(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let trunks = fixture.provisioning.trunks
            // Globex's SBC block is 198.51.100.0/28: Acme may not capture its calls.
            let overlapping = TrunkDraft(sourceAddresses: ["203.0.113.7", "198.51.100.5"])
            await #expect { try await trunks.update(fixture.acmeTrunk.id, with: overlapping, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .conflict && ($0 as? ServiceError)?.field == "source_addresses[1]"
            }
            let wide = TrunkDraft(sourceAddresses: ["10.20.0.0/16"])
            await #expect { try await trunks.update(fixture.acmeTrunk.id, with: wide, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .forbidden
            }
            #expect(try await trunks.update(fixture.acmeTrunk.id, with: wide, by: fixture.operatorPrincipal).sourceAddresses
                == ["10.20.0.0/16"])
            // Its own addresses are no conflict for a trunk being updated.
            #expect(try await trunks.update(fixture.acmeTrunk.id, with: TrunkDraft(maxChannels: 5), by: fixture.acme).maxChannels == 5)
        }
    }

    @Test("a trunk with numbers on it cannot be deleted", arguments: TestDatabase.available)
    func deleteInUse(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let fixture = try await Fixture.make(store)
            let numbers = fixture.provisioning.numbers
            _ = try await numbers.order(["+12025550001"], accountId: nil, by: fixture.acme)
            _ = try await numbers.assign(["+12025550001"], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
            await #expect { try await fixture.provisioning.trunks.delete(fixture.acmeTrunk.id, releasing: [], by: fixture.acme) }
                throws: { ($0 as? ServiceError)?.code == .conflict }
            _ = try await numbers.unassign(["+12025550001"], by: fixture.acme)
            try await fixture.provisioning.trunks.delete(fixture.acmeTrunk.id, releasing: [], by: fixture.acme)
        }
    }
}
