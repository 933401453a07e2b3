import Rating
import Routing
import Telephony

/// What a CDR came to: its price and cost at the rates Tandem routed the call at, or why it cannot be rated.
public struct RatedCDR: Sendable, Hashable {
    /// Why a CDR's call cannot be rated from its record.
    public enum Problem: String, Sendable, Hashable {
        /// The record carries no decision token (the 302 went to an SBC that is not trusted, or to none).
        case noDecision = "no-decision"
        /// The token is malformed or its signature is not this server's.
        case badDecision = "bad-decision"
        /// The token was made for another call (its Call-ID digest differs).
        case otherCall = "other-call"
    }

    public var callID: String
    public var decision: CallDecision?
    /// The carrier that answered, found by the gateway the record names; `nil` for a customer's PBX, the emergency
    /// provider, or a gateway no carrier has.
    public var carrierId: String?
    public var rating: RatedCall?
    public var problem: Problem?
}

/// Rates CDRs from the decision tokens they carry: the customer's rate and the answering carrier's, as routing
/// chose them, with ``BillingRule``'s arithmetic. The carrier is the one whose gateway (host and port) the record
/// names as the Contact that answered; the token proves the rate, not the gateway, so the gateway must be one of
/// the carriers the token names.
public struct CDRRater: Sendable {
    private let tokens: DecisionToken
    /// Carrier ids by gateway, as `host:port` (IPv6 hosts bracketed).
    private let gateways: [String: String]

    public init(tokens: DecisionToken, gateways: [String: String]) {
        self.tokens = tokens
        self.gateways = gateways
    }

    /// The price and cost of the call `cdr` records.
    public func rate(_ cdr: KamailioCDR) -> RatedCDR {
        var rated = RatedCDR(callID: cdr.callID)
        guard let token = cdr.decision else {
            rated.problem = .noDecision
            return rated
        }
        let decision: CallDecision
        do {
            decision = try tokens.open(token)
        } catch {
            rated.problem = .badDecision
            return rated
        }
        guard decision.callDigest == CallDecision.digest(ofCallID: cdr.callID) else {
            rated.problem = .otherCall
            return rated
        }
        rated.decision = decision
        let carrier = Self.hostAndPort(ofURI: cdr.gateway).flatMap { gateways[$0] }
            .flatMap { id in decision.carriers.first { $0.id == id } }
        rated.carrierId = carrier?.id
        let seconds = cdr.billableSeconds
        rated.rating = RatedCall(
            price: decision.kind == .emergency ? .free(.emergency) : Self.side(seconds, decision.price),
            cost: decision.kind == .emergency ? .free(.emergency) : Self.side(seconds, carrier?.rate)
        )
        return rated
    }

    /// One side at a rate the token carries (no owner's terms yet: no minimum, no connect fee).
    private static func side(_ seconds: Int64, _ rate: Rate?) -> SideRating {
        guard let rate else { return .unrated(.noRate) }
        guard (0...BillingRule.maximumSeconds).contains(seconds) else { return .unrated(.implausibleDuration) }
        guard let charge = BillingRule.charge(seconds: seconds, rate: rate, terms: .none) else {
            return .free(.noBillableSeconds)
        }
        return .charged(charge)
    }

    /// `host:port` of a SIP URI (`sip:+1...;npdi@127.0.0.1:25182;user=phone` → `127.0.0.1:25182`); port 5060 when
    /// the URI names none.
    static func hostAndPort(ofURI uri: String) -> String? {
        guard let at = uri.lastIndex(of: "@") else { return nil }
        let hostPart = uri[uri.index(after: at)...].prefix { $0 != ";" && $0 != ">" }
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            let host = hostPart[...close]
            let rest = hostPart[hostPart.index(after: close)...]
            return rest.hasPrefix(":") ? "\(host)\(rest)" : "\(host):5060"
        }
        return hostPart.contains(":") ? String(hostPart) : "\(hostPart):5060"
    }
}
