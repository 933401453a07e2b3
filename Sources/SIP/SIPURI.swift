// MARK: - SIPURI

/// A SIP, SIPS or tel URI, or any other absolute URI kept opaque (RFC 3261 §19.1, RFC 3966).
///
/// `sip:user:password@host:port;uri-parameters?headers` is parsed into its parts (RFC 3261 §19.1.1);
/// ``description`` puts them back together. Parameters and headers keep their escapes; ``user`` is
/// percent-decoded and ``rawUser`` is the user part as written (RFC 3261 §19.1.2). A `tel` URI keeps its
/// telephone-subscriber in ``rawUser`` and its parameters in ``parameters``. Other schemes (RFC 3261 §19.1
/// allows any `absoluteURI`, RFC 4475 §3.1.1.11) keep everything after the colon in ``opaque``.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    /// A URI scheme. `sip`, `sips` and `tel` are recognized ignoring case (RFC 3261 §19.1.4).
    public enum Scheme: Sendable, Hashable, CustomStringConvertible {
        /// `sip` (RFC 3261 §19.1).
        case sip
        /// `sips` (RFC 3261 §19.1).
        case sips
        /// `tel` (RFC 3966).
        case tel
        /// Any other scheme, as written.
        case other(String)

        /// The scheme name, lowercase for the known ones.
        public var description: String {
            switch self {
            case .sip: "sip"
            case .sips: "sips"
            case .tel: "tel"
            case .other(let name): name
            }
        }
    }

    /// The scheme.
    public var scheme: Scheme
    /// The user part as written, with its escapes; for `tel`, the telephone-subscriber.
    public var rawUser: String?
    /// The password as written (RFC 3261 §19.1.1 discourages it, but it is legal).
    public var password: String?
    /// The host: a name, an IPv4 address, or an IPv6 reference in brackets (`[2001:db8::1]`). Empty for `tel`
    /// and other schemes.
    public var host: String
    /// The port, if given.
    public var port: Int?
    /// The URI parameters, in order (RFC 3261 §19.1.1).
    public var parameters: SIPParameters
    /// The URI headers after `?` (RFC 3261 §19.1.1), in order; a flag here means `name=` with an empty value.
    public var headers: SIPParameters
    /// For schemes other than sip, sips and tel: everything after the colon.
    public var opaque: String

    /// Creates a `sip` or `sips` URI.
    public init(
        scheme: Scheme = .sip,
        user: String? = nil,
        password: String? = nil,
        host: String,
        port: Int? = nil,
        parameters: SIPParameters = [],
        headers: SIPParameters = []
    ) {
        self.scheme = scheme
        self.rawUser = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = ""
    }

    /// The user part with `%HH` escapes decoded (RFC 3261 §19.1.2), e.g. `sips:user@example.com` for
    /// `sips%3Auser%40example.com`. Bytes that are not UTF-8 once decoded become U+FFFD; ``rawUser`` keeps
    /// them exactly.
    public var user: String? {
        self.rawUser.map(percentDecoded)
    }

    /// The `transport` parameter, lowercased (RFC 3261 §19.1.1).
    public var transport: String? { self.parameters["transport"]?.lowercased() }

    /// The `user` parameter, e.g. `phone` (RFC 3261 §19.1.1).
    public var userParameter: String? { self.parameters["user"] }

    /// The URI as text.
    public var description: String {
        switch self.scheme {
        case .other(let name):
            return "\(name):\(self.opaque)"
        case .tel:
            return "tel:\(self.rawUser ?? "")\(self.parameters)"
        case .sip, .sips:
            var text = self.scheme.description + ":"
            if let rawUser = self.rawUser {
                text += rawUser
                if let password = self.password { text += ":" + password }
                text += "@"
            }
            text += self.host
            if let port = self.port { text += ":\(port)" }
            text += self.parameters.description
            for (index, header) in self.headers.enumerated() {
                text += index == 0 ? "?" : "&"
                text += header.name + "=" + (header.value ?? "")
            }
            return text
        }
    }
}

// MARK: - Parsing

extension SIPURI {
    /// Parses a URI (RFC 3261 §19.1.1, §25.1 `SIP-URI`, `SIPS-URI`, `absoluteURI`; RFC 3966 for `tel`).
    ///
    /// Throws ``SIPParseError/Code/badRequestURI`` for text that is not a URI: no scheme, whitespace, `<`, `>`,
    /// `"` or non-ASCII bytes anywhere, a missing host, a bad port, or a malformed `%` escape.
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        self = try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in try SIPURI(bytes: bytes[...]) }
    }

    /// Parses the URI from bytes that stay put while it runs: this runs for the Request-URI of every request.
    init(bytes: URIBytes) throws(SIPParseError) {
        var parameters = SIPParameters(), headers = SIPParameters()
        let syntax = try Self.scan(bytes, parameters: &parameters, headers: &headers)
        self.init(syntax, of: bytes, parameters: parameters, headers: headers)
    }

    /// The URI that ``scan(_:parameters:headers:)`` found in `bytes`, with the parameters and headers it read.
    init(_ syntax: Syntax, of bytes: URIBytes, parameters: SIPParameters, headers: SIPParameters) {
        self.init(host: "", parameters: parameters, headers: headers)
        switch syntax.scheme {
        case .sip: self.scheme = .sip
        case .sips: self.scheme = .sips
        case .tel: self.scheme = .tel
        case .other: self.scheme = .other(string(bytes[syntax.schemeName]))
        }
        self.rawUser = syntax.user.map { string(bytes[$0]) }
        self.password = syntax.password.map { string(bytes[$0]) }
        self.host = syntax.host.map { string(bytes[$0]) } ?? ""
        self.port = syntax.port
        self.opaque = syntax.opaque.map { string(bytes[$0]) } ?? ""
    }

    /// Checks that the bytes are a URI, as ``init(parsing:)`` does, without building one.
    static func check(_ bytes: URIBytes) throws(SIPParseError) {
        var parameters = SyntaxOnly(), headers = SyntaxOnly()
        _ = try Self.scan(bytes, parameters: &parameters, headers: &headers)
    }

    /// The bytes of a URI being parsed.
    typealias URIBytes = SIPBytes

    /// Where the parts of a URI are in its bytes: what ``scan(_:parameters:headers:)`` found.
    struct Syntax {
        enum SchemeKind { case sip, sips, tel, other }

        var scheme: SchemeKind
        var schemeName: Range<Int>
        /// The user part (`sip`, `sips`) or the telephone-subscriber (`tel`).
        var user: Range<Int>?
        var password: Range<Int>?
        var host: Range<Int>?
        var port: Int?
        /// Everything after the colon, for other schemes.
        var opaque: Range<Int>?
    }

    /// The URI grammar, once for building and checking: every rule of ``init(parsing:)`` is checked here; the
    /// parameters and headers go to the sinks, and where the other parts are comes back.
    static func scan(
        _ bytes: URIBytes, parameters: inout some SIPParameterSink, headers: inout some SIPParameterSink
    ) throws(SIPParseError) -> Syntax {
        func fail(_ detail: String) -> SIPParseError {
            SIPParseError(.badRequestURI, "Invalid URI: \(detail)")
        }
        for byte in bytes {
            // Control characters, space, DEL, non-ASCII and the delimiters of §19.1.1 never appear unescaped.
            if byte <= 0x20 || byte >= 0x7F || byte == ASCII.quote || byte == ASCII.lessThan
                || byte == ASCII.greaterThan
            {
                throw fail("character not allowed in a URI")
            }
        }
        guard let colon = bytes.firstIndex(of: ASCII.colon), colon > bytes.startIndex,
            bytes[bytes.startIndex].isASCIIAlpha,
            bytes[bytes.startIndex..<colon].allSatisfy({
                $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == ASCII.dot
            })
        else { throw fail("missing scheme") }
        let schemeBytes = bytes[bytes.startIndex..<colon]
        let rest = bytes[(colon + 1)...]
        var syntax = Syntax(scheme: .other, schemeName: bytes.startIndex..<colon)
        if equalsIgnoringASCIICase(schemeBytes, "sip".utf8) {
            syntax.scheme = .sip
            try Self.scanSIP(rest, into: &syntax, parameters: &parameters, headers: &headers, fail: fail)
        } else if equalsIgnoringASCIICase(schemeBytes, "sips".utf8) {
            syntax.scheme = .sips
            try Self.scanSIP(rest, into: &syntax, parameters: &parameters, headers: &headers, fail: fail)
        } else if equalsIgnoringASCIICase(schemeBytes, "tel".utf8) {
            syntax.scheme = .tel
            let end = rest.firstIndex(of: ASCII.semicolon) ?? rest.endIndex
            let subscriber = rest[rest.startIndex..<end]
            guard !subscriber.isEmpty, Self.isValidEscaped(subscriber, allowed: Self.isParameterCharacter) else {
                throw fail("invalid telephone-subscriber")
            }
            syntax.user = subscriber.startIndex..<subscriber.endIndex
            try Self.scanParameters(rest[end...], into: &parameters, fail: fail)
        } else {
            guard !rest.isEmpty else { throw fail("empty URI after the scheme") }
            syntax.opaque = rest.startIndex..<rest.endIndex
        }
        return syntax
    }

    private static func scanSIP(
        _ bytes: URIBytes, into syntax: inout Syntax, parameters: inout some SIPParameterSink,
        headers: inout some SIPParameterSink, fail: (String) -> SIPParseError
    ) throws(SIPParseError) {
        var hostStart = bytes.startIndex
        // `@` cannot appear unescaped in host, parameters or headers, so the first one ends the userinfo.
        if let at = bytes.firstIndex(of: ASCII.at) {
            let userinfo = bytes[bytes.startIndex..<at]
            let userEnd = userinfo.firstIndex(of: ASCII.colon) ?? userinfo.endIndex
            let user = userinfo[userinfo.startIndex..<userEnd]
            guard !user.isEmpty, Self.isValidEscaped(user, allowed: Self.isUserCharacter) else {
                throw fail("invalid user part")
            }
            syntax.user = user.startIndex..<user.endIndex
            if userEnd < userinfo.endIndex {
                let password = userinfo[(userEnd + 1)...]
                guard Self.isValidEscaped(password, allowed: Self.isPasswordCharacter) else {
                    throw fail("invalid password")
                }
                syntax.password = password.startIndex..<password.endIndex
            }
            hostStart = at + 1
        }
        var index = hostStart
        if index < bytes.endIndex, bytes[index] == ASCII.leftBracket {
            guard let close = bytes[index...].firstIndex(of: ASCII.rightBracket),
                close > index + 1,
                bytes[(index + 1)..<close].allSatisfy({ $0.isHexDigit || $0 == ASCII.colon || $0 == ASCII.dot })
            else { throw fail("invalid IPv6 reference") }
            index = close + 1
        } else {
            while index < bytes.endIndex, Self.isHostCharacter(bytes[index]) { index += 1 }
        }
        guard index > hostStart else { throw fail("missing host") }
        syntax.host = hostStart..<index
        if index < bytes.endIndex, bytes[index] == ASCII.colon {
            let portStart = index + 1
            index = portStart
            while index < bytes.endIndex, bytes[index].isASCIIDigit { index += 1 }
            guard let port = Self.port(bytes[portStart..<index]) else { throw fail("invalid port") }
            syntax.port = port
        }
        guard index == bytes.endIndex || bytes[index] == ASCII.semicolon || bytes[index] == ASCII.question else {
            throw fail("unexpected character after host")
        }
        let end = bytes[index...].firstIndex(of: ASCII.question) ?? bytes.endIndex
        try Self.scanParameters(bytes[index..<end], into: &parameters, fail: fail)
        if end < bytes.endIndex {
            let headerBytes = bytes[(end + 1)...]
            guard !headerBytes.isEmpty else { throw fail("empty headers after ?") }
            var fieldStart = headerBytes.startIndex
            while fieldStart <= headerBytes.endIndex {
                let fieldEnd = headerBytes[fieldStart...].firstIndex(of: ASCII.ampersand) ?? headerBytes.endIndex
                let field = headerBytes[fieldStart..<fieldEnd]
                guard let equals = field.firstIndex(of: ASCII.equals), equals > field.startIndex,
                    Self.isValidEscaped(field, allowed: Self.isHeaderCharacter)
                else { throw fail("invalid URI header") }
                headers.append(name: field[field.startIndex..<equals], value: field[(equals + 1)...])
                fieldStart = fieldEnd + 1
            }
        }
    }

    /// Reads `;name[=value]` repeated; `bytes` is empty or starts with `;`.
    private static func scanParameters(
        _ bytes: URIBytes, into parameters: inout some SIPParameterSink, fail: (String) -> SIPParseError
    ) throws(SIPParseError) {
        guard !bytes.isEmpty else { return }
        var fieldStart = bytes.startIndex + 1
        while fieldStart <= bytes.endIndex {
            let fieldEnd = bytes[fieldStart...].firstIndex(of: ASCII.semicolon) ?? bytes.endIndex
            let field = bytes[fieldStart..<fieldEnd]
            let equals = field.firstIndex(of: ASCII.equals)
            let name = field[field.startIndex..<(equals ?? field.endIndex)]
            guard !name.isEmpty, isValidEscaped(field, allowed: { isParameterCharacter($0) || $0 == ASCII.equals })
            else { throw fail("invalid URI parameter") }
            let value = equals.map { field[($0 + 1)...] }
            if let value, value.contains(ASCII.equals) { throw fail("invalid URI parameter") }
            parameters.append(name: name, value: value)
            fieldStart = fieldEnd + 1
        }
    }

    private static func port(_ digits: URIBytes) -> Int? {
        guard (1...5).contains(digits.count) else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value <= 65_535 ? value : nil
    }

    /// Whether every byte is allowed or part of a well-formed `%HH` escape.
    private static func isValidEscaped(_ bytes: URIBytes, allowed: (UInt8) -> Bool) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.percent {
                guard index + 2 < bytes.endIndex,
                    bytes[index + 1].isHexDigit, bytes[index + 2].isHexDigit
                else { return false }
                index += 3
            } else {
                guard allowed(byte) else { return false }
                index += 1
            }
        }
        return true
    }

    /// `unreserved / user-unreserved` (RFC 3261 §25.1): user-unreserved is `& = + $ , ; ? /`.
    private static func isUserCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","),
            UInt8(ascii: ";"), UInt8(ascii: "?"), UInt8(ascii: "/"):
            true
        default: byte.isUnreserved
        }
    }

    /// `unreserved / & = + $ ,` (RFC 3261 §25.1 `password`).
    private static func isPasswordCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: ","): true
        default: byte.isUnreserved
        }
    }

    /// `hostname` characters; `_` is tolerated because deployed hosts use it.
    private static func isHostCharacter(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte == UInt8(ascii: "-") || byte == ASCII.dot || byte == UInt8(ascii: "_")
    }

    /// `paramchar` (RFC 3261 §25.1): param-unreserved `[ ] / : & + $` or unreserved.
    private static func isParameterCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "&"),
            UInt8(ascii: "+"), UInt8(ascii: "$"):
            true
        default: byte.isUnreserved
        }
    }

    /// `hnv-unreserved / unreserved` (RFC 3261 §25.1): `[ ] / ? : + $`.
    private static func isHeaderCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: ":"),
            UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "="):
            true
        default: byte.isUnreserved
        }
    }
}
