import Platform
import Store
import TestSupport
import Testing

@Suite("Keys the server keeps")
struct ServerKeysTests {
    @Test("a key is made once and the same 32 bytes come back, to concurrent askers too; another name gets its own",
          arguments: TestDatabase.available)
    func keptOnce(database: TestDatabase) async throws {
        try await database.withStore { store in
            #expect(try await ServerKeys.existingKey(named: "decision-token", in: store) == nil, "looking makes none")
            async let first = ServerKeys.key(named: "decision-token", in: store, at: 1)
            async let second = ServerKeys.key(named: "decision-token", in: store, at: 2)
            let (a, b) = try await (first, second)
            #expect(a.count == 32 && a == b)
            #expect(try await ServerKeys.key(named: "decision-token", in: store, at: 3) == a)
            #expect(try await ServerKeys.existingKey(named: "decision-token", in: store) == a)
            let other = try await ServerKeys.key(named: "another", in: store, at: 3)
            #expect(other != a && other.count == 32)
        }
    }
}
