import Foundation
import Testing
import Telephony

@Suite("Money")
struct MoneyTests {
    @Test(
        "parses amounts exactly",
        arguments: [
            ("0.0045", 4_500), ("12", 12_000_000), ("-3.50", -3_500_000), ("$1.25", 1_250_000),
            ("-$1.25", -1_250_000), ("$-1.25", -1_250_000), ("+2", 2_000_000), (".5", 500_000),
            (" 7.000001 ", 7_000_001), ("0.00450000", 4_500), ("0", 0), ("-0.000001", -1),
            ("9223372036854.775807", Int64.max), ("-9223372036854.775808", Int64.min),
        ] as [(String, Int64)]
    )
    func parses(text: String, micros: Int64) throws {
        #expect(try Money(parsing: text).micros == micros)
    }

    @Test(
        "rejects bad amounts with the exact error",
        arguments: [
            ("", MoneyError.empty), ("   ", .empty), ("abc", .invalidCharacter("a")),
            ("12 USD", .invalidCharacter(" ")),
            ("1,000", .invalidCharacter(",")), ("1.2.3", .invalidCharacter(".")), ("1e5", .invalidCharacter("e")),
            ("--1", .invalidCharacter("-")), ("€5", .invalidCharacter("€")),
            ("0.0000001", .tooManyDecimalPlaces(7)),
            ("1.23456789", .tooManyDecimalPlaces(7)), ("$", .noDigits), ("-", .noDigits), (".", .noDigits),
            ("5.", .missingDecimalDigits), ("9223372036854.775808", .overflow),
            ("99999999999999999999", .overflow), ("-9223372036854.775809", .overflow),
        ] as [(String, MoneyError)]
    )
    func rejects(text: String, error: MoneyError) {
        #expect(throws: error) { try Money(parsing: text) }
    }

    @Test(
        "formats with 2 to 6 decimals",
        arguments: [
            (4_500, "0.0045"), (12_000_000, "12.00"), (-3_500_000, "-3.50"), (1, "0.000001"),
            (123_456_789, "123.456789"), (0, "0.00"), (-4_500, "-0.0045"), (10_000, "0.01"), (100_000, "0.10"),
            (1_230_000, "1.23"), (1_234_000, "1.234"), (Int64.min, "-9223372036854.775808"),
            (Int64.max, "9223372036854.775807"),
        ] as [(Int64, String)]
    )
    func formats(micros: Int64, text: String) throws {
        let money = Money(micros: micros)
        #expect(money.description == text)
        #expect(try Money(parsing: text) == money)
    }

    @Test("arithmetic and comparison")
    func arithmetic() throws {
        let rate = try Money(parsing: "0.0045")
        #expect(rate + rate == Money(micros: 9_000))
        #expect(rate - Money(micros: 5_000) == Money(micros: -500))
        #expect(-rate == Money(micros: -4_500))
        #expect(try rate.multiplied(by: 1_000) == Money(parsing: "4.50"))
        #expect(Money.zero.micros == 0)
        #expect(Money(micros: -1) < .zero)
        var total = Money.zero
        total += rate
        total -= Money(micros: 500)
        #expect(total == Money(micros: 4_000))
    }

    @Test("overflow is an error, not a crash")
    func overflow() {
        #expect(throws: MoneyError.overflow) { try Money(micros: Int64.max / 2 + 1).multiplied(by: 2) }
        #expect(throws: MoneyError.overflow) { try Money(micros: Int64.min).multiplied(by: -1) }
        #expect(throws: MoneyError.overflow) { try Money(micros: Int64.max).adding(Money(micros: 1)) }
        #expect(throws: MoneyError.overflow) { try Money(micros: Int64.min).subtracting(Money(micros: 1)) }
        #expect(throws: Never.self) { try Money(micros: Int64.max / 2).multiplied(by: 2) }
    }

    @Test("Codable as the description string")
    func codable() throws {
        let data = try JSONEncoder().encode([Money(micros: 4_500), Money(micros: -3_500_000)])
        #expect(String(decoding: data, as: UTF8.self) == #"["0.0045","-3.50"]"#)
        #expect(try JSONDecoder().decode([Money].self, from: Data(#"["$1.25"]"#.utf8)) == [Money(micros: 1_250_000)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Money].self, from: Data(#"["1,25"]"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Money].self, from: Data("[1.25]".utf8)) }
    }

    @Test("errors read as sentences")
    func descriptions() {
        #expect(
            MoneyError.tooManyDecimalPlaces(7).description == "the amount has 7 decimal places; at most 6 are allowed"
        )
        #expect(MoneyError.invalidCharacter(",").description.hasPrefix("',' is not allowed in an amount"))
    }
}
