import Foundation
import SQLKit
import Store

/// Random keys the server makes the first time it needs them and keeps in its database, by name, so that every
/// node on the database, and every restart, uses the same one. For keys whose holder may read the database anyway
/// (a key that only keeps a switch from altering what it relays); secrets that must survive a stolen copy of the
/// database come from `--secrets-key-file` instead.
public enum ServerKeys {
    /// The 32 random bytes kept under `name`, made and kept now (`at`, Unix seconds) if there are none yet. Two
    /// nodes asking at once get the same key.
    public static func key(named name: String, in store: Store, at now: Int64) async throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        let stored = try await store.transaction { database in
            try await database.raw("""
                INSERT INTO server_keys (name, key, created_at) VALUES (\(bind: name), \(bind: fresh), \(bind: now))
                ON CONFLICT (name) DO NOTHING
                """).run()
            return try await database.raw("SELECT key FROM server_keys WHERE name = \(bind: name)").first()?
                .decode(column: "key", as: String.self)
        }
        return try decode(stored, name: name)
    }

    /// The 32 bytes kept under `name`, or `nil` when the server has made none (nothing is written).
    public static func existingKey(named name: String, in store: Store) async throws -> [UInt8]? {
        let stored = try await store.read { database in
            try await database.raw("SELECT key FROM server_keys WHERE name = \(bind: name)").first()?.decode(column: "key", as: String.self)
        }
        return try stored.map { text throws in try decode(text, name: name) }
    }

    private static func decode(_ stored: String?, name: String) throws -> [UInt8] {
        guard let stored, let bytes = Data(base64Encoded: stored), bytes.count == 32 else {
            throw ServiceError(.conflict, "the stored key '\(name)' is not 32 bytes of base64")
        }
        return Array(bytes)
    }
}
