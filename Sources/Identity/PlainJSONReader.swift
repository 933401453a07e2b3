/// Reads JSON as PASSporT signers write it (RFC 8225 §9): objects of known keys whose values are strings without
/// escapes, arrays of them, integers, `null` and nested objects of the same. It reads a token's header and claims
/// in a fraction of `JSONDecoder`'s time, which is most of what verifying costs besides the signature.
///
/// It declines everything else (escapes, fractions and exponents, unknown or repeated keys, a byte-order mark) by
/// throwing ``Declined``; the caller then decodes with `JSONDecoder`, which decides as it always has. What this reader
/// accepts is strict RFC 8259 JSON that `JSONDecoder` reads to the same values, so the two never disagree.
struct PlainJSONReader {
    /// The document is not in the plain form this reader reads; `JSONDecoder` decides.
    struct Declined: Error {}

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads `json` as one object. `member` reads the value of each member (the reader at it) and returns the
    /// key's number (below 32), so that a repeated key is declined; it declines keys it does not know.
    static func readObject(_ json: [UInt8], _ member: (String, inout Self) throws(Declined) -> Int) throws(Declined) {
        var reader = Self(json)
        guard try reader.openObject() else { throw Declined() }
        try members(of: &reader, member)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw Declined() }
    }

    /// Reads the members of the object `reader` has opened, through its `}`, declining a repeated key (`JSONDecoder`
    /// takes the first; declining leaves the choice to it).
    private static func members(
        of reader: inout Self, _ member: (String, inout Self) throws(Declined) -> Int
    ) throws(Declined) {
        var first = true
        var seen: UInt32 = 0
        while let key = try reader.nextKey(first: &first) {
            let number = try member(key, &reader)
            guard seen & 1 << number == 0 else { throw Declined() }
            seen |= 1 << number
        }
    }

    /// Moves past the `{` that opens an object; `false` (and past it) for `null`.
    private mutating func openObject() throws(Declined) -> Bool {
        skipWhitespace()
        if try null() { return false }
        try expect(UInt8(ascii: "{"))
        return true
    }

    /// The key of the object's next member, the reader then at its value; `nil` past the `}` that closes the
    /// object. `first` is true until the first member is read.
    private mutating func nextKey(first: inout Bool) throws(Declined) -> String? {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        guard let key = try string() else { throw Declined() }
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// A string, an array of strings or an integer, or `nil` for `null`.
    mutating func value<Value: PlainJSONValue>() throws(Declined) -> Value? {
        try Value.read(from: &self)
    }

    /// An object whose only member may be `name`: `nil` for `null`, `.some(nil)` when the member is absent or
    /// `null`.
    mutating func object<Value: PlainJSONValue>(member name: String) throws(Declined) -> Value?? {
        guard try openObject() else { return nil }
        var member: Value?
        try Self.members(of: &self) { key, reader throws(Declined) in
            guard key == name else { throw Declined() }
            member = try reader.value()
            return 0
        }
        return .some(member)
    }

    /// A string without escapes, or `nil` for `null`.
    mutating func string() throws(Declined) -> String? {
        skipWhitespace()
        if try null() { return nil }
        try expect(UInt8(ascii: "\""))
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "\"") {
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { throw Declined() }
            index += 1
        }
        try expect(UInt8(ascii: "\""))
        guard let text = String(validating: bytes[start..<index - 1], as: UTF8.self) else { throw Declined() }
        return text
    }

    /// An array of strings, or `nil` for `null`.
    mutating func strings() throws(Declined) -> [String]? {
        skipWhitespace()
        if try null() { return nil }
        try expect(UInt8(ascii: "["))
        var strings: [String] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return strings
        }
        repeat {
            guard let string = try string() else { throw Declined() }
            strings.append(string)
            skipWhitespace()
        } while comma()
        try expect(UInt8(ascii: "]"))
        return strings
    }

    /// An integer without fraction or exponent that fits 64 bits, or `nil` for `null`.
    mutating func integer() throws(Declined) -> Int64? {
        skipWhitespace()
        if try null() { return nil }
        let negative = peek() == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value: Int64 = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, carry) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow, !carry else { throw Declined() }
            value = next
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { throw Declined() }
        if let byte = peek(), byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            throw Declined()
        }
        return value
    }

    // MARK: - Bytes

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Declined) {
        guard peek() == byte else { throw Declined() }
        index += 1
    }

    /// Moves past a `,` if one is next.
    private mutating func comma() -> Bool {
        guard peek() == UInt8(ascii: ",") else { return false }
        index += 1
        return true
    }

    /// Moves past `null` if it is next.
    private mutating func null() throws(Declined) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        let end = index + 4
        guard end <= bytes.count, bytes[index..<end].elementsEqual("null".utf8) else { throw Declined() }
        index = end
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
        {
            index += 1
        }
    }
}

/// A value ``PlainJSONReader`` reads.
protocol PlainJSONValue {
    /// The value next in `reader`, or `nil` for `null`.
    static func read(from reader: inout PlainJSONReader) throws(PlainJSONReader.Declined) -> Self?
}

extension String: PlainJSONValue {
    static func read(from reader: inout PlainJSONReader) throws(PlainJSONReader.Declined) -> Self? {
        try reader.string()
    }
}

extension [String]: PlainJSONValue {
    static func read(from reader: inout PlainJSONReader) throws(PlainJSONReader.Declined) -> Self? {
        try reader.strings()
    }
}

extension Int64: PlainJSONValue {
    static func read(from reader: inout PlainJSONReader) throws(PlainJSONReader.Declined) -> Self? {
        try reader.integer()
    }
}
