import NIOCore

// MARK: - SIPRequest

/// A SIP request (RFC 3261 §7.1): request line, headers and body.
public struct SIPRequest: Sendable, Hashable {
    /// The method (RFC 3261 §7.1).
    public var method: SIPMethod
    /// The Request-URI (RFC 3261 §8.1.1.1).
    public var uri: SIPURI
    /// The protocol version of the request line.
    public var version: SIPVersion
    /// The header fields, in order.
    public var headers: SIPHeaders
    /// The body, as bytes (RFC 3261 §7.4): bodies need not be text.
    public var body: ByteBuffer

    /// Creates a request.
    public init(
        method: SIPMethod,
        uri: SIPURI,
        version: SIPVersion = .sip2,
        headers: SIPHeaders = SIPHeaders(),
        body: ByteBuffer = ByteBuffer()
    ) {
        self.method = method
        self.uri = uri
        self.version = version
        self.headers = headers
        self.body = body
    }
}

// MARK: - SIPResponse

/// A SIP response (RFC 3261 §7.2): status line, headers and body.
public struct SIPResponse: Sendable, Hashable {
    /// The status code, 100–699 (RFC 3261 §7.2, §21).
    public var status: Int
    /// The reason phrase; may be empty and may hold any UTF-8 text (RFC 3261 §7.2, §25.1).
    public var reason: String
    /// The protocol version of the status line.
    public var version: SIPVersion
    /// The header fields, in order.
    public var headers: SIPHeaders
    /// The body, as bytes.
    public var body: ByteBuffer

    /// Creates a response.
    public init(
        status: Int,
        reason: String,
        version: SIPVersion = .sip2,
        headers: SIPHeaders = SIPHeaders(),
        body: ByteBuffer = ByteBuffer()
    ) {
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        self.body = body
    }
}

// MARK: - SIPMessage

/// A SIP message: a request or a response (RFC 3261 §7).
public enum SIPMessage: Sendable, Hashable {
    /// A request.
    case request(SIPRequest)
    /// A response.
    case response(SIPResponse)

    /// The message's headers.
    public var headers: SIPHeaders {
        switch self {
        case .request(let request): request.headers
        case .response(let response): response.headers
        }
    }

    /// The message's body.
    public var body: ByteBuffer {
        switch self {
        case .request(let request): request.body
        case .response(let response): response.body
        }
    }

    /// The request, if this is one.
    public var request: SIPRequest? {
        if case .request(let request) = self { request } else { nil }
    }

    /// The response, if this is one.
    public var response: SIPResponse? {
        if case .response(let response) = self { response } else { nil }
    }
}

// MARK: - Typed header access

extension SIPHeaders {
    /// Every Via value, top first (RFC 3261 §20.42, §8.1.1.7).
    public func vias() throws(SIPParseError) -> [SIPVia] {
        var result: [SIPVia] = []
        try self.forEachListElement(.via) { element throws(SIPParseError) in
            result.append(try SIPVia(parsing: element))
        }
        return result
    }

    /// The From header (RFC 3261 §20.20, §8.1.1.3), or `nil` if absent.
    public func from() throws(SIPParseError) -> SIPNameAddress? {
        guard let value = self[known: .from] else { return nil }
        return try SIPNameAddress(parsing: value, header: "From")
    }

    /// The To header (RFC 3261 §20.39, §8.1.1.2), or `nil` if absent.
    public func to() throws(SIPParseError) -> SIPNameAddress? {
        guard let value = self[known: .to] else { return nil }
        return try SIPNameAddress(parsing: value, header: "To")
    }

    /// The Call-ID (RFC 3261 §20.8), trimmed, or `nil` if absent.
    public var callID: String? { self[known: .callID] }

    /// The CSeq (RFC 3261 §20.16), or `nil` if absent.
    public func cseq() throws(SIPParseError) -> SIPCSeq? {
        guard let value = self[known: .cseq] else { return nil }
        return try SIPCSeq(parsing: value)
    }

    /// Max-Forwards, 0–255 (RFC 3261 §20.22, §8.1.1.6), or `nil` if absent.
    public func maxForwards() throws(SIPParseError) -> Int? {
        guard let value = self[known: .maxForwards] else { return nil }
        guard let number = parseDecimal(value, maximum: 255) else {
            throw .badHeader("Max-Forwards", "not a number")
        }
        guard let number = number else {
            throw SIPParseError(.valueOutOfRange, "Max-Forwards is larger than 255", header: "Max-Forwards")
        }
        return number
    }

    /// Content-Length (RFC 3261 §20.14), or `nil` if absent.
    public func contentLength() throws(SIPParseError) -> Int? {
        guard let value = self[known: .contentLength] else { return nil }
        guard let number = parseDecimal(value, maximum: Int(Int32.max)) else {
            throw SIPParseError(.badContentLength, "Content-Length is not a number", header: "Content-Length")
        }
        guard let number = number else {
            throw SIPParseError(.badContentLength, "Content-Length is too large", header: "Content-Length")
        }
        return number
    }

    /// Every Contact value (RFC 3261 §20.10), in order; `[.wildcard]` for `Contact: *`.
    ///
    /// `*` must be the only Contact value (RFC 3261 §10.2.2); mixing it with addresses throws.
    public func contacts() throws(SIPParseError) -> [SIPContact] {
        var result: [SIPContact] = []
        try self.forEachContact { element throws(SIPParseError) in
            result.append(element == "*" ? .wildcard : .address(try SIPNameAddress(parsing: element, header: "Contact")))
        }
        return result
    }

    /// Calls `body` with each Contact element in order, having checked that `*` stands alone (RFC 3261 §10.2.2)
    /// when it comes to it: the rule ``contacts()`` and validation share.
    func forEachContact(_ body: (Substring) throws(SIPParseError) -> Void) throws(SIPParseError) {
        try self.forEachListElement(.contact) { element throws(SIPParseError) in
            if element == "*" {
                var count = 0
                try self.forEachListElement(.contact) { _ in count += 1 }
                guard count == 1 else {
                    throw .badHeader("Contact", "* must be the only Contact value")
                }
            }
            try body(element)
        }
    }
}

/// Parses `1*DIGIT`; `nil` if not digits, `.some(nil)` if larger than `maximum`. Leading zeros are allowed.
func parseDecimal(_ text: some StringProtocol, maximum: Int) -> Int?? {
    let digits = trimmed(Substring(text)).utf8
    guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
    var value = 0
    for digit in digits {
        value = value * 10 + Int(digit - 0x30)
        if value > maximum { return .some(nil) }
    }
    return .some(value)
}

/// A message whose typed header accessors read its header fields.
public protocol SIPHeaderAccess {
    var headers: SIPHeaders { get }
}

extension SIPRequest: SIPHeaderAccess {}
extension SIPResponse: SIPHeaderAccess {}

extension SIPHeaderAccess {
    /// Every Via value, top first (RFC 3261 §20.42).
    public func vias() throws(SIPParseError) -> [SIPVia] { try self.headers.vias() }
    /// The From header (RFC 3261 §20.20).
    public func from() throws(SIPParseError) -> SIPNameAddress? { try self.headers.from() }
    /// The To header (RFC 3261 §20.39).
    public func to() throws(SIPParseError) -> SIPNameAddress? { try self.headers.to() }
    /// The Call-ID (RFC 3261 §20.8).
    public var callID: String? { self.headers.callID }
    /// The CSeq (RFC 3261 §20.16).
    public func cseq() throws(SIPParseError) -> SIPCSeq? { try self.headers.cseq() }
    /// Max-Forwards (RFC 3261 §20.22).
    public func maxForwards() throws(SIPParseError) -> Int? { try self.headers.maxForwards() }
    /// Every Contact value (RFC 3261 §20.10).
    public func contacts() throws(SIPParseError) -> [SIPContact] { try self.headers.contacts() }
    /// Content-Length (RFC 3261 §20.14).
    public func contentLength() throws(SIPParseError) -> Int? { try self.headers.contentLength() }
}
