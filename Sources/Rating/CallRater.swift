import Routing
import Telephony

/// What a call is rated by: where it went (and under which jurisdiction), when it started, and whether and how
/// long it was answered.
public struct CallUsage: Sendable, Hashable {
    /// Where the call is priced to.
    public enum Destination: Sendable, Hashable {
        /// A NANP number, as routed (its LRN's exchange after a dip), under the call's jurisdiction.
        case nanp(PhoneNumber, Jurisdiction)
        /// Any other E.164 number: its digits (country code first) and how many there are.
        case international(digits: UInt64, count: Int)
        /// 911 or 933: never charged.
        case emergency
    }

    public var destination: Destination
    /// Unix seconds the call started: the rate in force then applies, wherever the call's end falls.
    public var startedAt: Int64
    public var answered: Bool
    /// Seconds from answer to hang-up (the switch's `billsec`).
    public var billableSeconds: Int64

    public init(destination: Destination, startedAt: Int64, answered: Bool, billableSeconds: Int64) {
        self.destination = destination
        self.startedAt = startedAt
        self.answered = answered
        self.billableSeconds = billableSeconds
    }
}

/// An owner's prices: its compiled rate deck (a customer's sell rates or a carrier's buy rates) and its terms.
public struct PriceList: Sendable {
    public var deck: RateDeck
    public var terms: ChargeTerms
    /// Whether the deck's "intrastate" column means within one LATA (a carrier's `intra_means`); across LATAs in
    /// a state the interstate column then applies.
    public var intraMeansLATA: Bool

    public init(deck: RateDeck, terms: ChargeTerms = .none, intraMeansLATA: Bool = false) {
        self.deck = deck
        self.terms = terms
        self.intraMeansLATA = intraMeansLATA
    }

    /// The rate in force for `destination` at `time`, as routing looks it up.
    func rate(for destination: CallUsage.Destination, at time: Int64) -> Rate? {
        switch destination {
        case .nanp(let number, let jurisdiction):
            deck.rate(for: number, jurisdiction: jurisdiction, intraMeansLATA: intraMeansLATA, at: time)
        case .international(let digits, let count):
            deck.rate(forE164: digits, digitCount: count, at: time)
        case .emergency:
            nil
        }
    }
}

/// One side of a rated call.
public enum SideRating: Sendable, Hashable {
    /// What the call costs this side.
    case charged(Charge)
    /// Nothing to charge, and why.
    case free(FreeReason)
    /// The call should be charged but cannot be, and why (it stays unrated until the reason is fixed and the
    /// period re-rated).
    case unrated(UnratedReason)

    /// The amount, when there is one to count: a charge's total, or zero for a free call.
    public var amount: Money? {
        switch self {
        case .charged(let charge): charge.total
        case .free: .zero
        case .unrated: nil
        }
    }
}

/// Why a call costs nothing.
public enum FreeReason: String, Sendable, Hashable, Codable {
    /// 911 and 933 are never charged.
    case emergency
    /// The call was not answered.
    case unanswered
    /// Answered, but with no billable second (a sub-second answer).
    case noBillableSeconds = "no-billable-seconds"
}

/// Why a call that should be charged is not.
public enum UnratedReason: String, Sendable, Hashable, Codable {
    /// The side has no price list (a customer without a rate plan, a carrier without a deck).
    case noPriceList = "no-price-list"
    /// The price list has no rate for the destination at the call's start.
    case noRate = "no-rate"
    /// The switch reports more billable seconds than any call has (``BillingRule/maximumSeconds``) or fewer than
    /// none: a record to look at, not to bill.
    case implausibleDuration = "implausible-duration"
}

/// A call's price to the customer and cost from the carrier.
public struct RatedCall: Sendable, Hashable {
    public var price: SideRating
    public var cost: SideRating

    public init(price: SideRating, cost: SideRating) {
        self.price = price
        self.cost = cost
    }

    /// What the call earned: price minus cost, when both are known.
    public var margin: Money? {
        guard let price = price.amount, let cost = cost.amount else { return nil }
        return price - cost
    }

    /// Whether the call lost money: it cost more than it earned.
    public var losesMoney: Bool { margin.map { $0 < .zero } ?? false }
}

/// Rates calls: pure, over compiled price lists, no allocation on the way.
public enum CallRater {
    /// The customer's price (from `price`) and the carrier's cost (from `cost`) of `call`. Emergency calls and
    /// unanswered ones are free on both sides; a side without a price list or a rate for the destination is
    /// unrated, never guessed.
    public static func rate(_ call: CallUsage, price: PriceList?, cost: PriceList?) -> RatedCall {
        RatedCall(price: side(call, price), cost: side(call, cost))
    }

    /// One side's rating of `call` under `list`.
    public static func side(_ call: CallUsage, _ list: PriceList?) -> SideRating {
        if case .emergency = call.destination { return .free(.emergency) }
        guard call.answered else { return .free(.unanswered) }
        guard let list else { return .unrated(.noPriceList) }
        return side(seconds: call.billableSeconds, rate: list.rate(for: call.destination, at: call.startedAt), terms: list.terms)
    }

    /// One side of an answered call of `seconds` billable seconds at `rate` (`nil`: none for the destination) under
    /// `terms`: charged, free without a billable second, or unrated.
    public static func side(seconds: Int64, rate: Rate?, terms: ChargeTerms) -> SideRating {
        guard (0...BillingRule.maximumSeconds).contains(seconds) else { return .unrated(.implausibleDuration) }
        guard let rate else { return .unrated(.noRate) }
        guard let charge = BillingRule.charge(seconds: seconds, rate: rate, terms: terms) else { return .free(.noBillableSeconds) }
        return .charged(charge)
    }
}
