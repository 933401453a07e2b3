import NIOCore

// MARK: - SIPVia

/// One Via value (RFC 3261 §20.42, §25.1 `via-parm`): `SIP/2.0/UDP host:port;branch=...`.
///
/// Whitespace is allowed around `/`, `:`, `;` and `=` (RFC 4475 §3.1.1.1). ``description`` writes the
/// canonical form without it.
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// The protocol name, normally `SIP`.
    public var protocolName: String
    /// The protocol version, normally `2.0`.
    public var protocolVersion: String
    /// The transport as written: `UDP`, `TCP`, `TLS`, `SCTP`, or any other token (RFC 3261 §20.42).
    public var transport: String
    /// The sent-by host: a name, an IPv4 address, or an IPv6 reference in brackets.
    public var host: String
    /// The sent-by port, if given.
    public var port: Int?
    /// The parameters, in order.
    public var parameters: SIPParameters

    /// Creates a Via value.
    public init(
        transport: String,
        host: String,
        port: Int? = nil,
        parameters: SIPParameters = [],
        protocolName: String = "SIP",
        protocolVersion: String = "2.0"
    ) {
        self.protocolName = protocolName
        self.protocolVersion = protocolVersion
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The `branch` parameter (RFC 3261 §8.1.1.7); RFC 3261 branches start with `z9hG4bK`.
    public var branch: String? { self.parameters["branch"] }

    /// The `received` parameter (RFC 3261 §18.2.1).
    public var received: String? { self.parameters["received"] }

    /// The `maddr` parameter (RFC 3261 §18.2.2).
    public var maddr: String? { self.parameters["maddr"] }

    /// The `ttl` parameter, 0–255 (RFC 3261 §20.42).
    public var ttl: Int? { self.parameters["ttl"].flatMap { Int($0) } }

    /// The `rport` parameter (RFC 3581 §3): absent, requested (a flag), or filled in with a port.
    public var rport: RPort? {
        guard self.parameters.contains("rport") else { return nil }
        guard let value = self.parameters["rport"], let port = Int(value) else { return .requested }
        return .port(port)
    }

    /// The state of the `rport` parameter (RFC 3581).
    public enum RPort: Sendable, Hashable {
        /// `;rport` without a value: the client asks for the source port to be filled in.
        case requested
        /// `;rport=5060`.
        case port(Int)
    }

    /// `SIP/2.0/UDP host:port;params`.
    public var description: String {
        var buffer = ByteBuffer()
        self.write(into: &buffer)
        return String(buffer: buffer)
    }

    /// Parses one Via value (one element of a comma-separated Via header).
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        self = try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in
            var parameters = SIPParameters()
            let syntax = try Self.scan(bytes, parameters: &parameters)
            return SIPVia(
                transport: string(syntax.transport),
                host: string(syntax.host),
                port: syntax.port,
                parameters: parameters,
                protocolName: string(syntax.protocolName),
                protocolVersion: string(syntax.protocolVersion)
            )
        }
    }

    /// Checks one Via value as ``init(parsing:)`` does, without building it: for the Vias below the top one,
    /// which a server only passes back.
    static func check(_ text: some StringProtocol) throws(SIPParseError) {
        try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in
            var parameters = SyntaxOnly()
            _ = try Self.scan(bytes, parameters: &parameters)
        }
    }

    /// The parts of a Via value, where they are in its bytes.
    private struct Syntax {
        var protocolName: SIPBytes
        var protocolVersion: SIPBytes
        var transport: SIPBytes
        var host: SIPBytes
        var port: Int?
    }

    /// The Via grammar (RFC 3261 §25.1 `via-parm`), once for building and checking.
    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, parameters: inout some SIPParameterSink
    ) throws(SIPParseError) -> Syntax {
        var scanner = SIPScanner(bytes)
        func fail(_ detail: String) -> SIPParseError { .badHeader("Via", detail) }
        scanner.skipWhitespace()
        guard let name = scanner.token(), scanner.consumeSeparator(ASCII.slash),
            let version = scanner.token(), scanner.consumeSeparator(ASCII.slash),
            let transport = scanner.token()
        else { throw fail("invalid sent-protocol") }
        guard scanner.peek?.isSIPWhitespace == true else { throw fail("missing space before sent-by") }
        scanner.skipWhitespace()
        guard let host = Self.host(&scanner) else { throw fail("invalid sent-by host") }
        var port: Int?
        if scanner.consumeSeparator(ASCII.colon) {
            let digits = scanner.read(while: \.isASCIIDigit)
            guard (1...5).contains(digits.count), let value = Int(string(digits)), value <= 65_535
            else { throw fail("invalid sent-by port") }
            port = value
        }
        var checked = ViaParameterCheck(parameters: parameters)
        try scanner.parameters(header: "Via", into: &checked)
        parameters = checked.parameters
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw fail("unexpected text after the parameters") }
        try checked.validate()
        return Syntax(protocolName: name, protocolVersion: version, transport: transport, host: host, port: port)
    }

    /// A `host`: an IPv6 reference or a hostname / IPv4 address (RFC 3261 §25.1).
    private static func host(_ scanner: inout SIPScanner) -> SIPBytes? {
        if scanner.peek == ASCII.leftBracket {
            let start = scanner.index
            scanner.index += 1
            _ = scanner.read { $0.isHexDigit || $0 == ASCII.colon || $0 == ASCII.dot }
            guard scanner.consume(ASCII.rightBracket), scanner.index > start + 2 else { return nil }
            return scanner.bytes[start..<scanner.index]
        }
        let slice = scanner.read {
            $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == ASCII.dot || $0 == UInt8(ascii: "_")
        }
        return slice.isEmpty ? nil : slice
    }
}

/// Passes a Via's parameters on, noting the first of each whose value RFC 3261 §20.42 and RFC 3581 constrain, and
/// checks those values once all are read: `ttl` 0–255, `rport` a port if it has a value, and `branch`, `received`,
/// `maddr` and `ttl` with a value. Names match as ``SIPParameters`` looks them up (ASCII case and `%HH` escapes
/// aside), so the parameter checked is the one a lookup finds.
private struct ViaParameterCheck<Parameters: SIPParameterSink>: SIPParameterSink {
    var parameters: Parameters
    // Each is absent (`nil`), a flag (`.some(nil)`), or the first such parameter's value.
    private var branch: SIPBytes??
    private var received: SIPBytes??
    private var maddr: SIPBytes??
    private var ttl: SIPBytes??
    private var rport: SIPBytes??

    init(parameters: Parameters) {
        self.parameters = parameters
    }

    mutating func append(name: SIPBytes, value: SIPBytes?) {
        self.parameters.append(name: name, value: value)
        func note(_ first: inout SIPBytes??, _ wanted: String) -> Bool {
            guard SIPParameters.matches(name, wanted) else { return false }
            if first == nil { first = .some(value) }
            return true
        }
        _ = note(&self.branch, "branch") || note(&self.rport, "rport") || note(&self.received, "received")
            || note(&self.maddr, "maddr") || note(&self.ttl, "ttl")
    }

    func validate() throws(SIPParseError) {
        func fail(_ detail: String) -> SIPParseError { .badHeader("Via", detail) }
        if case .some(.some(let value)) = self.ttl {
            guard let number = Int(string(value)), (0...255).contains(number) else { throw fail("ttl is not 0-255") }
        }
        if case .some(.some(let value)) = self.rport {
            guard let port = Int(string(value)), (1...65_535).contains(port) else { throw fail("invalid rport") }
        }
        for (first, name) in [(self.branch, "branch"), (self.received, "received"), (self.maddr, "maddr"), (self.ttl, "ttl")] {
            if case .some(.none) = first { throw fail("\(name) needs a value") }
        }
    }
}

// MARK: - SIPNameAddress

/// A `name-addr` or `addr-spec` with header parameters: the value of From, To, a Contact element, Route, ...
/// (RFC 3261 §20.10, §20.20, §20.39, §25.1).
///
/// `"Display Name" <sip:user@host;uri-param>;header-param`. Without angle brackets (`addr-spec`), the
/// parameters after the URI belong to the header, not the URI (RFC 3261 §20.10), and the URI may not
/// contain `,`, `?` or `;` (RFC 4475 §3.1.2.10).
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// The display name: unquoted and unescaped if it was a quoted string, or the tokens as written.
    public var displayName: String?
    /// The URI.
    public var uri: SIPURI
    /// The header parameters, in order: `tag`, `expires`, `q`, ...
    public var parameters: SIPParameters

    /// Creates a name-addr.
    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (RFC 3261 §19.3).
    public var tag: String? { self.parameters["tag"] }

    /// `"Display Name" <uri>;params`; the display name is quoted and escaped, the URI always in brackets.
    public var description: String {
        var text = ""
        if let displayName = self.displayName, !displayName.isEmpty {
            text += "\""
            for character in displayName.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\" "
        }
        return text + "<\(self.uri)>" + self.parameters.description
    }

    /// Parses a From, To or Contact value; `header` names the header in errors.
    public init(parsing text: some StringProtocol, header: String = "Contact") throws(SIPParseError) {
        self = try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in
            var uriParameters = SIPParameters(), uriHeaders = SIPParameters(), parameters = SIPParameters()
            let syntax = try Self.scan(
                bytes, header: header, uriParameters: &uriParameters, uriHeaders: &uriHeaders, parameters: &parameters
            )
            let uri = SIPURI(syntax.uriSyntax, of: bytes[syntax.uri], parameters: uriParameters, headers: uriHeaders)
            let displayName = syntax.displayName.map { name in
                syntax.isQuoted ? SIPScanner.unquoted(bytes[name]) : string(bytes[name])
            }
            return SIPNameAddress(displayName: displayName, uri: uri, parameters: parameters)
        }
    }

    /// Checks a From, To or Contact value as ``init(parsing:header:)`` does, without building it, and returns where
    /// its parts are in `text`'s UTF-8, for a caller that wants one of them.
    @discardableResult
    static func check(_ text: some StringProtocol, header: String) throws(SIPParseError) -> Syntax {
        try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in
            var uriParameters = SyntaxOnly(), uriHeaders = SyntaxOnly(), parameters = SyntaxOnly()
            return try Self.scan(
                bytes, header: header, uriParameters: &uriParameters, uriHeaders: &uriHeaders, parameters: &parameters
            )
        }
    }

    /// The user part of the URI in `text` that ``check(_:header:)`` found, as ``SIPURI/user`` gives it (percent-
    /// decoded), or ``SIPURI/opaque`` when the URI has none; empty when it has neither.
    static func user(in text: String, _ syntax: Syntax) -> String {
        func part(_ bytes: Range<Int>) -> String {
            let start = text.utf8.index(text.utf8.startIndex, offsetBy: bytes.lowerBound)
            return String(text[start..<text.utf8.index(start, offsetBy: bytes.count)])
        }
        if let user = syntax.uriSyntax.user { return percentDecoded(part(user)) }
        return syntax.uriSyntax.opaque.map(part) ?? ""
    }

    /// Where the parts of a name-addr or addr-spec are in its bytes.
    struct Syntax {
        var displayName: Range<Int>?
        /// Whether the display name is a `quoted-string` (quotes included in ``displayName``).
        var isQuoted: Bool
        var uri: Range<Int>
        /// The URI's parts, relative to ``uri``'s bytes.
        var uriSyntax: SIPURI.Syntax
    }

    /// The grammar of From, To and Contact values (RFC 3261 §25.1 `name-addr / addr-spec` and parameters), once
    /// for building and checking.
    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, header: String, uriParameters: inout some SIPParameterSink,
        uriHeaders: inout some SIPParameterSink, parameters: inout some SIPParameterSink
    ) throws(SIPParseError) -> Syntax {
        var scanner = SIPScanner(bytes)
        func fail(_ detail: String) -> SIPParseError { .badHeader(header, detail) }
        scanner.skipWhitespace()
        var displayName: Range<Int>?
        var isQuoted = false
        var isNameAddr = false
        if scanner.peek == ASCII.quote {
            guard let quoted = scanner.quotedString() else { throw fail("unterminated quoted display name") }
            displayName = quoted.startIndex..<quoted.endIndex
            isQuoted = true
            scanner.skipWhitespace()
            guard scanner.peek == ASCII.lessThan else { throw fail("quoted display name without <URI>") }
            isNameAddr = true
        } else {
            // `*(token LWS)` followed by `<` is a display name; anything else is an addr-spec.
            let start = scanner.index
            var end = start
            while scanner.token() != nil {
                end = scanner.index
                scanner.skipWhitespace()
            }
            if scanner.peek == ASCII.lessThan {
                isNameAddr = true
                if end > start { displayName = start..<end }
            } else {
                scanner.index = start
            }
        }
        let uriBytes: SIPBytes
        let uriSyntax: SIPURI.Syntax
        if isNameAddr {
            _ = scanner.consume(ASCII.lessThan)
            uriBytes = scanner.read { $0 != ASCII.greaterThan }
            guard scanner.consume(ASCII.greaterThan) else { throw fail("missing >") }
            do {
                uriSyntax = try SIPURI.scan(uriBytes, parameters: &uriParameters, headers: &uriHeaders)
            } catch {
                throw fail("invalid URI in <>")
            }
        } else {
            uriBytes = scanner.read { !$0.isSIPWhitespace && $0 != ASCII.semicolon }
            guard !uriBytes.contains(ASCII.question), !uriBytes.contains(ASCII.comma) else {
                throw fail("a URI with ? or , must be enclosed in <>")
            }
            do {
                uriSyntax = try SIPURI.scan(uriBytes, parameters: &uriParameters, headers: &uriHeaders)
            } catch {
                throw fail("invalid URI")
            }
        }
        try scanner.parameters(header: header, into: &parameters)
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw fail("unexpected text after the address") }
        return Syntax(
            displayName: displayName, isQuoted: isQuoted, uri: uriBytes.startIndex..<uriBytes.endIndex,
            uriSyntax: uriSyntax
        )
    }
}

// MARK: - SIPContact

/// One Contact value (RFC 3261 §20.10): an address, or `*` to remove all bindings (RFC 3261 §10.2.2).
public enum SIPContact: Sendable, Hashable, CustomStringConvertible {
    /// `Contact: *`.
    case wildcard
    /// An address with its parameters (`q`, `expires`, ...).
    case address(SIPNameAddress)

    /// The address, unless this is `*`.
    public var address: SIPNameAddress? {
        if case .address(let address) = self { address } else { nil }
    }

    /// `*` or the address.
    public var description: String {
        switch self {
        case .wildcard: "*"
        case .address(let address): address.description
        }
    }
}

// MARK: - SIPCSeq

/// The CSeq header (RFC 3261 §20.16, §8.1.1.5): a sequence number below 2³¹ and a method.
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    /// The sequence number, at most 2³¹ − 1 (RFC 3261 §8.1.1.5).
    public var number: UInt32
    /// The method; equals the request's method (RFC 3261 §8.1.1.5).
    public var method: SIPMethod

    /// Creates a CSeq. `number` must be below 2³¹.
    public init(number: UInt32, method: SIPMethod) {
        precondition(number <= Self.maximumNumber, "CSeq numbers are below 2^31 (RFC 3261 §8.1.1.5)")
        self.number = number
        self.method = method
    }

    /// The largest sequence number RFC 3261 §8.1.1.5 allows, 2³¹ − 1.
    public static let maximumNumber: UInt32 = 0x7FFF_FFFF

    /// `<number> <method>`.
    public var description: String { "\(self.number) \(self.method)" }

    /// Parses `1*DIGIT LWS Method`; leading zeros and folding are allowed (RFC 4475 §3.1.1.1).
    public init(parsing text: some StringProtocol) throws(SIPParseError) {
        self = try withUTF8Bytes(of: text) { bytes throws(SIPParseError) in try SIPCSeq(bytes: bytes) }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) throws(SIPParseError) {
        var scanner = SIPScanner(bytes)
        scanner.skipWhitespace()
        let digits = scanner.read(while: \.isASCIIDigit)
        guard !digits.isEmpty, scanner.peek?.isSIPWhitespace == true else {
            throw .badHeader("CSeq", "expected a number and a method")
        }
        var number: UInt64 = 0
        for digit in digits {
            number = number * 10 + UInt64(digit - 0x30)
            if number > UInt64(Self.maximumNumber) {
                throw SIPParseError(.valueOutOfRange, "CSeq number is 2^31 or larger", header: "CSeq")
            }
        }
        scanner.skipWhitespace()
        guard let method = scanner.token() else { throw .badHeader("CSeq", "missing method") }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw .badHeader("CSeq", "unexpected text after the method") }
        self.number = UInt32(number)
        self.method = SIPMethod(string(method))
    }
}
