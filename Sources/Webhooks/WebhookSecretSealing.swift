import Crypto
import Foundation
import Platform
import SQLKit
import Store

/// Keeps webhook secrets sealed at rest: AES-256-GCM under a key from the operator's configuration, so that a copy
/// of the database (a backup, a replica, a dump) does not hand out the secrets that let anyone forge Tandem's
/// deliveries. Without a key, secrets are stored as they are (the demo, and deployments that have not set one).
///
/// A sealed value is `sealed:v1:` and the base64 of AES-GCM's combined nonce, ciphertext and tag. Rows written
/// before a key was configured are read as they are, and sealed by ``sealStoredSecrets(in:)`` at start.
public struct WebhookSecretSealer: Sendable {
    static let prefix = "sealed:v1:"

    let key: SymmetricKey?

    /// Secrets stored as they are.
    public static let plaintext = WebhookSecretSealer(key: nil)

    /// Seals under `key`, which must be 32 bytes (AES-256).
    public init(key: SymmetricKey?) {
        precondition(key.map { $0.bitCount == 256 } ?? true, "a webhook secrets key is 32 bytes")
        self.key = key
    }

    /// The key in a file: 32 bytes as base64 or hex (`openssl rand -base64 32`), surrounding whitespace ignored.
    public static func key(fromFile path: String) throws -> SymmetricKey {
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        // 64 hex digits are also valid base64 (of 48 bytes): hex is tried first.
        let bytes = hex(text) ?? Data(base64Encoded: text)
        guard let bytes, bytes.count == 32 else {
            throw ServiceError.invalid("secrets key", "\(path) must hold 32 bytes as base64 or hex (openssl rand -base64 32)")
        }
        return SymmetricKey(data: bytes)
    }

    private static func hex(_ text: String) -> Data? {
        guard text.count == 64 else { return nil }
        var bytes = Data()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    /// The secret as it is stored.
    func seal(_ secret: String) throws -> String {
        guard let key else { return secret }
        let box = try AES.GCM.seal(Data(secret.utf8), using: key)
        guard let combined = box.combined else { throw SealingError("AES-GCM gave no combined form") }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The secret a stored value holds.
    ///
    /// - Throws: when the value is sealed and there is no key, or it does not open under this key.
    func open(_ stored: String) throws -> String {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        guard let key else {
            throw SealingError("the webhook secrets are sealed: start Tandem with the --secrets-key-file that sealed them")
        }
        guard let combined = Data(base64Encoded: String(stored.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let opened = try? AES.GCM.open(box, using: key)
        else { throw SealingError("a webhook secret does not open under the configured key: is it the key that sealed them?") }
        return String(decoding: opened, as: UTF8.self)
    }

    /// Seals the secrets stored before a key was configured, and checks that every sealed one opens under the key,
    /// all in one transaction; without a key, checks that none is sealed. Returns how many it sealed.
    ///
    /// - Throws: ``SealingError`` when a stored secret cannot be read with this configuration (the server must
    ///   not start and sign with secrets it cannot open).
    @discardableResult
    public func sealStoredSecrets(in store: Store) async throws -> Int {
        try await store.transaction { database in
            let rows = try await database.raw("SELECT id, secret, previous_secret FROM webhook_endpoints").all()
            var sealed = 0
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                let secret = try row.decode(column: "secret", as: String.self)
                let previous = try row.decode(column: "previous_secret", as: String?.self)
                let opened = try open(secret)
                let openedPrevious = try previous.map(open)
                guard key != nil, !secret.hasPrefix(Self.prefix) || (previous.map { !$0.hasPrefix(Self.prefix) } ?? false) else {
                    continue
                }
                try await database.raw("""
                    UPDATE webhook_endpoints SET secret = \(bind: try seal(opened)),
                        previous_secret = \(bind: try openedPrevious.map(seal)) WHERE id = \(bind: id)
                    """).run()
                sealed += 1
            }
            return sealed
        }
    }
}

/// A webhook secret that cannot be sealed or opened as configured.
public struct SealingError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
