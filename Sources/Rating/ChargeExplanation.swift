import Foundation

extension Charge {
    /// The charge in words, one step a line, as a customer would check it by hand: the rate and where it came
    /// from, how the seconds were billed, the usage sum and its rounding, the connect fee, the total.
    public var explanation: [String] {
        let since = rateEffectiveAt == 0
            ? "in force since the deck's start"
            : "in force since \(Date(timeIntervalSince1970: Double(rateEffectiveAt)).formatted(.iso8601))"
        var lines = ["rate \(perMinute)/min with \(initialSeconds)/\(incrementSeconds) increments, \(since)"]
        let stepped = BillingRule.billedSeconds(seconds, initial: initialSeconds, increment: incrementSeconds, minimum: 0)
        var billing = "\(seconds) s talked, billed as \(stepped) s"
        if stepped > Int64(initialSeconds) {
            let steps = (stepped - Int64(initialSeconds)) / Int64(max(incrementSeconds, 1))
            billing += " (the first \(initialSeconds) s, then \(steps) × \(incrementSeconds) s)"
        } else {
            billing += " (the first increment of \(initialSeconds) s)"
        }
        if billedSeconds > stepped { billing += ", raised to the \(minimumSeconds) s minimum" }
        lines.append(billing)
        let exact = billedSeconds * perMinute.micros
        let rounding = exact % 60 == 0 ? "exact" : "rounded half up to the micro-unit"
        lines.append("usage \(billedSeconds) s × \(perMinute)/min ÷ 60 = \(usage) (\(rounding))")
        if connectFee.micros > 0 { lines.append("connect fee \(connectFee)") }
        lines.append("total \(total)")
        return lines
    }
}
