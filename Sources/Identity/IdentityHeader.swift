/// The SIP Identity header field (RFC 8224 §4.1): a PASSporT and its parameters.
///
/// `eyJ...;info=<https://cert.example.net/sp.pem>;alg=ES256;ppt="shaken"`
public struct IdentityHeader: Sendable, Hashable {
    /// Header values longer than this are refused unread.
    public static let maximumLength = 8_192

    /// The compact PASSporT.
    public var token: Substring
    /// The `info` parameter: where the certificate is (the same as the token's x5u, for SHAKEN).
    public var info: String?
    public var algorithm: String?
    public var extensionName: String?

    /// The header value for a signed token.
    public static func value(token: String, certificateURL: String) -> String {
        token + parameters(certificateURL: certificateURL)
    }

    /// What follows the token in a SHAKEN header value: `;info=<x5u>;alg=ES256;ppt="shaken"`.
    static func parameters(certificateURL: String) -> String {
        ";info=<\(certificateURL)>;alg=ES256;ppt=\"shaken\""
    }

    /// Parses a header value by RFC 8224 §4.1's grammar: the token, then `info` (required, a URI in angle
    /// brackets), then any other parameters; `info`, `alg` and `ppt` at most once each. A value that breaks it is malformed, and so never
    /// verifies, whatever the PASSporT's own `x5u` says. The grammar is ASCII, so the value is scanned by its
    /// UTF-8 bytes, not by `Character`: the token alone is several hundred bytes.
    public init(parsing value: String) throws(VerificationFailure) {
        guard value.utf8.count <= Self.maximumLength else {
            throw .malformed("the Identity header is longer than \(Self.maximumLength) bytes")
        }
        let trimmed = value.utf8[...].trimmingLeadingWhitespace
        let tokenEnd = trimmed.firstIndex(of: ASCII.semicolon) ?? trimmed.endIndex
        token = Substring(trimmed[..<tokenEnd].trimmingTrailingWhitespace)
        guard !token.isEmpty else { throw .malformed("the Identity header has no PASSporT") }
        var rest = trimmed[tokenEnd...]
        var seen = (info: false, alg: false, ppt: false)
        while rest.first == ASCII.semicolon {
            rest = rest.dropFirst().trimmingLeadingWhitespace
            let nameEnd = rest.firstIndex(where: { $0 == ASCII.equals || $0 == ASCII.semicolon }) ?? rest.endIndex
            let name = Substring(rest[..<nameEnd].trimmingTrailingWhitespace).lowercased()
            rest = rest[nameEnd...]
            var parameter = rest[rest.startIndex..<rest.startIndex]
            var bracketed = false
            if rest.first == ASCII.equals {
                rest = rest.dropFirst().trimmingLeadingWhitespace
                switch rest.first {
                case ASCII.lessThan:
                    guard let close = rest.firstIndex(of: ASCII.greaterThan) else {
                        throw .malformed("info has no closing '>'")
                    }
                    parameter = rest[rest.index(after: rest.startIndex)..<close]
                    rest = rest[rest.index(after: close)...]
                    bracketed = true
                case ASCII.quote:
                    let body = rest.dropFirst()
                    guard let close = body.firstIndex(of: ASCII.quote) else {
                        throw .malformed("a quoted parameter is not closed")
                    }
                    parameter = body[..<close]
                    rest = body[body.index(after: close)...]
                default:
                    let end = rest.firstIndex(of: ASCII.semicolon) ?? rest.endIndex
                    parameter = rest[..<end].trimmingTrailingWhitespace
                    rest = rest[end...]
                }
            }
            rest = rest.trimmingLeadingWhitespace
            func once(_ seen: inout Bool) throws(VerificationFailure) {
                guard !seen else { throw .malformed("the Identity header names \(name) twice") }
                seen = true
            }
            switch name {
            case "info":
                try once(&seen.info)
                guard bracketed, !parameter.isEmpty else {
                    throw .malformed("info must be a URI in angle brackets (RFC 8224 §4.1)")
                }
                info = String(Substring(parameter))
            case "alg":
                try once(&seen.alg)
                algorithm = String(Substring(parameter))
            case "ppt":
                try once(&seen.ppt)
                extensionName = String(Substring(parameter))
            default: break
            }
        }
        guard rest.isEmpty else { throw .malformed("unexpected text after the Identity header's parameters") }
        guard info != nil else { throw .malformed("the Identity header has no info parameter (RFC 8224 §4.1)") }
    }
}

/// The bytes the Identity header's grammar is made of.
private enum ASCII {
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let quote = UInt8(ascii: "\"")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
}

extension Substring.UTF8View {
    fileprivate var trimmingLeadingWhitespace: Substring.UTF8View {
        drop(while: { $0 == ASCII.space || $0 == ASCII.tab })
    }

    fileprivate var trimmingTrailingWhitespace: Substring.UTF8View {
        var result = self
        while let last = result.last, last == ASCII.space || last == ASCII.tab { result = result.dropLast() }
        return result
    }
}
