import Foundation
import Rating
import SQLKit
import Telephony

/// A stored CDR as the API shows it. A customer sees its price; the operator also sees the cost, the carrier and
/// the gateway (which carriers the operator buys from, and at what cost, is not the customer's business).
public struct StoredCDR: Sendable, Codable, Equatable {
    /// One side of the call's rating: the customer's price or the carrier's cost.
    public struct Side: Sendable, Codable, Equatable {
        /// `charged`, `free` or `unrated`.
        public var status: String
        /// Why the side is free or unrated (`emergency`, `unanswered`, `no-rate`, `no-decision`...).
        public var reason: String?
        /// What the side came to; zero when free, absent when unrated.
        public var amount: Money?
        /// The charge in words, step by step (``Charge/explanation``): on a single record only.
        public var explanation: [String]?

        public init(status: String, reason: String?, amount: Money?, explanation: [String]? = nil) {
            self.status = status
            self.reason = reason
            self.amount = amount
            self.explanation = explanation
        }
    }

    public var id: String
    /// The switch's format: `kamailio`, `tandem`, `freeswitch-json`, `freeswitch-csv`, `asterisk`.
    public var format: String
    public var callId: String
    /// `outbound`, `inbound` or `emergency`, as Tandem routed the call; absent without a decision.
    public var direction: String?
    public var accountId: String?
    public var trunkId: String?
    public var caller: String
    public var dialed: String
    /// The number called, as routing normalized it (E.164).
    public var destination: String?
    /// `interstate`, `intrastate`, `indeterminate`...
    public var jurisdiction: String?
    public var source: String
    public var setupAt: Date?
    public var answeredAt: Date?
    public var startedAt: Date
    public var endedAt: Date
    public var durationMs: Int64
    public var billableSeconds: Int64
    public var sipCode: Int
    /// Rated when both sides are charged or free (for a customer: when its price is).
    public var rated: Bool
    /// Why the record has no decision to rate it by (`no-decision`, `bad-decision`, `other-call`).
    public var problem: String?
    public var price: Side
    /// The operator's only.
    public var cost: Side?
    /// Price minus cost, when both are known; the operator's only.
    public var margin: Money?
    /// The operator's only.
    public var carrierId: String?
    /// The Contact the call went to; the operator's only.
    public var gateway: String?
    /// What the decision token said, step by step: on a single record only.
    public var decision: [String]?
    public var receivedAt: Date
}

/// A stored call that cost more than it earned: what the operator is told of (a metric, a webhook event).
public struct CDRLoss: Sendable, Codable, Equatable {
    public var cdrId: String
    public var callId: String
    public var accountId: String?
    public var trunkId: String?
    public var carrierId: String?
    public var destination: String?
    public var startedAt: Date
    public var billableSeconds: Int64
    public var price: Money
    public var cost: Money
    /// Negative.
    public var margin: Money
}

/// Work done with the calls that lost money, in the transaction that stores them (the operator's webhook events:
/// never told of a call that was not stored, never lost once it was).
public typealias CDRLossHandler = @Sendable ([CDRLoss], any SQLDatabase) async throws -> Void

/// What one ingestion did.
public struct IngestOutcome: Sendable, Codable, Equatable {
    /// Records stored now.
    public var stored: Int
    /// Records already stored (the same format, key and start): left as they were.
    public var repeated: Int
    /// Of those stored, the ones rated on both sides.
    public var rated: Int
    /// Of those stored, the ones that cost more than they earned.
    public var losingMoney: Int
    /// Of those stored, the ones whose decision token did not open with this server's key.
    public var badDecisions: Int

    public init(stored: Int = 0, repeated: Int = 0, rated: Int = 0, losingMoney: Int = 0, badDecisions: Int = 0) {
        self.stored = stored
        self.repeated = repeated
        self.rated = rated
        self.losingMoney = losingMoney
        self.badDecisions = badDecisions
    }

    public static func + (lhs: IngestOutcome, rhs: IngestOutcome) -> IngestOutcome {
        IngestOutcome(
            stored: lhs.stored + rhs.stored, repeated: lhs.repeated + rhs.repeated, rated: lhs.rated + rhs.rated,
            losingMoney: lhs.losingMoney + rhs.losingMoney, badDecisions: lhs.badDecisions + rhs.badDecisions
        )
    }
}

/// What `GET /v1/cdrs` filters on.
public struct CDRFilter: Sendable, Equatable {
    /// Calls that started at or after this instant.
    public var from: Date?
    /// Calls that started before this instant.
    public var to: Date?
    public var accountId: String?
    public var trunkId: String?
    /// A number the call was from or to (its caller, what was dialed, or the destination routing normalized).
    public var number: String?
    public var direction: CallDecision.Kind?
    /// Only rated (`true`) or only unrated (`false`) records.
    public var rated: Bool?

    public init(
        from: Date? = nil, to: Date? = nil, accountId: String? = nil, trunkId: String? = nil, number: String? = nil,
        direction: CallDecision.Kind? = nil, rated: Bool? = nil
    ) {
        self.from = from
        self.to = to
        self.accountId = accountId
        self.trunkId = trunkId
        self.number = number
        self.direction = direction
        self.rated = rated
    }
}
