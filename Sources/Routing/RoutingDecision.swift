import Telephony

/// The facts of a call that routing decides on, taken from the SIP request by the transport layer.
public struct CallRequest: Sendable {
    /// Where the request came from (the SBC's address).
    public var source: IPAddress
    /// The user part of the Request-URI: what was dialed.
    public var dialed: String
    /// The calling number, from P-Asserted-Identity or else From; `nil` when absent or anonymous.
    public var caller: String?
    public var callID: String
    /// The call's time, in Unix seconds: rate-deck rows apply by their effective dates.
    public var time: Int64
    /// Whether a trusted SBC sent the call: one that reports its calls' answers and ends, so channels can be
    /// counted (a PBX or sipp talking to Tandem directly never says when its calls end).
    public var throughSBC: Bool

    public init(source: IPAddress, dialed: String, caller: String?, callID: String, time: Int64, throughSBC: Bool = false) {
        self.source = source
        self.dialed = dialed
        self.caller = caller
        self.callID = callID
        self.time = time
        self.throughSBC = throughSBC
    }
}

/// A place the SBC should send the call, in preference order.
public struct RouteTarget: Sendable, Hashable {
    /// The user part to put in the Contact (the dialed number, normalized).
    public var user: String
    public var host: String
    public var port: Int
    public var transport: String
    /// What the target is, for records and explanations: the trunk's id, the carrier's name, or `emergency`.
    public var label: String

    public init(user: String, host: String, port: Int, transport: String, label: String) {
        self.user = user
        self.host = host
        self.port = port
        self.transport = transport
        self.label = label
    }
}

/// Why a call is refused, as the SIP status the redirect server answers with.
public struct Refusal: Sendable, Hashable {
    public var status: Int
    public var reason: String
    /// Seconds after which the SBC may retry (sent as Retry-After), for temporary conditions.
    public var retryAfter: Int?

    public init(status: Int, reason: String, retryAfter: Int? = nil) {
        self.status = status
        self.reason = reason
        self.retryAfter = retryAfter
    }
}

/// The outcome of routing one call.
public enum RoutingOutcome: Sendable, Hashable {
    /// Redirect to these targets, best first (a 302 with ordered Contacts).
    case redirect([RouteTarget])
    /// Refuse the call.
    case refuse(Refusal)
}

/// A 911 or 933 call: the account, the callback number and the caller's validated location, when known.
public struct EmergencyCall: Sendable, Hashable {
    public var accountId: String
    /// The calling number, when the call presented a valid one.
    public var callback: PhoneNumber?
    /// The address bound to the calling number; `nil` when it has none (the call still routes, with an alert).
    public var location: EmergencyLocation?

    public init(accountId: String, callback: PhoneNumber?, location: EmergencyLocation?) {
        self.accountId = accountId
        self.callback = callback
        self.location = location
    }
}

/// A carrier an outbound call was redirected to, and its rate for the call (per minute, with its increments).
public struct ChosenCarrier: Sendable, Hashable {
    public var id: String
    public var rate: Rate

    public init(id: String, rate: Rate) {
        self.id = id
        self.rate = rate
    }

    /// What the carrier charges per minute.
    public var cost: Money { rate.perMinute }
}

/// A decision with the reasoning that led to it, for `explain` and routing records.
public struct RoutingDecision: Sendable {
    public var outcome: RoutingOutcome
    /// The steps taken, in order, in words an operator reads.
    public var steps: [String]
    /// The trunk the call came from, when it came from one.
    public var sourceTrunk: String?
    /// The dialed number as normalized (E.164 for NANP), when it was a number.
    public var normalized: String?
    /// The caller presented a number its trunk may not present, and the trunk only flags that.
    public var callerIDFlagged: Bool
    /// The LRN of the dialed number when it was ported.
    public var lrn: String?
    /// The jurisdiction outbound calls were rated in.
    public var jurisdiction: Jurisdiction?
    /// Outbound: the carriers in the redirect, cheapest first, with their per-minute cost, and what the
    /// customer pays.
    public var carriers: [ChosenCarrier] = []
    /// The customer's rate for the call, from its plan.
    public var priceRate: Rate?
    /// What the customer pays per minute.
    public var price: Money? { priceRate?.perMinute }

    /// The customer the call is for: the calling trunk's account on an outbound call, the called number's owner on
    /// a call to one of our numbers.
    public var accountId: String?
    /// The call is to one of our numbers (from a carrier, or from a trunk on-net).
    public var toOurNumber = false
    /// On a call to one of our numbers, the trunk the number is delivered to.
    public var destinationTrunk: String?

    /// The call came from an upstream carrier rather than a customer trunk.
    public var fromCarrier = false
    /// The calls-per-second limit of the trunk the call came from, when one applies (never to emergency calls).
    public var callsPerSecondLimit: Int?
    /// The trunk whose channel the call takes: the calling trunk, or for a carrier's call to one of our numbers the
    /// number's trunk.
    public var channelTrunk: String?
    /// That trunk's `max_channels`, when it has one.
    public var channelLimit: Int?
    /// For 911 and 933: who called, from where, for the emergency provider and the customer's notification.
    public var emergency: EmergencyCall?

    /// A decision with its outcome and steps, and nothing else known yet.
    public init(outcome: RoutingOutcome, steps: [String] = []) {
        self.outcome = outcome
        self.steps = steps
        self.callerIDFlagged = false
    }
}
