import Crypto
import Foundation
import SwiftASN1
import X509

/// A test certificate authority and a server certificate it signed, written as PEM files in a directory of their
/// own: what an operator passes to `--tls-certificate` and `--tls-key`, and what a client trusts.
public struct TestTLSFiles: Sendable {
    /// The directory that holds the files; remove it when done.
    public let directory: URL
    /// The authority's certificate (PEM), for clients to trust.
    public let authority: String
    /// The server's certificate chain, leaf first (PEM).
    public let chain: String
    /// The server's private key (PEM).
    public let key: String

    /// A new authority and a server certificate for `commonName`, valid for 127.0.0.1 and `localhost`, from an
    /// hour ago for `days`.
    public static func make(commonName: String = "tandem.test", days: Int = 30) throws -> TestTLSFiles {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = TestTLSFiles(
            directory: directory, authority: directory.appendingPathComponent("ca.pem").path,
            chain: directory.appendingPathComponent("server.pem").path, key: directory.appendingPathComponent("server.key").path
        )
        try files.issue(commonName: commonName, days: days)
        return files
    }

    /// Writes a new server certificate and key over the old ones, signed by a new authority (as a renewal does).
    public func issue(commonName: String, days: Int = 30) throws {
        let now = Date()
        let authorityKey = P256.Signing.PrivateKey()
        let authorityName = try DistinguishedName { CommonName("Tandem Test TLS Authority") }
        let authority = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(authorityKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + Double(days) * 86_400,
            issuer: authorityName, subject: authorityName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(authorityKey)
        )
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now - 3_600, notValidAfter: now + Double(days) * 86_400,
            issuer: authorityName, subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
            },
            issuerPrivateKey: .init(authorityKey)
        )
        try Data(try authority.serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: self.authority))
        try Data(try server.serializeAsPEM().pemString.utf8).write(to: URL(fileURLWithPath: chain))
        try Data(serverKey.pemRepresentation.utf8).write(to: URL(fileURLWithPath: key))
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
