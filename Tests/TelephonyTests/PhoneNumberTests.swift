import Foundation
import Testing

import Telephony

// MARK: - Parsing vectors

/// One spelling and what parsing it must produce.
struct NumberVector: Sendable, CustomTestStringConvertible {
    let text: String
    let expected: Result<String, NumberError>

    var testDescription: String { "\(text.debugDescription) -> \(expected)" }

    static func valid(_ text: String, _ e164: String = "+12025550143") -> NumberVector {
        NumberVector(text: text, expected: .success(e164))
    }

    static func invalid(_ text: String, _ error: NumberError) -> NumberVector {
        NumberVector(text: text, expected: .failure(error))
    }
}

private let numberVectors: [NumberVector] = [
    // People's spellings.
    .valid("+1 (202) 555-0143"),
    .valid("202.555.0143"),
    .valid("202-555-0143"),
    .valid("2025550143"),
    .valid("12025550143"),
    .valid("1-202-555-0143"),
    .valid("+12025550143"),
    .valid("(202) 555-0143"),
    .valid("1 (202) 555 0143"),
    .valid("+1.202.555.0143"),
    .valid("  2025550143  "),
    .valid("\t+1 202 555 0143\n"),
    // URIs.
    .valid("tel:+1-202-555-0143"),
    .valid("tel:2025550143;phone-context=+1"),
    .valid("tel:+12025550143;ext=22"),
    .valid("TEL:+12025550143"),
    .valid("sip:+12025550143@sip.example.com;user=phone"),
    .valid("sip:2025550143;npdi;rn=+12025551000@10.0.0.1:5060"),
    .valid("sips:+12025550143@example.com"),
    .valid("SIP:+12025550143@EXAMPLE.COM"),
    .valid("<sip:+12025550143@example.com>"),
    .valid("<tel:+12025550143>"),
    .valid("\"Alice\" <sip:+12025550143@example.com;user=phone>;tag=a6c85cf"),
    .valid("sip:9725550199@10.0.0.1", "+19725550199"),
    // Other valid numbers.
    .valid("8005551234", "+18005551234"),
    .valid("+1 876 555 1234", "+18765551234"),
    .valid("999-999-9999", "+19999999999"),
    .valid("200-200-0000", "+12002000000"),
    // Empty and characters.
    .invalid("", .empty),
    .invalid("   ", .empty),
    .invalid("tel:", .empty),
    .invalid("sip:@example.com", .empty),
    .invalid("1-800-FLOWERS", .containsLetters),
    .invalid("202-555-01x3", .containsLetters),
    .invalid("sip:alice@example.com", .containsLetters),
    .invalid("+1 202 555 0143 ext 5", .containsLetters),
    .invalid("*67 202 555 0143", .invalidCharacter("*")),
    .invalid("202#5550143", .invalidCharacter("#")),
    .invalid("202/555/0143", .invalidCharacter("/")),
    .invalid("202_555_0143", .invalidCharacter("_")),
    .invalid("+1+2025550143", .invalidCharacter("+")),
    .invalid("2025550143+", .invalidCharacter("+")),
    // Digit counts.
    .invalid("+", .tooFewDigits(0)),
    .invalid("()", .tooFewDigits(0)),
    .invalid("202555014", .tooFewDigits(9)),
    .invalid("555-0143", .tooFewDigits(7)),
    .invalid("+1202555014", .tooFewDigits(10)),
    .invalid("202555014311", .tooManyDigits(12)),
    .invalid("22025550143", .tooManyDigits(11)),
    .invalid("+120255501431", .tooManyDigits(12)),
    // Other countries.
    .invalid("+441234567890", .notNANP(countryCode: "44")),
    .invalid("011441234567890", .notNANP(countryCode: "44")),
    .invalid("+33 1 23 45 67 89", .notNANP(countryCode: "33")),
    .invalid("+353 1 234 5678", .notNANP(countryCode: "353")),
    .invalid("+7 495 123 4567", .notNANP(countryCode: "7")),
    .invalid("tel:+2025550143", .notNANP(countryCode: "20")),
    // NANP structure.
    .invalid("0125550143", .areaCodeStartsWithZeroOrOne),
    .invalid("1125550143", .areaCodeStartsWithZeroOrOne),
    .invalid("9115550143", .areaCodeIsServiceCode(911)),
    .invalid("4115550143", .areaCodeIsServiceCode(411)),
    .invalid("+1 911 555 0143", .areaCodeIsServiceCode(911)),
    .invalid("2020550143", .exchangeStartsWithZeroOrOne),
    .invalid("2021550143", .exchangeStartsWithZeroOrOne),
    .invalid("2024110143", .exchangeIsServiceCode(411)),
    .invalid("1-202-911-0143", .exchangeIsServiceCode(911)),
]

@Suite("PhoneNumber parsing")
struct PhoneNumberParsingTests {
    @Test("parses each spelling to the exact number or error", arguments: numberVectors)
    func vector(_ vector: NumberVector) {
        let result: Result<String, NumberError>
        do {
            result = .success(try PhoneNumber(parsing: vector.text).e164)
        } catch {
            result = .failure(error)
        }
        #expect(result == vector.expected)
    }

    @Test("has at least 50 vectors")
    func vectorCount() {
        #expect(numberVectors.count >= 50)
    }

    @Test("Unicode whitespace trims and separates like a space; other non-ASCII characters are named")
    func unicode() throws {
        #expect(try PhoneNumber(parsing: "\u{00A0}+1\u{2003}202 555 0143\u{3000}").e164 == "+12025550143")
        #expect(throws: NumberError.containsLetters) { try PhoneNumber(parsing: "+1 202 555 014é") }
        #expect(throws: NumberError.invalidCharacter("２")) { try PhoneNumber(parsing: "+1 ２02 555 0143") }
        #expect(throws: NumberError.invalidCharacter("#")) { try PhoneNumber(parsing: "+1 202 555 0143#") }
        #expect(DialedNumber(classifying: "\u{00A0}911") == .emergency)
    }

    @Test("parses Substrings as well as Strings")
    func substring() throws {
        let text = "xx2025550143yy"
        let slice = text.dropFirst(2).dropLast(2)
        #expect(try PhoneNumber(parsing: slice).e164 == "+12025550143")
    }

    @Test("LosslessStringConvertible init returns nil for bad text")
    func lossless() {
        #expect(PhoneNumber("202-555-0143")?.e164 == "+12025550143")
        #expect(PhoneNumber("911") == nil)
        #expect(PhoneNumber("+12025550143").map { PhoneNumber($0.description) } == PhoneNumber("2025550143"))
    }
}

// MARK: - Fields and derived forms

@Suite("PhoneNumber fields")
struct PhoneNumberFieldTests {
    @Test("init(npa:nxx:line:) validates each field")
    func fieldValidation() throws {
        let number = try PhoneNumber(npa: 202, nxx: 555, line: 143)
        #expect(number.e164 == "+12025550143")
        #expect(throws: NumberError.areaCodeStartsWithZeroOrOne) { try PhoneNumber(npa: 199, nxx: 555, line: 1) }
        #expect(throws: NumberError.areaCodeStartsWithZeroOrOne) { try PhoneNumber(npa: 1000, nxx: 555, line: 1) }
        #expect(throws: NumberError.areaCodeIsServiceCode(611)) { try PhoneNumber(npa: 611, nxx: 555, line: 1) }
        #expect(throws: NumberError.exchangeStartsWithZeroOrOne) { try PhoneNumber(npa: 202, nxx: 99, line: 1) }
        #expect(throws: NumberError.exchangeIsServiceCode(211)) { try PhoneNumber(npa: 202, nxx: 211, line: 1) }
        #expect(throws: NumberError.lineOutOfRange) { try PhoneNumber(npa: 202, nxx: 555, line: 10_000) }
    }

    @Test("derived forms")
    func derived() throws {
        let number = try PhoneNumber(parsing: "202-555-0143")
        #expect(number.npa == 202)
        #expect(number.nxx == 555)
        #expect(number.line == 143)
        #expect(number.e164 == "+12025550143")
        #expect(number.national == "2025550143")
        #expect(number.description == "+12025550143")
        #expect(number.digits == 2_025_550_143)
        #expect(number.npaNXX == "202555")
        #expect(number.thousandsBlock == 0)
        #expect(try PhoneNumber(parsing: "2025559876").thousandsBlock == 9)
        #expect(try PhoneNumber(parsing: "2002000007").national == "2002000007")
    }

    @Test("init(digits:) accepts 10 and 1+10 digits only when valid")
    func digits() {
        #expect(PhoneNumber(digits: 2_025_550_143)?.e164 == "+12025550143")
        #expect(PhoneNumber(digits: 12_025_550_143)?.e164 == "+12025550143")
        #expect(PhoneNumber(digits: 22_025_550_143) == nil)
        #expect(PhoneNumber(digits: 1_025_550_143) == nil)
        #expect(PhoneNumber(digits: 9_115_550_143) == nil)
        #expect(PhoneNumber(digits: 202_555_014) == nil)
        #expect(PhoneNumber(digits: 0) == nil)
    }

    @Test(
        "fictional range is 555-0100 to 555-0199",
        arguments: [
            ("2025550100", true), ("2025550199", true), ("2025550143", true), ("2025550099", false),
            ("2025550200", false), ("2025560150", false),
        ]
    )
    func fictional(text: String, expected: Bool) throws {
        #expect(try PhoneNumber(parsing: text).isFictional == expected)
    }

    @Test("toll-free NPAs", arguments: [800, 833, 844, 855, 866, 877, 888] as [UInt16])
    func tollFree(npa: UInt16) throws {
        let number = try PhoneNumber(npa: npa, nxx: 555, line: 1234)
        #expect(number.isTollFree)
        #expect(!number.isPremium)
        #expect(!number.isCaribbean)
    }

    @Test("non toll-free NPAs", arguments: [822, 899, 202, 900, 880] as [UInt16])
    func notTollFree(npa: UInt16) throws {
        #expect(try !PhoneNumber(npa: npa, nxx: 555, line: 1234).isTollFree)
    }

    @Test("900 is premium")
    func premium() throws {
        #expect(try PhoneNumber(parsing: "9005551234").isPremium)
        #expect(try !PhoneNumber(parsing: "9015551234").isPremium)
    }

    @Test(
        "Caribbean NPAs are flagged",
        arguments: [
            242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869, 876,
        ] as [UInt16]
    )
    func caribbean(npa: UInt16) throws {
        #expect(try PhoneNumber(npa: npa, nxx: 555, line: 1234).isCaribbean)
    }

    @Test(
        "US territories and mainland NPAs are not Caribbean",
        arguments: [340, 670, 671, 684, 787, 939, 202, 305] as [UInt16]
    )
    func notCaribbean(npa: UInt16) throws {
        #expect(try !PhoneNumber(npa: npa, nxx: 555, line: 1234).isCaribbean)
    }

    @Test("orders by digits")
    func ordering() throws {
        let numbers = try ["3035550100", "2025550143", "2025550142", "2035550000", "9999999999"].map {
            try PhoneNumber(parsing: $0)
        }
        #expect(numbers.sorted().map(\.national) == [
            "2025550142", "2025550143", "2035550000", "3035550100", "9999999999",
        ])
        #expect(numbers.sorted().map(\.digits) == numbers.map(\.digits).sorted())
    }
}

// MARK: - Codable and errors

@Suite("PhoneNumber Codable and errors")
struct PhoneNumberCodableTests {
    @Test("encodes as the E.164 string")
    func encodes() throws {
        let data = try JSONEncoder().encode([try PhoneNumber(parsing: "202.555.0143")])
        #expect(String(decoding: data, as: UTF8.self) == #"["+12025550143"]"#)
    }

    @Test("decodes any accepted spelling")
    func decodes() throws {
        let json = Data(#"["(202) 555-0143", "tel:+1-202-555-0143", "12025550143"]"#.utf8)
        let numbers = try JSONDecoder().decode([PhoneNumber].self, from: json)
        #expect(numbers.map(\.e164) == Array(repeating: "+12025550143", count: 3))
    }

    @Test("decoding bad input throws a DecodingError with the NumberError's sentence")
    func decodeFailure() {
        let json = Data(#"["911-555-0143"]"#.utf8)
        do {
            _ = try JSONDecoder().decode([PhoneNumber].self, from: json)
            Issue.record("decoding succeeded")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription == "area code 911 is an N11 service code, not an area code")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(
        "errors read as sentences",
        arguments: [
            (NumberError.areaCodeIsServiceCode(911), "area code 911 is an N11 service code, not an area code"),
            (.exchangeIsServiceCode(411), "exchange 411 is an N11 service code, not an exchange"),
            (.invalidCharacter("*"), "'*' is not allowed in a telephone number"),
            (.tooFewDigits(7), "the number has 7 digits, too few for a North American number"),
            (.notNANP(countryCode: "44"), "country code +44 is not a North American (+1) number"),
            (.empty, "the number is empty"),
        ]
    )
    func descriptions(error: NumberError, text: String) {
        #expect(error.description == text)
    }
}
