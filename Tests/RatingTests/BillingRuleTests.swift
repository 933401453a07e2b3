import Rating
import Routing
import Telephony
import Testing

@Suite("The billing arithmetic")
struct BillingRuleTests {
    struct Billed: Sendable, CustomTestStringConvertible {
        var scheme: (initial: Int32, increment: Int32)
        var minimum: Int32
        var seconds: Int64
        var billed: Int64
        var testDescription: String { "\(seconds) s at \(scheme.initial)/\(scheme.increment), minimum \(minimum) → \(billed) s" }
    }

    static let increments: [Billed] = [
        // 60/60: whole minutes.
        .init(scheme: (60, 60), minimum: 0, seconds: 1, billed: 60),
        .init(scheme: (60, 60), minimum: 0, seconds: 60, billed: 60),
        .init(scheme: (60, 60), minimum: 0, seconds: 61, billed: 120),
        .init(scheme: (60, 60), minimum: 0, seconds: 121, billed: 180),
        // 30/6: 30 seconds, then six-second steps.
        .init(scheme: (30, 6), minimum: 0, seconds: 1, billed: 30),
        .init(scheme: (30, 6), minimum: 0, seconds: 30, billed: 30),
        .init(scheme: (30, 6), minimum: 0, seconds: 31, billed: 36),
        .init(scheme: (30, 6), minimum: 0, seconds: 36, billed: 36),
        .init(scheme: (30, 6), minimum: 0, seconds: 37, billed: 42),
        // 6/6.
        .init(scheme: (6, 6), minimum: 0, seconds: 1, billed: 6),
        .init(scheme: (6, 6), minimum: 0, seconds: 6, billed: 6),
        .init(scheme: (6, 6), minimum: 0, seconds: 7, billed: 12),
        .init(scheme: (6, 6), minimum: 0, seconds: 65, billed: 66),
        // 1/1: the seconds as they are.
        .init(scheme: (1, 1), minimum: 0, seconds: 1, billed: 1),
        .init(scheme: (1, 1), minimum: 0, seconds: 59, billed: 59),
        .init(scheme: (1, 1), minimum: 0, seconds: 3_601, billed: 3_601),
        // A minimum raises short calls after their increments, and leaves longer ones.
        .init(scheme: (6, 6), minimum: 30, seconds: 5, billed: 30),
        .init(scheme: (6, 6), minimum: 30, seconds: 29, billed: 30),
        .init(scheme: (6, 6), minimum: 30, seconds: 31, billed: 36),
        .init(scheme: (1, 1), minimum: 60, seconds: 10, billed: 60),
        .init(scheme: (1, 1), minimum: 60, seconds: 61, billed: 61),
        // No billable second: nothing, whatever the increments and minimum.
        .init(scheme: (60, 60), minimum: 0, seconds: 0, billed: 0),
        .init(scheme: (30, 6), minimum: 30, seconds: 0, billed: 0),
        .init(scheme: (1, 1), minimum: 60, seconds: -5, billed: 0),
    ]

    @Test("increments and minimums", arguments: increments)
    func billedSeconds(_ row: Billed) {
        #expect(BillingRule.billedSeconds(row.seconds, initial: row.scheme.initial, increment: row.scheme.increment, minimum: row.minimum)
                == row.billed)
    }

    struct Usage: Sendable, CustomTestStringConvertible {
        var seconds: Int64
        var perMinuteMicros: Int64
        var micros: Int64
        var testDescription: String { "\(seconds) s at \(perMinuteMicros) µ/min → \(micros) µ" }
    }

    static let rounding: [Usage] = [
        .init(seconds: 66, perMinuteMicros: 4_500, micros: 4_950),  // exact
        .init(seconds: 30, perMinuteMicros: 1, micros: 1),  // 0.5 µ: half rounds up
        .init(seconds: 29, perMinuteMicros: 1, micros: 0),  // 0.483 µ
        .init(seconds: 31, perMinuteMicros: 1, micros: 1),  // 0.517 µ
        .init(seconds: 10, perMinuteMicros: 3, micros: 1),  // 0.5 µ
        .init(seconds: 9, perMinuteMicros: 3, micros: 0),  // 0.45 µ
        .init(seconds: 90, perMinuteMicros: 7, micros: 11),  // 10.5 µ
        .init(seconds: 89, perMinuteMicros: 7, micros: 10),  // 10.383 µ
        .init(seconds: 0, perMinuteMicros: 4_500, micros: 0),
        .init(seconds: 60, perMinuteMicros: 0, micros: 0),  // a free destination
        .init(seconds: 86_400, perMinuteMicros: 100_000_000, micros: 144_000_000_000),  // a day at the deck's most
    ]

    @Test("usage is seconds × rate ÷ 60, a half micro-unit rounded up", arguments: rounding)
    func usage(_ row: Usage) {
        #expect(BillingRule.usage(billedSeconds: row.seconds, perMinute: Money(micros: row.perMinuteMicros)) == Money(micros: row.micros))
    }

    @Test("a charge adds the connect fee to the usage and keeps every figure that made it")
    func charge() throws {
        let rate = Rate(micros: 12_000, initialSeconds: 30, incrementSeconds: 6, effectiveAt: 1_767_225_600)
        let terms = ChargeTerms(minimumSeconds: 30, connectFee: Money(micros: 5_000))
        let charge = try #require(BillingRule.charge(seconds: 47, rate: rate, terms: terms))
        #expect(charge.billedSeconds == 48)
        #expect(charge.usage == Money(micros: 9_600))  // 48 × 12,000 / 60
        #expect(charge.connectFee == Money(micros: 5_000) && charge.total == Money(micros: 14_600))
        #expect(charge.perMinute == Money(micros: 12_000) && charge.initialSeconds == 30 && charge.incrementSeconds == 6)
        #expect(charge.rateEffectiveAt == 1_767_225_600 && charge.seconds == 47)
        #expect(BillingRule.charge(seconds: 0, rate: rate, terms: terms) == nil, "no billable second: no connect fee either")
    }

    @Test("the explanation walks through the charge")
    func explanation() throws {
        let rate = Rate(micros: 12_000, initialSeconds: 30, incrementSeconds: 6, effectiveAt: 1_767_225_600)
        let short = try #require(BillingRule.charge(seconds: 7, rate: rate, terms: ChargeTerms(minimumSeconds: 45, connectFee: Money(micros: 5_000))))
        #expect(short.explanation == [
            "rate 0.012/min with 30/6 increments, in force since 2026-01-01T00:00:00Z",
            "7 s talked, billed as 30 s (the first increment of 30 s), raised to the 45 s minimum",
            "usage 45 s × 0.012/min ÷ 60 = 0.009 (exact)",
            "connect fee 0.005",
            "total 0.014",
        ])
        let long = try #require(BillingRule.charge(seconds: 61, rate: Rate(micros: 7, initialSeconds: 1, incrementSeconds: 1), terms: .none))
        #expect(long.explanation == [
            "rate 0.000007/min with 1/1 increments, in force since the deck's start",
            "61 s talked, billed as 61 s (the first 1 s, then 60 × 1 s)",
            "usage 61 s × 0.000007/min ÷ 60 = 0.000007 (rounded half up to the micro-unit)",
            "total 0.000007",
        ])
    }
}
