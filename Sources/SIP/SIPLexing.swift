// Byte-level helpers shared by the parser, the header-value parsers and the frame decoder.
// RFC 3261 §25.1 is the grammar throughout.

// MARK: - Bytes

enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let lessThan: UInt8 = 0x3C
    static let equals: UInt8 = 0x3D
    static let greaterThan: UInt8 = 0x3E
    static let question: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let star: UInt8 = 0x2A
    static let dot: UInt8 = 0x2E
}

extension UInt8 {
    /// SP or HTAB: the whitespace of RFC 3261's LWS once CRLFs are unfolded.
    var isSIPWhitespace: Bool { self == ASCII.space || self == ASCII.tab }

    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }

    var isASCIIAlpha: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }

    var isASCIIAlphanumeric: Bool { self.isASCIIDigit || self.isASCIIAlpha }

    var isHexDigit: Bool { self.isASCIIDigit || ((self | 0x20) >= 0x61 && (self | 0x20) <= 0x66) }

    /// `token` characters (RFC 3261 §25.1): alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    var isTokenCharacter: Bool {
        switch self {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// `unreserved` (alphanum / mark) of RFC 3261 §25.1.
    var isUnreserved: Bool {
        switch self {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"),
            UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
            true
        default: false
        }
    }

    var lowercasedASCII: UInt8 { self.isASCIIAlpha ? self | 0x20 : self }

    var hexValue: UInt8 {
        if self.isASCIIDigit { return self &- 0x30 }
        return (self | 0x20) &- 0x61 &+ 10
    }
}

/// Compares two byte sequences ignoring ASCII case.
func equalsIgnoringASCIICase(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return zip(lhs, rhs).allSatisfy { $0.lowercasedASCII == $1.lowercasedASCII }
}

/// Compares two strings ignoring ASCII case (header and parameter names, RFC 3261 §7.3.1).
func equalsIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
    equalsIgnoringASCIICase(lhs.utf8, rhs.utf8)
}

/// Decodes `%HH` escapes (RFC 3261 §19.1.2); malformed escapes are kept as they are. Bytes that do not
/// form UTF-8 after decoding are replaced with U+FFFD.
func percentDecoded(_ text: String) -> String {
    guard text.utf8.contains(ASCII.percent) else { return text }
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
        if bytes[index] == ASCII.percent, index + 2 < bytes.count, bytes[index + 1].isHexDigit,
            bytes[index + 2].isHexDigit
        {
            out.append(bytes[index + 1].hexValue << 4 | bytes[index + 2].hexValue)
            index += 3
        } else {
            out.append(bytes[index])
            index += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Trims SP and HTAB from both ends of a byte slice.
func trimmedWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    var slice = bytes
    while let first = slice.first, first.isSIPWhitespace { slice.removeFirst() }
    while let last = slice.last, last.isSIPWhitespace { slice.removeLast() }
    return slice
}

// MARK: - List splitting

/// Which commas of a header value separate list elements (RFC 3261 §7.3.1): not those inside quoted strings
/// (with `\` escapes) nor inside `<...>`. Fed one byte at a time.
struct HeaderListSeparators {
    private var inQuotes = false
    private var escaped = false
    private var inAngle = false

    /// Whether `byte` is a separating comma; tracks quotes and angle brackets as it goes.
    mutating func separates(_ byte: UInt8) -> Bool {
        if inQuotes {
            if escaped {
                escaped = false
            } else if byte == ASCII.backslash {
                escaped = true
            } else if byte == ASCII.quote {
                inQuotes = false
            }
            return false
        }
        switch byte {
        case ASCII.quote: inQuotes = true
        case ASCII.lessThan: inAngle = true
        case ASCII.greaterThan: inAngle = false
        case ASCII.comma: return !inAngle
        default: break
        }
        return false
    }
}

/// Splits a header value at the commas that separate list elements. Elements are trimmed; empty ones are kept
/// so typed parsers can reject them.
func splitHeaderList(_ value: String) -> [Substring] {
    var result: [Substring] = []
    forEachHeaderListElement(value) { result.append($0) }
    return result
}

/// Calls `body` with each element of a header value's list, as ``splitHeaderList(_:)`` splits it (trimmed, empty
/// ones included), without building an array of them.
func forEachHeaderListElement<Failure: Error>(
    _ value: String, _ body: (Substring) throws(Failure) -> Void
) throws(Failure) {
    var separators = HeaderListSeparators()
    let utf8 = value.utf8
    var start = utf8.startIndex
    var index = start
    while index != utf8.endIndex {
        if separators.separates(utf8[index]) {
            try body(trimmed(value[start..<index]))
            start = utf8.index(after: index)
        }
        index = utf8.index(after: index)
    }
    try body(trimmed(value[start..<utf8.endIndex]))
}

/// Counts the non-empty list elements of a header value, as ``splitHeaderList(_:)`` would split it, without
/// allocating. Used to enforce the Via and Contact limits while parsing.
func countHeaderListElements(_ bytes: UnsafeRawBufferPointer) -> Int {
    var count = 0
    var separators = HeaderListSeparators()
    var elementHasContent = false
    for byte in bytes {
        if separators.separates(byte) {
            if elementHasContent { count += 1 }
            elementHasContent = false
        } else if !byte.isSIPWhitespace {
            elementHasContent = true
        }
    }
    if elementHasContent { count += 1 }
    return count
}

func trimmed(_ text: Substring) -> Substring {
    var utf8 = text.utf8[...]
    while let first = utf8.first, first.isSIPWhitespace { utf8 = utf8.dropFirst() }
    while let last = utf8.last, last.isSIPWhitespace { utf8 = utf8.dropLast() }
    return Substring(utf8)
}

// MARK: - Bytes in place

/// The bytes of a header value or URI being parsed: a slice of memory that stays put while the parser runs, so
/// that slicing neither copies nor counts references.
typealias SIPBytes = Slice<UnsafeBufferPointer<UInt8>>

/// Runs `body` over the UTF-8 bytes of `text` where they are stored; text that is not stored contiguously (bridged
/// or foreign strings) is copied first.
func withUTF8Bytes<Result>(
    of text: some StringProtocol, _ body: (UnsafeBufferPointer<UInt8>) throws(SIPParseError) -> Result
) throws(SIPParseError) -> Result {
    let inPlace = text.utf8.withContiguousStorageIfAvailable { bytes in
        Swift.Result { () throws(SIPParseError) in try body(bytes) }
    }
    if let inPlace { return try inPlace.get() }
    return try Array(text.utf8).withUnsafeBufferPointer { bytes throws(SIPParseError) in try body(bytes) }
}

/// The bytes as a `String` (they are ASCII or already checked).
func string(_ bytes: SIPBytes) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes), as: UTF8.self)
}

// MARK: - Parameter sinks

/// Where a parser puts the `name[=value]` parameters it reads (RFC 3261 §19.1.1, §7.3.1): ``SIPParameters``
/// keeps them, ``SyntaxOnly`` drops them, so that one grammar serves both building values and checking syntax.
protocol SIPParameterSink {
    /// Takes one parameter, its name and value (if any) as written.
    mutating func append(name: SIPBytes, value: SIPBytes?)
}

extension SIPParameters: SIPParameterSink {
    mutating func append(name: SIPBytes, value: SIPBytes?) {
        self.append(name: string(name), value: value.map(string))
    }
}

/// A sink that keeps nothing: the parse it is given to checks syntax without building values.
struct SyntaxOnly: SIPParameterSink {
    func append(name: SIPBytes, value: SIPBytes?) {}
}

// MARK: - Scanner

/// A cursor over the bytes of one header value, for the typed header parsers. It reads the bytes in place
/// (``withUTF8Bytes(of:_:)``) and hands back slices of them; the parsers make strings only of what they keep.
struct SIPScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { self.index >= self.bytes.count }

    var peek: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    /// Skips SP and HTAB (LWS after unfolding).
    mutating func skipWhitespace() {
        while self.index < self.bytes.count, self.bytes[self.index].isSIPWhitespace { self.index += 1 }
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard self.peek == byte else { return false }
        self.index += 1
        return true
    }

    /// Consumes `byte` surrounded by optional whitespace (SEMI, COLON, SLASH, EQUAL, ... of §25.1).
    mutating func consumeSeparator(_ byte: UInt8) -> Bool {
        let saved = self.index
        self.skipWhitespace()
        if self.consume(byte) {
            self.skipWhitespace()
            return true
        }
        self.index = saved
        return false
    }

    /// Reads bytes while `predicate` holds.
    mutating func read(while predicate: (UInt8) -> Bool) -> SIPBytes {
        let start = self.index
        while self.index < self.bytes.count, predicate(self.bytes[self.index]) { self.index += 1 }
        return self.bytes[start..<self.index]
    }

    /// Reads a non-empty `token`.
    mutating func token() -> SIPBytes? {
        let slice = self.read(while: \.isTokenCharacter)
        return slice.isEmpty ? nil : slice
    }

    /// Reads a `quoted-string` (RFC 3261 §25.1) and returns it as written, quotes included; ``unquoted(_:)`` gives
    /// its text. Returns `nil` if the quote is not closed or a `quoted-pair` escapes CR, LF or a non-ASCII byte.
    mutating func quotedString() -> SIPBytes? {
        guard self.peek == ASCII.quote else { return nil }
        let start = self.index
        self.index += 1
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == ASCII.backslash {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                guard self.index + 1 < self.bytes.count else { return nil }
                let escapedByte = self.bytes[self.index + 1]
                guard escapedByte <= 0x7F, escapedByte != ASCII.cr, escapedByte != ASCII.lf else { return nil }
                self.index += 2
            } else if byte == ASCII.quote {
                self.index += 1
                return self.bytes[start..<self.index]
            } else {
                self.index += 1
            }
        }
        return nil
    }

    /// The text of a `quoted-string` that ``quotedString()`` read: without its quotes, `quoted-pair`s unescaped.
    static func unquoted(_ quoted: SIPBytes) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(quoted.count)
        var index = quoted.startIndex + 1
        while index < quoted.endIndex - 1 {
            if quoted[index] == ASCII.backslash { index += 1 }
            text.append(quoted[index])
            index += 1
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Reads a parameter value: a `token`, a `host` (including an IPv6 reference) or a `quoted-string`,
    /// kept as written (RFC 3261 §25.1 `gen-value`).
    mutating func parameterValue() -> SIPBytes? {
        if self.peek == ASCII.quote {
            return self.quotedString()
        }
        let slice = self.read {
            $0.isTokenCharacter || $0 == ASCII.colon || $0 == ASCII.leftBracket || $0 == ASCII.rightBracket
        }
        return slice.isEmpty ? nil : slice
    }

    /// Reads `*( SEMI generic-param )` (RFC 3261 §25.1) into `parameters`. Stops before anything that does
    /// not start a parameter; throws if a parameter after a `;` is malformed.
    mutating func parameters(header: String, into parameters: inout some SIPParameterSink) throws(SIPParseError) {
        while self.consumeSeparator(ASCII.semicolon) {
            guard let name = self.token() else {
                throw .badHeader(header, "empty or invalid parameter name")
            }
            var value: SIPBytes?
            if self.consumeSeparator(ASCII.equals) {
                guard let parsed = self.parameterValue() else {
                    throw .badHeader(header, "invalid value for parameter \(string(name).prefix(32))")
                }
                value = parsed
            }
            parameters.append(name: name, value: value)
        }
    }
}
