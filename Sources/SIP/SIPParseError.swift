// MARK: - SIPParseError

/// Why a SIP message could not be parsed, framed or validated.
///
/// A struct with a ``code`` (for programs) and a ``reason`` (for people), so the set of codes can grow. The
/// reason never contains bytes from the offending message, only names, so it is safe to put in the
/// reason phrase or `Warning` header (RFC 3261 §20.43) of a `400 Bad Request`.
public struct SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in a form a program can switch over.
    public enum Code: Hashable, Sendable {
        /// The request line or status line does not follow RFC 3261 §7.1 / §7.2.
        case malformedStartLine
        /// The status code is not three digits from 100 to 699 (RFC 3261 §7.2, §21).
        case badStatusCode
        /// The SIP version is not `SIP/2.0` (RFC 3261 §7.1); a server answers `505`.
        case unsupportedVersion
        /// The Request-URI is not a valid URI for a request (RFC 3261 §19.1.1).
        case badRequestURI
        /// A header field is malformed: its name, its line structure, or its value's grammar (RFC 3261 §7.3).
        case badHeader
        /// The start line or a header field is not valid UTF-8 (RFC 3261 §7.3.1, §25.1).
        case invalidUTF8
        /// The header section does not end with an empty line (RFC 3261 §7).
        case headersNotTerminated
        /// A header RFC 3261 §8.1.1 requires is absent; ``SIPParseError/header`` names it.
        case missingRequiredHeader
        /// A header that may appear only once appears more than once (RFC 3261 §7.3.1).
        case duplicateHeader
        /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5).
        case cseqMethodMismatch
        /// A number is larger than its header allows (CSeq, Max-Forwards, ports; RFC 3261 §8.1.1.5, §20).
        case valueOutOfRange
        /// Content-Length is not a non-negative integer, or appears twice with different values (§20.14).
        case badContentLength
        /// A message on a stream transport has no Content-Length, so it cannot be framed (RFC 3261 §18.3).
        case missingContentLength
        /// The body is shorter than Content-Length says (RFC 3261 §18.3).
        case bodyTooShort
        /// A configured limit was exceeded.
        case limitExceeded(Limit)
    }

    /// The limits of ``SIPParserConfiguration``, to say which one was exceeded.
    public enum Limit: Hashable, Sendable {
        /// ``SIPParserConfiguration/maximumMessageBytes``.
        case messageBytes
        /// ``SIPParserConfiguration/maximumHeaderCount``.
        case headerCount
        /// ``SIPParserConfiguration/maximumHeaderLineBytes``.
        case headerLineBytes
        /// ``SIPParserConfiguration/maximumViaCount``.
        case viaCount
        /// ``SIPParserConfiguration/maximumContactCount``.
        case contactCount
        /// ``SIPParserConfiguration/maximumBodyBytes``.
        case bodyBytes
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable explanation, safe to send back in a `400` reason phrase or `Warning`.
    public var reason: String
    /// The header at fault, in canonical spelling, when the error concerns one header.
    public var header: String?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, header: String? = nil) {
        self.code = code
        self.reason = reason
        self.header = header
    }

    /// The status a server should answer with (RFC 3261 §21.4): `505` for an unsupported version, `513`
    /// for a message over the size limit, otherwise `400`.
    public var suggestedStatus: Int {
        switch self.code {
        case .unsupportedVersion: 505
        case .limitExceeded(.messageBytes): 513
        default: 400
        }
    }

    /// The reason, for logs.
    public var description: String {
        "SIPParseError(\(self.code)): \(self.reason)"
    }
}

extension SIPParseError {
    static func badHeader(_ header: String, _ detail: String) -> SIPParseError {
        SIPParseError(.badHeader, "Malformed \(header) header: \(detail)", header: header)
    }

    static func limit(_ limit: Limit, _ detail: String) -> SIPParseError {
        SIPParseError(.limitExceeded(limit), detail)
    }
}
