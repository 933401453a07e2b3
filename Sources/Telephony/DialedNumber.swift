// MARK: - DialedNumber

/// What a dialed string asks for, the first step of routing a call ("normalize the dialed string").
///
/// Classifies the digit strings a North American caller or SIP peer sends: `N11` service codes (ATIS-0300051
/// §2), 911 and the 933 test number, 10-digit and 1 + 10-digit NANP numbers, 7-digit local dialing within the
/// caller's NPA, `+CC...` E.164 numbers and `011 CC...` international dialing (ITU-T E.164, max 15 digits).
/// Caribbean NANP numbers are their own case because they are rated as international.
public enum DialedNumber: Sendable, Hashable {
    /// 911 (also dialed as 1-911): route to the emergency provider, skipping every limit.
    case emergency
    /// 933, the emergency test number that reads back the registered address.
    case emergencyTest
    /// An `N11` service code other than 911: 211, 311, 411, 511, 611, 711 or 811.
    case serviceCode(UInt16)
    /// A geographic NANP number in the US, Canada or a US territory.
    case geographic(PhoneNumber)
    /// A toll-free number (NPA 800, 833, 844, 855, 866, 877, 888).
    case tollFree(PhoneNumber)
    /// A premium-rate number (NPA 900).
    case premium(PhoneNumber)
    /// A number in a non-US Caribbean or Atlantic NANP country: looks domestic, rated as international.
    case caribbean(PhoneNumber)
    /// A number outside the NANP, as E.164 digits without `+` (8 to 15 digits, ITU-T E.164 §6).
    case international(e164Digits: String)
    /// A valid beginning of a dial string that is too short to route yet (for example `202555`).
    case incomplete(digitsSoFar: Int)
    /// A string that can never become a routable number.
    case invalid(NumberError)

    /// Classifies a dialed string.
    ///
    /// Accepts the spellings `PhoneNumber.init(parsing:)` accepts (separators, `tel:`/`sip:` URIs, angle
    /// brackets). Seven digits are local dialing: with `callerNPA` they become a number in that NPA, without it
    /// they are `.incomplete`. For `.incomplete`, `digitsSoFar` counts every dialed digit (including `1` or
    /// `011`); for an international number that is too long, `.tooManyDigits` counts the E.164 digits.
    public init(classifying text: String, callerNPA: UInt16? = nil) {
        let dial: DialString
        do {
            dial = try DialString(scanning: text)
        } catch {
            self = .invalid(error)
            return
        }
        self = Self.classify(dial, callerNPA: callerNPA)
    }
}

// MARK: - Properties

extension DialedNumber {
    /// Whether the call goes to the emergency route: 911 and the 933 test number.
    public var isEmergency: Bool {
        switch self {
        case .emergency, .emergencyTest: true
        default: false
        }
    }

    /// The NANP number, for the geographic, toll-free, premium and Caribbean cases.
    public var phoneNumber: PhoneNumber? {
        switch self {
        case .geographic(let number), .tollFree(let number), .premium(let number), .caribbean(let number):
            number
        default:
            nil
        }
    }
}

// MARK: - Classification

extension DialedNumber {
    private static let minimumInternationalDigits = 8
    private static let maximumInternationalDigits = 15

    private static func classify(_ dial: DialString, callerNPA: UInt16?) -> DialedNumber {
        let count = dial.count
        guard count > 0 else { return dial.hasPlus ? .incomplete(digitsSoFar: 0) : .invalid(.tooFewDigits(0)) }
        if dial.hasPlus {
            if dial.digit(at: 0) == 1 {
                switch (count, dial.value) {
                case (4, 1911): return .emergency
                case (4, 1933): return .emergencyTest
                default: return national(dial, from: 1, totalDigits: count, callerNPA: nil)
                }
            }
            return international(dial, from: 0)
        }
        switch (count, dial.value) {
        case (3, 911), (4, 1911): return .emergency
        case (3, 933), (4, 1933): return .emergencyTest
        case (3, let code) where NANPCodes.isN11(UInt16(code)): return .serviceCode(UInt16(code))
        default: break
        }
        switch dial.digit(at: 0) {
        case 0:
            // Only 011 (international direct dialing) is valid after a leading 0.
            let prefixLength = min(count, 3)
            let expected: UInt64 = prefixLength == 1 ? 0 : prefixLength == 2 ? 1 : 11
            guard dial.leading(prefixLength) == expected else {
                return .invalid(.areaCodeStartsWithZeroOrOne)
            }
            guard count > 3 else { return .incomplete(digitsSoFar: count) }
            if dial.digit(at: 3) == 1 {
                return national(dial, from: 4, totalDigits: count, callerNPA: nil)
            }
            return international(dial, from: 3)
        case 1:
            return national(dial, from: 1, totalDigits: count, callerNPA: nil)
        default:
            return national(dial, from: 0, totalDigits: count, callerNPA: callerNPA, allowsLocal: true)
        }
    }

    /// Classifies the digits from `position` on as a NANP national number (or a prefix of one).
    private static func national(
        _ dial: DialString,
        from position: Int,
        totalDigits: Int,
        callerNPA: UInt16?,
        allowsLocal: Bool = false
    ) -> DialedNumber {
        let length = dial.count - position
        guard length <= 10 else { return .invalid(.tooManyDigits(totalDigits)) }
        let digits = dial.trailing(from: position)
        if length == 10 {
            do throws(NumberError) {
                return categorize(
                    try PhoneNumber(
                        npa: UInt16(digits / 10_000_000),
                        nxx: UInt16(digits / 10_000 % 1000),
                        line: UInt16(digits % 10_000)
                    )
                )
            } catch {
                return .invalid(error)
            }
        }
        if allowsLocal, length <= 7, validLocalPrefix(digits, length: length) {
            guard length == 7, let callerNPA else { return .incomplete(digitsSoFar: totalDigits) }
            do throws(NumberError) {
                return categorize(
                    try PhoneNumber(npa: callerNPA, nxx: UInt16(digits / 10_000), line: UInt16(digits % 10_000))
                )
            } catch {
                return .invalid(error)
            }
        }
        if let error = nationalPrefixError(digits, length: length) {
            return .invalid(error)
        }
        return .incomplete(digitsSoFar: totalDigits)
    }

    private static func categorize(_ number: PhoneNumber) -> DialedNumber {
        if number.isTollFree { return .tollFree(number) }
        if number.isPremium { return .premium(number) }
        if number.isCaribbean { return .caribbean(number) }
        return .geographic(number)
    }

    /// Whether `length` digits can begin a 7-digit local number `NXX-XXXX`.
    private static func validLocalPrefix(_ digits: UInt64, length: Int) -> Bool {
        guard length > 0 else { return true }
        let exchange = leading(digits, length: length, take: min(length, 3))
        return codePrefixError(exchange, length: min(length, 3), isArea: false) == nil
    }

    /// Why `length` digits cannot begin a 10-digit number `NPA-NXX-XXXX`, or `nil` when they can.
    private static func nationalPrefixError(_ digits: UInt64, length: Int) -> NumberError? {
        guard length > 0 else { return nil }
        let area = leading(digits, length: length, take: min(length, 3))
        if let error = codePrefixError(area, length: min(length, 3), isArea: true) { return error }
        guard length > 3 else { return nil }
        let exchangeLength = min(length - 3, 3)
        let divisor: UInt64 = exchangeLength == 3 ? 1000 : exchangeLength == 2 ? 100 : 10
        let exchange = leading(digits, length: length, take: 3 + exchangeLength) % divisor
        return codePrefixError(exchange, length: exchangeLength, isArea: false)
    }

    /// Checks the first `length` (1 to 3) digits of an NPA or NXX.
    private static func codePrefixError(_ code: UInt64, length: Int, isArea: Bool) -> NumberError? {
        let first = code / (length == 3 ? 100 : length == 2 ? 10 : 1)
        if first < 2 { return isArea ? .areaCodeStartsWithZeroOrOne : .exchangeStartsWithZeroOrOne }
        if length == 3, NANPCodes.isN11(UInt16(code)) {
            return isArea ? .areaCodeIsServiceCode(UInt16(code)) : .exchangeIsServiceCode(UInt16(code))
        }
        return nil
    }

    private static func leading(_ digits: UInt64, length: Int, take: Int) -> UInt64 {
        var value = digits
        for _ in 0..<(length - take) { value /= 10 }
        return value
    }

    /// Classifies the digits from `position` on as an E.164 number outside zone 1.
    private static func international(_ dial: DialString, from position: Int) -> DialedNumber {
        let length = dial.count - position
        if dial.digit(at: position) == 0 { return .invalid(.notNANP(countryCode: "0")) }
        guard length <= maximumInternationalDigits else { return .invalid(.tooManyDigits(length)) }
        guard length >= minimumInternationalDigits else { return .incomplete(digitsSoFar: dial.count) }
        return .international(e164Digits: dial.digitString(from: position))
    }
}
