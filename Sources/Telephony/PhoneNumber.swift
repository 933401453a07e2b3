// MARK: - PhoneNumber

/// A North American Numbering Plan telephone number, `NPA-NXX-XXXX`.
///
/// The three fields follow the NANP numbering plan (ATIS-0300051, "Central Office Code Assignment Guidelines"):
/// the numbering plan area (area code) and the central office code (exchange) both have the form `NXX`, where
/// `N` is 2-9, and neither may be an `N11` service code. The E.164 form is `+1NPANXXXXXX` (ITU-T E.164).
///
/// The value is three `UInt16`s: it never allocates, and hashes and compares cheaply.
public struct PhoneNumber: Sendable, Hashable {
    /// The numbering plan area (area code), 200-999, never `N11`.
    public let npa: UInt16
    /// The central office code (exchange), 200-999, never `N11`.
    public let nxx: UInt16
    /// The line number (subscriber number), 0-9999.
    public let line: UInt16

    /// Creates a number from its three fields, validating NANP rules.
    ///
    /// The NPA and NXX must have the form `NXX` (first digit 2-9) and must not be `N11` service codes
    /// (211, 311, ..., 911), as ATIS-0300051 §2 reserves them; the line must be 0...9999.
    public init(npa: UInt16, nxx: UInt16, line: UInt16) throws(NumberError) {
        try Self.validate(npa: npa, nxx: nxx, line: line)
        self.npa = npa
        self.nxx = nxx
        self.line = line
    }

    /// Parses a number written the way people and SIP peers write it.
    ///
    /// Accepts 10 digits, 1 + 10 digits, `+1` + 10 digits, with the visual separators space, `-`, `.`, `(` and
    /// `)` anywhere (RFC 3966 §5.1.1 visual separators), surrounding whitespace, `tel:` URIs with parameters
    /// (RFC 3966), `sip:`/`sips:` URIs whose user part is the number (RFC 3261 §19.1, RFC 4694 `;npdi;rn=`
    /// user parameters are ignored: the user part ends at the first `;` or `@`), optionally in angle brackets.
    ///
    /// - Throws: the `NumberError` that names exactly what is wrong with the text.
    public init(parsing text: String) throws(NumberError) {
        let dial = try DialString(scanning: text)
        self = try Self.nanp(from: dial)
    }

    /// Parses a number out of part of a text, as `init(parsing:)` does.
    public init(parsing text: Substring) throws(NumberError) {
        try self.init(parsing: String(text))
    }

    /// Creates a number from its digits: 10 digits (2025550143) or 1 + 10 digits (12025550143).
    ///
    /// Returns `nil` when the value is not a valid NANP number.
    public init?(digits: UInt64) {
        var national = digits
        if national >= 10_000_000_000 {
            guard national / 10_000_000_000 == 1 else { return nil }
            national %= 10_000_000_000
        }
        guard let number = try? PhoneNumber(
            npa: UInt16(national / 10_000_000),
            nxx: UInt16(national / 10_000 % 1000),
            line: UInt16(national % 10_000)
        ) else { return nil }
        self = number
    }
}

// MARK: - Derived forms

extension PhoneNumber {
    /// The E.164 form (ITU-T E.164, RFC 3966 global number): `+12025550143`.
    public var e164: String {
        String(unsafeUninitializedCapacity: 12) { writeE164(into: $0, at: 0) }
    }

    /// Writes the E.164 form (12 bytes) at `offset` in `buffer` and returns the offset after it, so that text
    /// holding a number among other text (a SIP Contact's user part, say) is built in one allocation.
    public func writeE164(into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        buffer[offset] = UInt8(ascii: "+")
        buffer[offset + 1] = UInt8(ascii: "1")
        return NANPCode.write(digits, count: 10, into: buffer, at: offset + 2)
    }

    /// The 10-digit national form: `2025550143`.
    public var national: String {
        String(unsafeUninitializedCapacity: 10) { NANPCode.write(digits, count: 10, into: $0, at: 0) }
    }

    /// The 10-digit number as an integer: 2025550143.
    public var digits: UInt64 {
        UInt64(npa) * 10_000_000 + UInt64(nxx) * 10_000 + UInt64(line)
    }

    /// The six digits that name the central office code in LERG and NANPA files: `202555`.
    public var npaNXX: String {
        NANPCode.digits(UInt32(npa) * 1000 + UInt32(nxx), count: 6)
    }

    /// The thousands-block digit (the first digit of the line), used by number pooling (ATIS-0300066).
    public var thousandsBlock: UInt8 {
        UInt8(line / 1000)
    }

    /// Whether the number is in the range reserved for fiction, `NXX-555-0100` to `NXX-555-0199`.
    ///
    /// NANPA reserves 555-0100 through 555-0199 for fictitious use in every NPA.
    public var isFictional: Bool {
        nxx == 555 && (100...199).contains(line)
    }

    /// Whether the NPA is a toll-free code: 800, 833, 844, 855, 866, 877 or 888 (SMS/800 toll-free NPAs).
    public var isTollFree: Bool {
        NANPCodes.isTollFree(npa)
    }

    /// Whether the NPA is 900, the premium-rate service code.
    public var isPremium: Bool {
        npa == 900
    }

    /// Whether the NPA belongs to a non-US Caribbean or Atlantic NANP country.
    ///
    /// Calls to these NPAs (for example 876 Jamaica, 809/829/849 Dominican Republic) look domestic but are
    /// rated as international, a classic fraud vector. US territories (340, 670, 671, 684, 787, 939) are not
    /// included.
    public var isCaribbean: Bool {
        NANPCodes.isCaribbean(npa)
    }
}

// MARK: - Comparable, strings, Codable

extension PhoneNumber: Comparable {
    /// Orders numbers by their digits.
    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool {
        (lhs.npa, lhs.nxx, lhs.line) < (rhs.npa, rhs.nxx, rhs.line)
    }
}

extension PhoneNumber: CustomStringConvertible, LosslessStringConvertible {
    /// The E.164 form, `+12025550143`.
    public var description: String {
        e164
    }

    /// Parses any spelling that `init(parsing:)` accepts; `nil` when the text is not a NANP number.
    public init?(_ description: String) {
        guard let number = try? PhoneNumber(parsing: description) else { return nil }
        self = number
    }
}

extension PhoneNumber: Codable {
    /// Decodes a number from a string in any spelling that `init(parsing:)` accepts.
    ///
    /// Bad input throws `DecodingError.dataCorrupted` whose debug description is the `NumberError`'s sentence.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try PhoneNumber(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the number as its E.164 string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

// MARK: - Validation

extension PhoneNumber {
    static func validate(npa: UInt16, nxx: UInt16, line: UInt16) throws(NumberError) {
        guard (200...999).contains(npa) else { throw .areaCodeStartsWithZeroOrOne }
        guard !NANPCodes.isN11(npa) else { throw .areaCodeIsServiceCode(npa) }
        guard (200...999).contains(nxx) else { throw .exchangeStartsWithZeroOrOne }
        guard !NANPCodes.isN11(nxx) else { throw .exchangeIsServiceCode(nxx) }
        guard line <= 9999 else { throw .lineOutOfRange }
    }

    /// Interprets scanned digits as a complete NANP number, or names why they are not one.
    static func nanp(from dial: DialString) throws(NumberError) -> PhoneNumber {
        if dial.hasPlus {
            guard dial.count > 0 else { throw .tooFewDigits(0) }
            guard dial.digit(at: 0) == 1 else { throw .notNANP(countryCode: dial.countryCode(from: 0)) }
            guard dial.count >= 11 else { throw .tooFewDigits(dial.count) }
            guard dial.count == 11 else { throw .tooManyDigits(dial.count) }
        } else {
            if dial.count >= 4, dial.leading(3) == 11 {
                throw .notNANP(countryCode: dial.countryCode(from: 3))
            }
            guard dial.count >= 10 else { throw .tooFewDigits(dial.count) }
            guard dial.count <= 11, dial.count == 10 || dial.digit(at: 0) == 1 else {
                throw .tooManyDigits(dial.count)
            }
        }
        let national = dial.value % 10_000_000_000
        return try PhoneNumber(
            npa: UInt16(national / 10_000_000),
            nxx: UInt16(national / 10_000 % 1000),
            line: UInt16(national % 10_000)
        )
    }
}

// MARK: - NumberError

/// Why a text is not a valid NANP telephone number (or dial string).
///
/// Each case names one precise problem; `description` is a sentence fit to show a customer.
public enum NumberError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is empty or only whitespace.
    case empty
    /// The text contains letters, as in vanity spellings like `1-800-FLOWERS`.
    case containsLetters
    /// The text contains a character that is neither a digit nor a visual separator (RFC 3966 §5.1.1).
    case invalidCharacter(Character)
    /// The text has fewer digits than a complete number; the associated value is the count found.
    case tooFewDigits(Int)
    /// The text has more digits than a complete number; the associated value is the count found.
    case tooManyDigits(Int)
    /// The number is in another country (`+44...`, `011 44...`); the associated value is the country code.
    case notNANP(countryCode: String)
    /// The area code starts with 0 or 1, which the NANP does not allow.
    case areaCodeStartsWithZeroOrOne
    /// The area code is an `N11` service code (211 ... 911).
    case areaCodeIsServiceCode(UInt16)
    /// The exchange (central office code) starts with 0 or 1, which the NANP does not allow.
    case exchangeStartsWithZeroOrOne
    /// The exchange is an `N11` service code (211 ... 911).
    case exchangeIsServiceCode(UInt16)
    /// The line number is not in 0...9999.
    case lineOutOfRange

    /// A sentence that says what is wrong.
    public var description: String {
        switch self {
        case .empty:
            "the number is empty"
        case .containsLetters:
            "the number contains letters; spell vanity numbers with digits"
        case .invalidCharacter(let character):
            "'\(character)' is not allowed in a telephone number"
        case .tooFewDigits(let count):
            "the number has \(count) digit\(count == 1 ? "" : "s"), too few for a North American number"
        case .tooManyDigits(let count):
            "the number has \(count) digits, too many for a North American number"
        case .notNANP(let countryCode):
            "country code +\(countryCode) is not a North American (+1) number"
        case .areaCodeStartsWithZeroOrOne:
            "the area code starts with 0 or 1; North American area codes start with 2-9"
        case .areaCodeIsServiceCode(let code):
            "area code \(code) is an N11 service code, not an area code"
        case .exchangeStartsWithZeroOrOne:
            "the exchange starts with 0 or 1; North American exchanges start with 2-9"
        case .exchangeIsServiceCode(let code):
            "exchange \(code) is an N11 service code, not an exchange"
        case .lineOutOfRange:
            "the line number must be 0000 to 9999"
        }
    }
}

// MARK: - NANP code tables

/// Fixed code sets from the NANP plan itself (not reference data, which is imported).
enum NANPCodes: Sendable {
    static func isN11(_ code: UInt16) -> Bool {
        code >= 211 && code <= 911 && code % 100 == 11
    }

    static func isTollFree(_ npa: UInt16) -> Bool {
        switch npa {
        case 800, 833, 844, 855, 866, 877, 888: true
        default: false
        }
    }

    static func isCaribbean(_ npa: UInt16) -> Bool {
        switch npa {
        case 242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869,
            876:
            true
        default:
            false
        }
    }

    /// The length of the ITU-T E.164 country code that starts with the given digits.
    ///
    /// Zones 1 and 7 use one digit; a fixed set of two-digit codes exists in zones 2-9; all others use three.
    static func countryCodeLength(first: UInt8, second: UInt8) -> Int {
        switch (first, second) {
        case (0, _), (1, _), (7, _): 1
        case (2, 0), (2, 7): 2
        case (3, 0...4), (3, 6), (3, 9): 2
        case (4, 0), (4, 1), (4, 3...9): 2
        case (5, 1...8): 2
        case (6, 0...6): 2
        case (8, 1), (8, 2), (8, 4), (8, 6): 2
        case (9, 0...5), (9, 8): 2
        default: 3
        }
    }
}

// MARK: - DialString

/// The digits of a dial string, scanned out of whatever spelling carried them.
///
/// Holds up to 19 digits in a `UInt64` (leading zeros are kept by `count`), so scanning never allocates.
struct DialString: Sendable {
    /// Whether the digits were preceded by `+` (an E.164 global number).
    var hasPlus = false
    /// The first `min(count, 19)` digits as an integer.
    var value: UInt64 = 0
    /// How many digits the text had.
    var count = 0

    private static let maximumStored = 19

    init(scanning text: String) throws(NumberError) {
        var text = text
        self = try text.withUTF8 { Self.scan($0) }.get()
    }

    private init() {}

    /// Scans the user part out of a text's UTF-8 bytes, as `PhoneNumber.init(parsing:)` describes: trims
    /// whitespace, takes what is inside angle brackets, and the user part of `tel:`, `sip:` and `sips:` URIs
    /// (up to the first `;` or `@`).
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<DialString, NumberError> {
        // Numbers from SIP peers and APIs are ASCII, scanned in place; text with Unicode whitespace has it
        // made plain spaces first, so that it is trimmed and separates digits alike.
        if bytes.contains(where: { $0 >= 0x80 }) {
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains(where: { !$0.isASCII && $0.isWhitespace }) {
                var plain = String(text.map { $0.isWhitespace ? " " : $0 })
                return plain.withUTF8 { scan($0) }
            }
        }
        var user = trimmed(bytes[...])
        if let open = user.firstIndex(of: UInt8(ascii: "<")),
            let close = user[open...].firstIndex(of: UInt8(ascii: ">"))
        {
            // A name-addr (RFC 3261 §25.1): `"Display" <uri>;params`; the URI is between the brackets.
            user = trimmed(user[(open + 1)..<close])
        }
        let schemeLength =
            if hasPrefix(user, caseInsensitive: "tel:") || hasPrefix(user, caseInsensitive: "sip:") {
                4
            } else if hasPrefix(user, caseInsensitive: "sips:") {
                5
            } else {
                0
            }
        if schemeLength > 0 {
            let rest = user.dropFirst(schemeLength)
            let end = rest.firstIndex(where: { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "@") }) ?? rest.endIndex
            user = trimmed(rest[..<end])
        }
        guard !user.isEmpty else { return .failure(.empty) }
        var dial = DialString()
        // A range rather than `user.indices`: that getter of `Slice` reaches here unspecialized, and looks up
        // the metadata of its index types on every call (half the cost of scanning a number).
        for index in user.startIndex..<user.endIndex {
            do {
                try dial.add(user[index])
            } catch {
                guard user[index] >= 0x80 else { return .failure(error) }
                // Not ASCII: name the whole character, and whether it is a letter.
                let scalar = String(decoding: user[index...], as: UTF8.self).unicodeScalars.first!
                return .failure(scalar.properties.isAlphabetic ? .containsLetters : .invalidCharacter(Character(scalar)))
            }
        }
        return .success(dial)
    }

    /// Adds one byte of the user part: a digit, a visual separator or a leading `+`.
    @inline(__always)
    private mutating func add(_ byte: UInt8) throws(NumberError) {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if count < Self.maximumStored {
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            }
            count += 1
        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"):
            break
        case UInt8(ascii: "+") where count == 0 && !hasPlus:
            hasPlus = true
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            throw .containsLetters
        default:
            throw .invalidCharacter(Character(Unicode.Scalar(byte)))
        }
    }

    /// The number of digits held in `value`.
    var stored: Int { Swift.min(count, Self.maximumStored) }

    /// The digit at a position counted from the first digit; the position must be below `stored`.
    func digit(at position: Int) -> UInt8 {
        UInt8(value / Self.power(stored - 1 - position) % 10)
    }

    /// The first `length` digits as an integer (leading zeros vanish, so "011" is 11).
    func leading(_ length: Int) -> UInt64 {
        value / Self.power(stored - length)
    }

    /// The digits from a position to the end, as an integer (only meaningful while `count <= 19`).
    func trailing(from position: Int) -> UInt64 {
        value % Self.power(stored - position)
    }

    /// The digits from a position to the end, as text.
    func digitString(from position: Int) -> String {
        var text = ""
        text.reserveCapacity(stored - position)
        for index in position..<stored {
            text.unicodeScalars.append(Unicode.Scalar(48 + digit(at: index)))
        }
        return text
    }

    /// The E.164 country code that starts at a position (as much of it as was dialed).
    func countryCode(from position: Int) -> String {
        guard position < stored else { return "" }
        let second = position + 1 < stored ? digit(at: position + 1) : 0
        let length = NANPCodes.countryCodeLength(first: digit(at: position), second: second)
        var text = ""
        for index in position..<Swift.min(position + length, stored) {
            text.unicodeScalars.append(Unicode.Scalar(48 + digit(at: index)))
        }
        return text
    }

    private static func power(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<Swift.max(exponent, 0) { result &*= 10 }
        return result
    }

    /// Trims the ASCII whitespace `Character.isWhitespace` accepts: tab, line feed, vertical tab, form feed,
    /// carriage return and space.
    private static func trimmed(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Slice<UnsafeBufferPointer<UInt8>> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        var bytes = bytes
        while let first = bytes.first, isSpace(first) { bytes.removeFirst() }
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        return bytes
    }

    private static func hasPrefix(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, caseInsensitive prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return zip(bytes, UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)).allSatisfy {
            ((65...90).contains($0) ? $0 + 32 : $0) == $1
        }
    }
}

// MARK: - Codes as text

/// NANP codes written as fixed-width digit strings, as LERG and NANPA files and the store spell them.
public enum NANPCode {
    /// A three-digit code (NPA or NXX) with its leading zeros: `7` is `"007"`.
    public static func text(_ code: UInt16) -> String {
        digits(UInt32(code), count: 3)
    }

    /// `value` as exactly `count` decimal digits, zero-padded, without intermediate allocations.
    static func digits(_ value: UInt32, count: Int) -> String {
        String(unsafeUninitializedCapacity: count) { write(UInt64(value), count: count, into: $0, at: 0) }
    }

    /// Writes `value` as exactly `count` decimal digits, zero-padded, at `offset` in `buffer`; returns the offset
    /// after them.
    static func write(
        _ value: UInt64, count: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) -> Int {
        var value = value
        for index in stride(from: offset + count - 1, through: offset, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        return offset + count
    }
}
