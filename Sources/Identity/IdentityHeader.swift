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
        "\(token);info=<\(certificateURL)>;alg=ES256;ppt=\"shaken\""
    }

    /// Parses a header value.
    public init(parsing value: String) throws(VerificationFailure) {
        guard value.utf8.count <= Self.maximumLength else {
            throw .malformed("the Identity header is longer than \(Self.maximumLength) bytes")
        }
        let trimmed = value.drop(while: { $0 == " " || $0 == "\t" })
        let tokenEnd = trimmed.firstIndex(of: ";") ?? trimmed.endIndex
        token = trimmed[..<tokenEnd].trimmingTrailingWhitespace
        guard !token.isEmpty else { throw .malformed("the Identity header has no PASSporT") }
        var rest = trimmed[tokenEnd...]
        while let semicolon = rest.first, semicolon == ";" {
            rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
            let nameEnd = rest.firstIndex(where: { $0 == "=" || $0 == ";" }) ?? rest.endIndex
            let name = rest[..<nameEnd].trimmingTrailingWhitespace.lowercased()
            rest = rest[nameEnd...]
            var parameter: Substring = ""
            if rest.first == "=" {
                rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
                switch rest.first {
                case "<":
                    guard let close = rest.firstIndex(of: ">") else { throw .malformed("info has no closing '>'") }
                    parameter = rest[rest.index(after: rest.startIndex)..<close]
                    rest = rest[rest.index(after: close)...]
                case "\"":
                    let body = rest.dropFirst()
                    guard let close = body.firstIndex(of: "\"") else { throw .malformed("a quoted parameter is not closed") }
                    parameter = body[..<close]
                    rest = body[body.index(after: close)...]
                default:
                    let end = rest.firstIndex(of: ";") ?? rest.endIndex
                    parameter = rest[..<end].trimmingTrailingWhitespace
                    rest = rest[end...]
                }
            }
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
            switch name {
            case "info": info = String(parameter)
            case "alg": algorithm = String(parameter)
            case "ppt": extensionName = String(parameter)
            default: break
            }
        }
        guard rest.isEmpty else { throw .malformed("unexpected text after the Identity header's parameters") }
    }
}

extension Substring {
    fileprivate var trimmingTrailingWhitespace: Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
