import Telephony

/// Why a call would go where it goes: the decision, every step, and every candidate dropped with its reason.
///
/// What `tandem route explain` prints and `GET /v1/routes/explain` returns.
public struct RouteExplanation: Sendable, Codable, Equatable {
    /// A place the call would be sent, best first.
    public struct Contact: Sendable, Codable, Equatable {
        public var uri: String
        public var label: String
    }

    /// A carrier that can take the call, with its per-minute cost.
    public struct Candidate: Sendable, Codable, Equatable {
        public var carrierId: String
        public var cost: Money
    }

    /// `redirect` (a 302 with `contacts`) or `refuse` (the `status` and `reason` an SBC would get).
    public var outcome: String
    public var status: Int
    public var reason: String?
    public var retryAfter: Int?
    public var contacts: [Contact]
    public var steps: [String]
    public var normalized: String?
    public var lrn: String?
    public var jurisdiction: String?
    public var carriers: [Candidate]
    /// What the customer pays per minute, for outbound calls.
    public var price: Money?
    public var callerIdFlagged: Bool
    /// The routing snapshot the explanation was computed on.
    public var snapshotVersion: UInt64

    /// Decides the call with explanation on and describes the result.
    public init(_ request: CallRequest, in snapshot: RoutingSnapshot) {
        let decision = Router.decide(request, in: snapshot, explain: true)
        switch decision.outcome {
        case .redirect(let targets):
            outcome = "redirect"
            status = 302
            reason = nil
            retryAfter = nil
            contacts = targets.map {
                let host = $0.host.contains(":") ? "[\($0.host)]" : $0.host
                let transport = $0.transport == "udp" ? "" : ";transport=\($0.transport)"
                return Contact(uri: "sip:\($0.user)@\(host):\($0.port)\(transport)", label: $0.label)
            }
        case .refuse(let refusal):
            outcome = "refuse"
            status = refusal.status
            reason = refusal.reason
            retryAfter = refusal.retryAfter
            contacts = []
        }
        steps = decision.steps
        normalized = decision.normalized
        lrn = decision.lrn
        jurisdiction = decision.jurisdiction?.rawValue
        carriers = decision.carriers.map { Candidate(carrierId: $0.id, cost: $0.cost) }
        price = decision.price
        callerIdFlagged = decision.callerIDFlagged
        snapshotVersion = snapshot.version
    }
}

extension RoutingSnapshot {
    /// An address calls from the trunk would come from (its first source), to explain its calls.
    public func sourceAddress(ofTrunk id: String) -> IPAddress? {
        trunks[id]?.route.sources.first?.address
    }
}
