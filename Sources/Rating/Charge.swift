import Routing
import Telephony

/// What an owner's rate deck does not say per row: a minimum billed duration and a fee per answered call.
public struct ChargeTerms: Sendable, Hashable, Codable {
    /// Seconds an answered call is billed at least (after its increments).
    public var minimumSeconds: Int32
    /// Charged once per answered call with at least one billable second.
    public var connectFee: Money

    public init(minimumSeconds: Int32 = 0, connectFee: Money = .zero) {
        precondition(minimumSeconds >= 0 && connectFee.micros >= 0, "terms are never negative")
        self.minimumSeconds = minimumSeconds
        self.connectFee = connectFee
    }

    /// No minimum, no connect fee.
    public static let none = ChargeTerms()
}

/// One side's charge for one answered call: the customer's price or the carrier's cost, with every figure that
/// made it, so that a bill line can be checked by hand.
public struct Charge: Sendable, Hashable, Codable {
    /// The call's billable seconds, from answer to hang-up, as the switch reported them.
    public var seconds: Int64
    /// The seconds charged: the increments applied, then the minimum.
    public var billedSeconds: Int64
    /// The rate per minute, and the row's increments and window, as the deck holds them.
    public var perMinute: Money
    public var initialSeconds: Int32
    public var incrementSeconds: Int32
    /// Unix seconds from which the rate was in force (0: since always).
    public var rateEffectiveAt: Int64
    public var minimumSeconds: Int32
    /// `billedSeconds × perMinute / 60`, rounded to the micro-unit (``BillingRule/usage(billedSeconds:perMinute:)``).
    public var usage: Money
    public var connectFee: Money
    /// `usage + connectFee`.
    public var total: Money
}

/// The arithmetic every charge follows, stated once (docs/rating.md quotes it).
public enum BillingRule {
    /// The most billable seconds a call is rated for: a week. Longer is a switch's error (``CallRater`` leaves such a
    /// call unrated); the arithmetic below takes at most this, so that no rate can overflow it.
    public static let maximumSeconds: Int64 = 7 * 86_400

    /// The seconds billed for `seconds` of talk under `initial`/`increment` billing and a `minimum`:
    /// none for no second; else the initial increment covers the first `initial` seconds, each further
    /// `increment` seconds (or part of them) adds one increment, and the result is at least `minimum`.
    ///
    /// 60/60 bills whole minutes (61 s → 120 s); 30/6 bills 30 s, then 6-second steps (31 s → 36 s); 1/1 bills the
    /// seconds as they are. A sub-second answer, which switches round down to 0 billable seconds, is not charged.
    @inlinable
    public static func billedSeconds(_ seconds: Int64, initial: Int32, increment: Int32, minimum: Int32) -> Int64 {
        guard seconds > 0 else { return 0 }
        let first = Int64(max(initial, 1))
        let step = Int64(max(increment, 1))
        let billed = seconds <= first ? first : first + (seconds - first + step - 1) / step * step
        return max(billed, Int64(minimum))
    }

    /// The usage charge of `billedSeconds` at `perMinute`: `billedSeconds × perMinute / 60` in micro-units, a
    /// fraction of a micro-unit rounded half up (away from zero: 0.5 µ → 1 µ, 0.49 µ → 0).
    @inlinable
    public static func usage(billedSeconds: Int64, perMinute: Money) -> Money {
        let product = billedSeconds.multipliedReportingOverflow(by: perMinute.micros)
        precondition(!product.overflow && product.partialValue >= 0, "billed seconds and rates are bounded and not negative")
        return Money(micros: (product.partialValue + 30) / 60)
    }

    /// The charge of an answered call of `seconds` billable seconds at `rate` under `terms`; `nil` when there is
    /// nothing to charge (no billable second).
    public static func charge(seconds: Int64, rate: Rate, terms: ChargeTerms) -> Charge? {
        let billed = billedSeconds(seconds, initial: rate.initialSeconds, increment: rate.incrementSeconds, minimum: terms.minimumSeconds)
        guard billed > 0 else { return nil }
        let usage = usage(billedSeconds: billed, perMinute: rate.perMinute)
        return Charge(
            seconds: seconds, billedSeconds: billed, perMinute: rate.perMinute, initialSeconds: rate.initialSeconds,
            incrementSeconds: rate.incrementSeconds, rateEffectiveAt: rate.effectiveAt, minimumSeconds: terms.minimumSeconds,
            usage: usage, connectFee: terms.connectFee, total: usage + terms.connectFee
        )
    }
}
