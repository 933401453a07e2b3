import SwiftASN1
import X509

extension ASN1ObjectIdentifier.X509ExtensionID {
    /// id-pe-TNAuthList (RFC 8226 §9): the telephone numbers or service provider a certificate speaks for.
    public static let tnAuthList: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 26]
    /// id-ce-cRLDistributionPoints (RFC 5280 §4.2.1.13).
    public static let crlDistributionPoints: ASN1ObjectIdentifier = [2, 5, 29, 31]
}

// MARK: - TNAuthList

/// The TNAuthList certificate extension (RFC 8226 §9): what a STIR certificate is authorized for. SHAKEN
/// service-provider certificates carry the provider's Service Provider Code (ATIS-1000080 §5.3.1).
///
/// ```
/// TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry
/// TNEntry ::= CHOICE {
///   spc    [0] ServiceProviderCode,          -- IA5String
///   range  [1] TelephoneNumberRange,         -- SEQUENCE { start TelephoneNumber, count INTEGER (2..MAX) }
///   one    [2] TelephoneNumber }             -- IA5String, digits
/// ```
/// The module's tags are explicit.
public struct TNAuthorizationList: Sendable, Hashable {
    public enum Entry: Sendable, Hashable {
        /// A Service Provider Code (the OCN, for SHAKEN).
        case serviceProviderCode(String)
        /// `count` consecutive numbers from `start`.
        case range(start: String, count: Int)
        /// One telephone number.
        case number(String)
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// Decodes the extension.
    public init(_ ext: Certificate.Extension) throws {
        guard ext.oid == .X509ExtensionID.tnAuthList else {
            throw CertificateError.incorrectOIDForExtension(reason: "expected TNAuthList, got \(ext.oid)")
        }
        let root = try DER.parse(ext.value)
        entries = try DER.sequence(root, identifier: .sequence) { nodes in
            var result: [Entry] = []
            while let node = nodes.next() {
                guard node.identifier.tagClass == .contextSpecific else {
                    throw ASN1Error.unexpectedFieldType(node.identifier)
                }
                switch node.identifier.tagNumber {
                case 0:
                    result.append(.serviceProviderCode(try DER.explicitlyTagged(node, tagNumber: 0, tagClass: .contextSpecific) {
                        String(try ASN1IA5String(derEncoded: $0))
                    }))
                case 1:
                    result.append(try DER.explicitlyTagged(node, tagNumber: 1, tagClass: .contextSpecific) { range in
                        try DER.sequence(range, identifier: .sequence) { fields in
                            guard let startNode = fields.next(), let countNode = fields.next() else {
                                throw ASN1Error.invalidASN1Object(reason: "a TelephoneNumberRange needs start and count")
                            }
                            let count = try Int(derEncoded: countNode)
                            guard count >= 2 else { throw ASN1Error.invalidASN1Object(reason: "range count below 2") }
                            return .range(start: String(try ASN1IA5String(derEncoded: startNode)), count: count)
                        }
                    })
                case 2:
                    result.append(.number(try DER.explicitlyTagged(node, tagNumber: 2, tagClass: .contextSpecific) {
                        String(try ASN1IA5String(derEncoded: $0))
                    }))
                default:
                    throw ASN1Error.unexpectedFieldType(node.identifier)
                }
            }
            guard !result.isEmpty else { throw ASN1Error.invalidASN1Object(reason: "an empty TNAuthList") }
            return result
        }
    }

    /// Whether the list authorizes `number` (canonical digits) by number or range. A list of Service Provider
    /// Codes only names no numbers: SHAKEN leaves the provider's right to a number to its attestation.
    public func authorizes(number: String) -> Bool {
        let namesNumbers = entries.contains {
            if case .serviceProviderCode = $0 { return false }
            return true
        }
        guard namesNumbers else { return true }
        return entries.contains { entry in
            switch entry {
            case .serviceProviderCode:
                return false
            case .number(let one):
                return one == number
            case .range(let start, let count):
                guard start.utf8.count == number.utf8.count, let first = UInt64(start), let value = UInt64(number) else {
                    return false
                }
                return value >= first && value - first < UInt64(count)
            }
        }
    }
}

extension TNAuthorizationList: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            for entry in entries {
                switch entry {
                case .serviceProviderCode(let code):
                    try coder.serialize(try ASN1IA5String(code), explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
                case .range(let start, let count):
                    try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(try ASN1IA5String(start))
                            try coder.serialize(count)
                        }
                    }
                case .number(let number):
                    try coder.serialize(try ASN1IA5String(number), explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
                }
            }
        }
        return Certificate.Extension(oid: .X509ExtensionID.tnAuthList, critical: false, value: serializer.serializedBytes[...])
    }
}

// MARK: - CRL distribution points

/// The URLs of a certificate's CRL distribution points (RFC 5280 §4.2.1.13): where its revocation list is.
///
/// Only distribution points named by a full name of URIs are kept; SHAKEN certificates use one HTTP URL.
public struct CRLDistributionPoints: Sendable, Hashable {
    public var urls: [String]

    public init(urls: [String]) {
        self.urls = urls
    }

    private static let uniformResourceIdentifier = ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)
    private static let fullName = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)

    /// Decodes the extension.
    public init(_ ext: Certificate.Extension) throws {
        guard ext.oid == .X509ExtensionID.crlDistributionPoints else {
            throw CertificateError.incorrectOIDForExtension(reason: "expected CRL distribution points, got \(ext.oid)")
        }
        // DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, ... }
        // DistributionPointName ::= CHOICE { fullName [0] GeneralNames, ... }  (implicit tags; a CHOICE's tag is explicit)
        var urls: [String] = []
        let root = try DER.parse(ext.value)
        try DER.sequence(root, identifier: .sequence) { points in
            while let point = points.next() {
                try DER.sequence(point, identifier: .sequence) { fields in
                    guard let name = try DER.optionalExplicitlyTagged(&fields, tagNumber: 0, tagClass: .contextSpecific, { $0 }) else {
                        while fields.next() != nil {}
                        return
                    }
                    guard name.identifier == Self.fullName, case .constructed(let generalNames) = name.content else { return }
                    for generalName in generalNames where generalName.identifier == Self.uniformResourceIdentifier {
                        urls.append(String(try ASN1IA5String(derEncoded: generalName, withIdentifier: Self.uniformResourceIdentifier)))
                    }
                    while fields.next() != nil {}
                }
            }
        }
        self.urls = urls
    }
}

extension CRLDistributionPoints: CertificateExtensionConvertible {
    public func makeCertificateExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            for url in urls {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                        try coder.appendConstructedNode(identifier: Self.fullName) { coder in
                            try ASN1IA5String(url).serialize(into: &coder, withIdentifier: Self.uniformResourceIdentifier)
                        }
                    }
                }
            }
        }
        return Certificate.Extension(oid: .X509ExtensionID.crlDistributionPoints, critical: false,
                                     value: serializer.serializedBytes[...])
    }
}

extension Certificate.Extensions {
    /// The certificate's TNAuthList, when it has one.
    public var tnAuthorizationList: TNAuthorizationList? {
        get throws { try self[oid: .X509ExtensionID.tnAuthList].map(TNAuthorizationList.init) }
    }

    /// The certificate's CRL distribution point URLs, when it names any.
    public var crlDistributionPoints: CRLDistributionPoints? {
        get throws { try self[oid: .X509ExtensionID.crlDistributionPoints].map(CRLDistributionPoints.init) }
    }
}
