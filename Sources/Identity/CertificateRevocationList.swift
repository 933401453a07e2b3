import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate revocation list (RFC 5280 §5), as an STI certification authority publishes it at the CRL
/// distribution point of the certificates it issues.
///
/// ```
/// CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier,
///                                signatureValue BIT STRING }
/// TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
///                            thisUpdate Time, nextUpdate Time OPTIONAL,
///                            revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER,
///                                revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
///                            crlExtensions [0] EXPLICIT Extensions OPTIONAL }
/// ```
public struct CertificateRevocationList: Sendable {
    public var issuer: DistinguishedName
    public var thisUpdate: Date
    public var nextUpdate: Date?
    /// The serial numbers of the revoked certificates.
    public var revoked: Set<Certificate.SerialNumber>

    private var signedBytes: ArraySlice<UInt8>
    private var signatureAlgorithm: Certificate.SignatureAlgorithm
    private var signature: ArraySlice<UInt8>

    /// Decodes a DER or PEM (`X509 CRL`) encoded list.
    public init(bytes: [UInt8]) throws {
        if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN X509 CRL-----") {
            let document = try PEMDocument(pemString: text)
            guard document.discriminator == "X509 CRL" else {
                throw ASN1Error.invalidASN1Object(reason: "a PEM \(document.discriminator), not an X509 CRL")
            }
            try self.init(derEncoded: document.derBytes)
        } else {
            try self.init(derEncoded: bytes)
        }
    }

    /// Decodes a DER encoded list.
    public init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        var parsed: (DistinguishedName, Date, Date?, Set<Certificate.SerialNumber>, ArraySlice<UInt8>)?
        var algorithm: Certificate.SignatureAlgorithm?
        var signature: ArraySlice<UInt8>?
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next(), let algorithmNode = nodes.next(), let signatureNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "a CertificateList has three fields")
            }
            parsed = try Self.parseTBS(tbs)
            algorithm = try Self.signatureAlgorithm(algorithmNode)
            signature = try ASN1BitString(derEncoded: signatureNode).bytes
        }
        guard let parsed, let algorithm, let signature else { throw ASN1Error.invalidASN1Object(reason: "empty CRL") }
        (issuer, thisUpdate, nextUpdate, revoked, signedBytes) = parsed
        signatureAlgorithm = algorithm
        self.signature = signature
    }

    /// Whether `certificate` (the list's issuer) signed the list.
    public func isSigned(by certificate: Certificate) -> Bool {
        certificate.subject == issuer
            && certificate.publicKey.isValidSignature(signature, for: signedBytes, signatureAlgorithm: signatureAlgorithm)
    }

    /// Whether the list is current at `time`: issued before it and not past its next update, give or take
    /// `tolerance` seconds of clock difference.
    public func isCurrent(at time: Date, tolerance: TimeInterval = 0) -> Bool {
        thisUpdate <= time + tolerance && (nextUpdate.map { time < $0 + tolerance } ?? true)
    }

    /// A DER encoded list signed by `issuer` with its P-256 `key`, for test and demo certification authorities.
    public static func make(
        issuer: Certificate, key: P256.Signing.PrivateKey, revoking serials: [Certificate.SerialNumber],
        thisUpdate: Date, nextUpdate: Date
    ) throws -> [UInt8] {
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)  // v2
            try serializeAlgorithm(into: &coder)
            try coder.serialize(issuer.subject)
            try coder.serialize(try utcTime(thisUpdate))
            try coder.serialize(try utcTime(nextUpdate))
            if !serials.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for serial in serials {
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(serial.bytes)
                            try coder.serialize(try utcTime(thisUpdate))
                        }
                    }
                }
            }
        }
        let signature = try key.signature(for: tbs.serializedBytes).derRepresentation
        var list = DER.Serializer()
        try list.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbs.serializedBytes)
            try serializeAlgorithm(into: &coder)
            try coder.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return list.serializedBytes
    }

    // MARK: Parsing

    private static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    private static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]

    private static func parseTBS(
        _ node: ASN1Node
    ) throws -> (DistinguishedName, Date, Date?, Set<Certificate.SerialNumber>, ArraySlice<UInt8>) {
        let result = try DER.sequence(node, identifier: .sequence) { nodes in
            var next = nodes.next()
            if next?.identifier == .integer { next = nodes.next() }  // version
            guard next != nil, let issuerNode = nodes.next(), let thisUpdateNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "a TBSCertList needs signature, issuer and thisUpdate")
            }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            let thisUpdate = try time(thisUpdateNode)
            var nextUpdate: Date?
            var revoked = Set<Certificate.SerialNumber>()
            while let field = nodes.next() {
                switch field.identifier {
                case .utcTime, .generalizedTime:
                    nextUpdate = try time(field)
                case .sequence:
                    try DER.sequence(field, identifier: .sequence) { entries in
                        while let entry = entries.next() {
                            try DER.sequence(entry, identifier: .sequence) { fields in
                                guard let serial = fields.next() else {
                                    throw ASN1Error.invalidASN1Object(reason: "a revoked entry has no serial number")
                                }
                                revoked.insert(Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: serial)))
                                while fields.next() != nil {}
                            }
                        }
                    }
                default:
                    continue  // crlExtensions
                }
            }
            return (issuer, thisUpdate, nextUpdate, revoked)
        }
        return (result.0, result.1, result.2, result.3, node.encodedBytes)
    }

    private static func signatureAlgorithm(_ node: ASN1Node) throws -> Certificate.SignatureAlgorithm {
        let oid = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let oid = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no algorithm") }
            while nodes.next() != nil {}
            return try ASN1ObjectIdentifier(derEncoded: oid)
        }
        switch oid {
        case ecdsaWithSHA256: return .ecdsaWithSHA256
        case ecdsaWithSHA384: return .ecdsaWithSHA384
        default: throw ASN1Error.invalidASN1Object(reason: "unsupported CRL signature algorithm \(oid)")
        }
    }

    private static func serializeAlgorithm(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ecdsaWithSHA256)
        }
    }

    private static func time(_ node: ASN1Node) throws -> Date {
        let fields: (year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int)
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            fields = (time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: fields.year, month: fields.month, day: fields.day, hour: fields.hours,
                                        minute: fields.minutes, second: fields.seconds)
        guard let date = calendar.date(from: components) else {
            throw ASN1Error.invalidASN1Object(reason: "an impossible date")
        }
        return date
    }

    private static func utcTime(_ date: Date) throws -> UTCTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try UTCTime(year: parts.year!, month: parts.month!, day: parts.day!, hours: parts.hour!,
                           minutes: parts.minute!, seconds: parts.second!)
    }
}
