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
        var json: [UInt8] = []
        appendCanonicalJSON(to: &json)
        return String(decoding: json, as: UTF8.self)
    }

    /// Appends ``canonicalJSON``'s bytes to `json`: the signer writes them straight into the token's buffer.
    func appendCanonicalJSON(to json: inout [UInt8]) {
        json.append(contentsOf: #"{"attest":""#.utf8)
        json.append(contentsOf: attestation.rawValue.utf8)
        json.append(contentsOf: #"","dest":{"tn":["#.utf8)
        for (index, destination) in destinations.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSON.appendString(destination, to: &json)
        }
        json.append(contentsOf: #"]},"iat":"#.utf8)
        json.append(contentsOf: String(issuedAt).utf8)
        json.append(contentsOf: #","orig":{"tn":"#.utf8)
        JSON.appendString(origin, to: &json)
        json.append(contentsOf: #"},"origid":"#.utf8)
        JSON.appendString(originIdentifier, to: &json)
        if let callerName {
            json.append(contentsOf: #","rcd":{"nam":"#.utf8)
            JSON.appendString(callerName, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "}"))
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
        var json: [UInt8] = Array(#"{"alg":"#.utf8)
        JSON.appendString(algorithm, to: &json)
        if let extensionName {
            json.append(contentsOf: #","ppt":"#.utf8)
            JSON.appendString(extensionName, to: &json)
        }
        if let type {
            json.append(contentsOf: #","typ":"#.utf8)
            JSON.appendString(type, to: &json)
        }
        json.append(contentsOf: #","x5u":"#.utf8)
        JSON.appendString(certificateURL, to: &json)
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
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
        // Split by bytes, not by `Character`: base64url is ASCII, and a token is several hundred bytes.
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Substring.init)
        guard parts.count == 3 else {
            throw .malformed("a PASSporT has three dot-separated parts, this one has \(parts.count)")
        }
        guard !parts[1].isEmpty else {
            throw .malformed("a compact-form PASSporT (no payload) cannot be verified without the SIP request's claims")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .malformed("the header is not base64url") }
        guard let payloadBytes = Base64URL.decode(parts[1]) else { throw .malformed("the payload is not base64url") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformed("the signature is not base64url") }
        let rawHeader: RawHeader
        let rawClaims: RawClaims
        do {
            rawHeader = try (try? RawHeader(plain: headerBytes))
                ?? JSONDecoder().decode(RawHeader.self, from: Data(headerBytes))
        } catch {
            throw .malformed("the header is not a JSON object of strings")
        }
        do {
            rawClaims = try (try? RawClaims(plain: payloadBytes))
                ?? JSONDecoder().decode(RawClaims.self, from: Data(payloadBytes))
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

    // MARK: - JSON

    // Header and claims are read by `PlainJSONReader` when it can (tokens as signers write them), else by
    // `JSONDecoder`. The plain readers decline a repeated key, which `JSONDecoder` resolves (the first one wins).

    private struct RawHeader: Decodable {
        var alg: String?
        var typ: String?
        var ppt: String?
        var x5u: String?

        init(plain json: [UInt8]) throws(PlainJSONReader.Declined) {
            try PlainJSONReader.readObject(json) { key, reader throws(PlainJSONReader.Declined) in
                switch key {
                case "alg": alg = try reader.value(); return 0
                case "typ": typ = try reader.value(); return 1
                case "ppt": ppt = try reader.value(); return 2
                case "x5u": x5u = try reader.value(); return 3
                default: throw PlainJSONReader.Declined()
                }
            }
        }
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

        init(plain json: [UInt8]) throws(PlainJSONReader.Declined) {
            try PlainJSONReader.readObject(json) { key, reader throws(PlainJSONReader.Declined) in
                switch key {
                case "attest": attest = try reader.value(); return 0
                case "dest": dest = try reader.object(member: "tn").map(Numbers.init); return 1
                case "iat": iat = try reader.value(); return 2
                case "orig": orig = try reader.object(member: "tn").map(Numbers.init); return 3
                case "origid": origid = try reader.value(); return 4
                case "rcd": rcd = try reader.object(member: "nam").map(RichCallData.init); return 5
                default: throw PlainJSONReader.Declined()
                }
            }
        }
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
    /// Appends `value` as a JSON string, escaping what RFC 8259 §7 requires (control characters as `\uXXXX`
    /// in lowercase hex, except the short forms for newline, carriage return and tab).
    static func appendString(_ value: String, to json: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        json.append(quote)
        for byte in value.utf8 {
            switch byte {
            case quote, backslash:
                json.append(backslash)
                json.append(byte)
            case UInt8(ascii: "\n"):
                json.append(backslash)
                json.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"):
                json.append(backslash)
                json.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"):
                json.append(backslash)
                json.append(UInt8(ascii: "t"))
            case ..<0x20:
                json.append(contentsOf: #"\u00"#.utf8)
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0x0F)])
            default:
                json.append(byte)
            }
        }
        json.append(quote)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
