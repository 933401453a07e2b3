// MARK: - Money

/// An amount of money in millionths of a currency unit (micros), never floating point.
///
/// Six decimal places hold per-minute rate-deck prices such as `0.0045` exactly. Amounts are signed: credits
/// and refunds are negative. The currency is implied by context (a rate deck, an invoice).
public struct Money: Sendable, Hashable {
    /// The amount in millionths of a currency unit: 1.25 is 1_250_000.
    public var micros: Int64

    /// The number of micros in one currency unit.
    public static let microsPerUnit: Int64 = 1_000_000

    /// Zero.
    public static let zero = Money(micros: 0)

    /// Creates an amount from millionths of a currency unit.
    public init(micros: Int64) {
        self.micros = micros
    }

    /// Parses a decimal amount: `0.0045`, `12`, `-3.50`, `$1.25`, `-$1.25`, `.5`.
    ///
    /// Surrounding whitespace is trimmed; an optional sign (`-` or `+`) and an optional `$` may precede the
    /// digits. Up to 6 decimal places are kept; further decimal places are accepted only when they are zeros
    /// (`0.00450000`), so no amount is ever rounded. Thousands separators, letters and exponents are rejected.
    ///
    /// - Throws: `MoneyError` naming the problem.
    public init(parsing text: some StringProtocol) throws(MoneyError) {
        let source = Substring(text)
        var bytes = source.utf8[...]
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        guard !bytes.isEmpty else { throw .empty }

        var negative = false
        var sawSign = false
        var sawDollar = false
        while let first = bytes.first {
            if (first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) && !sawSign {
                negative = first == UInt8(ascii: "-")
                sawSign = true
            } else if first == UInt8(ascii: "$") && !sawDollar {
                sawDollar = true
            } else {
                break
            }
            bytes.removeFirst()
        }

        var units: UInt64 = 0
        var fraction: UInt64 = 0
        var integerDigits = 0
        var fractionDigits = 0
        var sawPoint = false
        var overflow = false
        for index in bytes.indices {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = UInt64(byte - UInt8(ascii: "0"))
                if sawPoint {
                    fractionDigits += 1
                    if fractionDigits <= 6 {
                        fraction = fraction * 10 + digit
                    } else if digit != 0 {
                        throw .tooManyDecimalPlaces(fractionDigits)
                    }
                } else {
                    integerDigits += 1
                    let (times10, o1) = units.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(digit)
                    overflow = overflow || o1 || o2
                    units = sum
                }
            case UInt8(ascii: ".") where !sawPoint:
                sawPoint = true
            default:
                throw .invalidCharacter(source[index...].first ?? "?")
            }
        }
        guard integerDigits + fractionDigits > 0 else { throw .noDigits }
        guard !sawPoint || fractionDigits > 0 else { throw .missingDecimalDigits }

        for _ in min(fractionDigits, 6)..<6 { fraction *= 10 }
        let (scaled, o1) = units.multipliedReportingOverflow(by: UInt64(Self.microsPerUnit))
        let (magnitude, o2) = scaled.addingReportingOverflow(fraction)
        let limit = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        guard !overflow, !o1, !o2, magnitude <= limit else { throw .overflow }
        micros = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }
}

// MARK: - Arithmetic

extension Money: Comparable {
    /// Orders amounts by value.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.micros < rhs.micros
    }

    /// The sum; traps on overflow like integer `+` (use `adding(_:)` for untrusted amounts).
    public static func + (lhs: Money, rhs: Money) -> Money {
        Money(micros: lhs.micros + rhs.micros)
    }

    /// The difference; traps on overflow like integer `-` (use `subtracting(_:)` for untrusted amounts).
    public static func - (lhs: Money, rhs: Money) -> Money {
        Money(micros: lhs.micros - rhs.micros)
    }

    /// The negated amount.
    public static prefix func - (amount: Money) -> Money {
        Money(micros: -amount.micros)
    }

    /// Adds in place; traps on overflow.
    public static func += (lhs: inout Money, rhs: Money) {
        lhs.micros += rhs.micros
    }

    /// Subtracts in place; traps on overflow.
    public static func -= (lhs: inout Money, rhs: Money) {
        lhs.micros -= rhs.micros
    }

    /// The sum, or `MoneyError.overflow`.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        let (result, overflow) = micros.addingReportingOverflow(other.micros)
        guard !overflow else { throw .overflow }
        return Money(micros: result)
    }

    /// The difference, or `MoneyError.overflow`.
    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        let (result, overflow) = micros.subtractingReportingOverflow(other.micros)
        guard !overflow else { throw .overflow }
        return Money(micros: result)
    }

    /// The amount times a count (minutes, numbers, channels), or `MoneyError.overflow`.
    public func multiplied(by factor: Int64) throws(MoneyError) -> Money {
        let (result, overflow) = micros.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw .overflow }
        return Money(micros: result)
    }
}

// MARK: - Text and Codable

extension Money: CustomStringConvertible {
    /// The decimal amount with at least 2 and at most 6 decimal places: `0.0045`, `12.00`, `-3.50`.
    public var description: String {
        let magnitude = micros.magnitude
        let units = magnitude / UInt64(Self.microsPerUnit)
        var fraction = magnitude % UInt64(Self.microsPerUnit)
        var places = 6
        while places > 2 && fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        var digits = String(fraction)
        while digits.utf8.count < places { digits = "0" + digits }
        return (micros < 0 ? "-" : "") + String(units) + "." + digits
    }
}

extension Money: Codable {
    /// Decodes an amount from a string in any form `init(parsing:)` accepts.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Money(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the amount as its `description` string, so no JSON reader ever sees a float.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - MoneyError

/// Why a text is not a valid amount of money.
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is empty or only whitespace.
    case empty
    /// The text has a character that is not part of an amount (letters, `,`, a second `.`, `e`).
    case invalidCharacter(Character)
    /// The text has no digits (for example `$` or `-`).
    case noDigits
    /// A decimal point is not followed by digits (for example `5.`).
    case missingDecimalDigits
    /// The amount has more than 6 significant decimal places; the associated value is how many it has.
    case tooManyDecimalPlaces(Int)
    /// The amount, or the result of arithmetic, does not fit in 64 bits of micros.
    case overflow

    /// A sentence that says what is wrong.
    public var description: String {
        switch self {
        case .empty:
            "the amount is empty"
        case .invalidCharacter(let character):
            "'\(character)' is not allowed in an amount; write digits with an optional '.' and sign"
        case .noDigits:
            "the amount has no digits"
        case .missingDecimalDigits:
            "the decimal point must be followed by digits"
        case .tooManyDecimalPlaces(let places):
            "the amount has \(places) decimal places; at most 6 are allowed"
        case .overflow:
            "the amount is too large"
        }
    }
}
