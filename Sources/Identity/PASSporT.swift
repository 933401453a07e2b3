import Foundation
import Telephony

/// How much the signing provider vouches for a call (ATIS-1000074 §5.2.3).
public enum Attestation: String, Sendable, CaseIterable, Codable {
    /// Full: the provider authenticated the customer, and the customer may use the calling number.
    case full = "A"
    /// Partial: the provider authenticated the customer, but not its right to the calling number.
    case partial = "B"
    /// Gateway: the provider passes the call on from elsewhere and vouches only for where it entered.
    case gateway = "C"
}

/// The claims of a SHAKEN PASSporT (RFC 8225 §5, RFC 8588 §4), and Rich Call Data's caller name (RFC 9795).
public struct SHAKENClaims: Sendable, Hashable {
    public var attestation: Attestation
    /// The calling number, canonical (RFC 8224 §8.3): E.164 digits without `+`.
    public var origin: String
    /// The called numbers, canonical.
    public var destinations: [String]
    /// When the token was made, in Unix seconds.
    public var issuedAt: Int64
    /// The opaque origination identifier (a UUID) by which traceback finds where the call entered.
    public var originIdentifier: String
    /// The caller's name (`rcd.nam`), when the provider vouches for it.
    public var callerName: String?

    public init(
        attestation: Attestation, origin: String, destinations: [String], issuedAt: Int64, originIdentifier: String,
        callerName: String? = nil
    ) {
        self.attestation = attestation
        self.origin = origin
        self.destinations = destinations
        self.issuedAt = issuedAt
        self.originIdentifier = originIdentifier
        self.callerName = callerName
    }

    /// The claims as canonical JSON (RFC 8225 §9): keys in lexicographic order, no whitespace.
    public var canonicalJSON: String {
        var json = "{\"attest\":\"\(attestation.rawValue)\",\"dest\":{\"tn\":["
        for (index, destination) in destinations.enumerated() {
            if index > 0 { json += "," }
            JSON.appendString(destination, to: &json)
        }
        json += "]},\"iat\":\(issuedAt),\"orig\":{\"tn\":"
        JSON.appendString(origin, to: &json)
        json += "},\"origid\":"
        JSON.appendString(originIdentifier, to: &json)
        if let callerName {
            json += ",\"rcd\":{\"nam\":"
            JSON.appendString(callerName, to: &json)
            json += "}"
        }
        json += "}"
        return json
    }
}

/// A PASSporT's protected header (RFC 8225 §4, RFC 8588 §3).
public struct PASSporTHeader: Sendable, Hashable {
    public var algorithm: String
    public var type: String?
    public var extensionName: String?
    /// Where the signer's certificate chain is published.
    public var certificateURL: String

    public init(algorithm: String = "ES256", type: String? = "passport", extensionName: String? = "shaken",
                certificateURL: String) {
        self.algorithm = algorithm
        self.type = type
        self.extensionName = extensionName
        self.certificateURL = certificateURL
    }

    /// The header as canonical JSON: keys in lexicographic order, no whitespace.
    public var canonicalJSON: String {
        var json = "{\"alg\":"
        JSON.appendString(algorithm, to: &json)
        if let extensionName {
            json += ",\"ppt\":"
            JSON.appendString(extensionName, to: &json)
        }
        if let type {
            json += ",\"typ\":"
            JSON.appendString(type, to: &json)
        }
        json += ",\"x5u\":"
        JSON.appendString(certificateURL, to: &json)
        json += "}"
        return json
    }
}

/// A PASSporT as received: a compact JSON Web Signature (RFC 7515 §7.1) decoded into its header and claims.
public struct PASSporT: Sendable {
    /// Tokens longer than this are refused before any decoding (real ones are under 1 KB).
    public static let maximumLength = 4_096

    public var header: PASSporTHeader
    public var claims: SHAKENClaims
    /// The bytes the signature covers: `BASE64URL(header) "." BASE64URL(payload)`.
    public var signingInput: Substring
    /// The ES256 signature, `r || s` (RFC 7518 §3.4).
    public var signature: [UInt8]

    /// Decodes a compact token. Claims' presence and values are checked here only as far as decoding needs;
    /// ``PASSporTVerifier`` judges them.
    public init(token: Substring) throws(VerificationFailure) {
        guard token.utf8.count <= Self.maximumLength else {
            throw .malformed("the PASSporT is longer than \(Self.maximumLength) bytes")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("a PASSporT has three dot-separated parts, this one has \(parts.count)")
        }
        guard !parts[1].isEmpty else {
            throw .malformed("a compact-form PASSporT (no payload) cannot be verified without the SIP request's claims")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .malformed("the header is not base64url") }
        guard let payloadBytes = Base64URL.decode(parts[1]) else { throw .malformed("the payload is not base64url") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformed("the signature is not base64url") }
        let decoder = JSONDecoder()
        let rawHeader: RawHeader
        let rawClaims: RawClaims
        do {
            rawHeader = try decoder.decode(RawHeader.self, from: Data(headerBytes))
        } catch {
            throw .malformed("the header is not a JSON object of strings")
        }
        do {
            rawClaims = try decoder.decode(RawClaims.self, from: Data(payloadBytes))
        } catch {
            throw .malformed("the payload's claims are not valid JSON of the types RFC 8225 gives them")
        }
        guard let algorithm = rawHeader.alg else { throw .malformed("the header has no alg") }
        guard let x5u = rawHeader.x5u else { throw .missingClaim("x5u") }
        header = PASSporTHeader(algorithm: algorithm, type: rawHeader.typ, extensionName: rawHeader.ppt, certificateURL: x5u)
        guard let attest = rawClaims.attest else { throw .missingClaim("attest") }
        guard let attestation = Attestation(rawValue: attest) else {
            throw .invalidClaim("attest is '\(attest)', not A, B or C")
        }
        guard let origin = rawClaims.orig?.tn else { throw .missingClaim("orig.tn") }
        guard let destinations = rawClaims.dest?.tn, !destinations.isEmpty else { throw .missingClaim("dest.tn") }
        guard let issuedAt = rawClaims.iat else { throw .missingClaim("iat") }
        guard let originIdentifier = rawClaims.origid else { throw .missingClaim("origid") }
        claims = SHAKENClaims(
            attestation: attestation, origin: origin, destinations: destinations, issuedAt: issuedAt,
            originIdentifier: originIdentifier, callerName: rawClaims.rcd?.nam
        )
        signingInput = token[..<parts[1].endIndex]
        self.signature = signature
    }

    private struct RawHeader: Decodable {
        var alg: String?
        var typ: String?
        var ppt: String?
        var x5u: String?
    }

    private struct RawClaims: Decodable {
        struct Numbers<Value: Decodable>: Decodable { var tn: Value? }
        struct RichCallData: Decodable { var nam: String? }
        var attest: String?
        var dest: Numbers<[String]>?
        var iat: Int64?
        var orig: Numbers<String>?
        var origid: String?
        var rcd: RichCallData?
    }
}

/// The canonical form of a telephone number in a PASSporT (RFC 8224 §8.3, ATIS-1000074 §5.3.1): E.164 digits
/// without `+` or visual separators; a 10-digit NANP number gains its country code `1`. `nil` for text that is
/// not a telephone number.
public func canonicalTelephoneNumber<Text: StringProtocol>(_ text: Text) -> String? {
    if let number = try? PhoneNumber(parsing: String(text)) {
        return "1" + number.national
    }
    var digits = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "0"..."9": digits.unicodeScalars.append(scalar)
        case "+", "-", ".", "(", ")", " ": continue
        default: return nil
        }
    }
    return (1...15).contains(digits.utf8.count) ? digits : nil
}

/// Writing JSON strings without Foundation's encoder: the hot path signs a token per call.
enum JSON {
    /// Appends `value` as a JSON string, escaping what RFC 8259 §7 requires.
    static func appendString(_ value: String, to json: inout String) {
        json += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                json += "\\u00"
                json += scalar.value < 0x10 ? "0" : ""
                json += String(scalar.value, radix: 16)
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
