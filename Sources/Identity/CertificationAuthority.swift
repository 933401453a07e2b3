import Crypto
import Foundation
import SwiftASN1
import X509

/// A small STI certification authority for demos, tests and lab interop: a self-signed P-256 root that issues
/// service-provider certificates with a TNAuthList (ATIS-1000080), and signs revocation lists for them.
///
/// Not a production STI-CA: real ones are approved by the STI Policy Administrator.
public struct CertificationAuthority: Sendable {
    public let certificate: Certificate
    public let key: P256.Signing.PrivateKey

    public init(certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// A new root named `name`, valid from `notBefore` for `days`.
    public static func makeRoot(name: String, notBefore: Date, days: Int = 3_650) throws -> Self {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName {
            CountryName("US")
            OrganizationName(name)
            CommonName("\(name) STI Root")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore + Double(days) * 86_400,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return Self(certificate: certificate, key: key)
    }

    /// A service-provider certificate for `key`, authorized by `tnAuthList` or else by the provider's code (OCN);
    /// with no TNAuthList at all when `omittingTNAuthList` (for tests of certificates without one).
    public func issue(
        serviceProvider name: String, code: String, key: P256.Signing.PublicKey,
        tnAuthList: TNAuthorizationList? = nil, omittingTNAuthList: Bool = false,
        revocationListURL: String? = nil, notBefore: Date, days: Int = 365
    ) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key)
        let authorization = omittingTNAuthList ? nil : tnAuthList ?? TNAuthorizationList([.serviceProviderCode(code)])
        let authorityKey = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        return try Certificate(
            version: .v3, serialNumber: .init(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore + Double(days) * 86_400,
            issuer: certificate.subject,
            subject: try DistinguishedName {
                CountryName("US")
                OrganizationName(name)
                CommonName("SHAKEN \(code)")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                SubjectKeyIdentifier(hash: publicKey)
                if let authorityKey { AuthorityKeyIdentifier(keyIdentifier: authorityKey) }
                if let authorization { authorization }
                if let revocationListURL { CRLDistributionPoints(urls: [revocationListURL]) }
            },
            issuerPrivateKey: Certificate.PrivateKey(self.key)
        )
    }

    /// A revocation list naming `revoked`, current from `now` for `days` (DER).
    public func revocationList(revoking revoked: [Certificate], now: Date, days: Int = 7) throws -> [UInt8] {
        try CertificateRevocationList.make(
            issuer: certificate, key: key, revoking: revoked.map(\.serialNumber),
            thisUpdate: now, nextUpdate: now + Double(days) * 86_400
        )
    }
}

extension Certificate {
    /// The certificate in PEM.
    public var pem: String {
        get throws { try serializeAsPEM().pemString }
    }

    /// The certificates in PEM text (a chain, leaf first, or a bundle of roots).
    public static func certificates(pem text: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: text).map(Certificate.init(pemDocument:))
    }

    /// The certificates in the PEM files at `paths`, in order.
    public static func certificates(pemFiles paths: [String]) throws -> [Certificate] {
        try paths.flatMap { try certificates(pem: String(contentsOfFile: $0, encoding: .utf8)) }
    }
}
