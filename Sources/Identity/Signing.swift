import Crypto
import Foundation
import Telephony
import X509

/// Why signing credentials could not be loaded.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A service provider's STI credentials: its P-256 signing key and the certificate chain that vouches for it,
/// leaf first, as published at the x5u URL.
public struct ServiceProviderCredentials: Sendable {
    public let key: P256.Signing.PrivateKey
    public let chain: [Certificate]
    /// The chain as PEM, as the HTTP server publishes it for verifiers.
    public let chainPEM: String

    /// Loads the key (PKCS #8 or SEC 1 PEM) and the chain (PEM certificates, leaf first), and checks that they
    /// belong together: the key is the leaf's, and the leaf carries a TNAuthList.
    public init(keyPEM: String, chainPEM: String) throws(CredentialError) {
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: keyPEM)
        } catch {
            throw CredentialError("the signing key is not a P-256 private key in PEM: \(error)")
        }
        do {
            chain = try Certificate.certificates(pem: chainPEM)
        } catch {
            throw CredentialError("the certificate chain is not PEM certificates: \(error)")
        }
        guard let leaf = chain.first else { throw CredentialError("the certificate chain is empty") }
        guard leaf.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw CredentialError("the signing key is not the key of the chain's first certificate (\(leaf.subject))")
        }
        guard (try? leaf.extensions.tnAuthorizationList) != nil else {
            throw CredentialError("the certificate \(leaf.subject) has no TNAuthList extension (RFC 8226)")
        }
        self.chainPEM = chainPEM
    }

    /// Loads the key and chain from PEM files.
    public init(keyFile: String, chainFile: String) throws(CredentialError) {
        let key: String
        let chain: String
        do {
            key = try String(contentsOfFile: keyFile, encoding: .utf8)
            chain = try String(contentsOfFile: chainFile, encoding: .utf8)
        } catch {
            throw CredentialError("cannot read the STI credentials: \(error.localizedDescription)")
        }
        try self.init(keyPEM: key, chainPEM: chain)
    }
}

/// Signs SHAKEN PASSporTs with a service provider's key (RFC 8225, RFC 8588): ES256 over canonical JSON.
///
/// A token is built in one byte buffer (header, claims, signature and, for a header value, its parameters), so
/// that signing a call costs the signature and little else.
public struct PASSporTSigner: Sendable {
    /// Where verifiers fetch the signer's certificate chain (`x5u` and the Identity header's `info`).
    public let certificateURL: String
    private let key: P256.Signing.PrivateKey
    /// `BASE64URL(header) "."`: the same for every token.
    private let headerPrefix: [UInt8]
    /// The Identity header's parameters after the token: the same for every call.
    private let headerParameters: [UInt8]

    public init(key: P256.Signing.PrivateKey, certificateURL: String) {
        self.key = key
        self.certificateURL = certificateURL
        let header = PASSporTHeader(certificateURL: certificateURL).canonicalJSON
        self.headerPrefix = Array((Base64URL.encode(header.utf8) + ".").utf8)
        self.headerParameters = Array(IdentityHeader.parameters(certificateURL: certificateURL).utf8)
    }

    /// The compact token for `claims`.
    public func token(for claims: SHAKENClaims) throws -> String {
        String(decoding: try signedToken(for: claims, reserving: 0), as: UTF8.self)
    }

    /// The Identity header value for `claims` (RFC 8224 §4.1, the full form SHAKEN requires).
    public func identityHeader(for claims: SHAKENClaims) throws -> String {
        var value = try signedToken(for: claims, reserving: headerParameters.count)
        value.append(contentsOf: headerParameters)
        return String(decoding: value, as: UTF8.self)
    }

    /// `BASE64URL(header) "." BASE64URL(claims) "." BASE64URL(signature)`, with room for `extra` bytes more.
    private func signedToken(for claims: SHAKENClaims, reserving extra: Int) throws -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(256)
        claims.appendCanonicalJSON(to: &json)
        var token: [UInt8] = []
        token.reserveCapacity(headerPrefix.count + Base64URL.encodedLength(json.count) + 1
            + Base64URL.encodedLength(64) + extra)
        token.append(contentsOf: headerPrefix)
        Base64URL.append(json, to: &token)
        let signature = try key.signature(for: token)
        token.append(UInt8(ascii: "."))
        Base64URL.append(signature.rawRepresentation, to: &token)
        return token
    }
}
