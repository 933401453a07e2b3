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

    /// The call's Call-ID, as the record has it.
    public var callID: String
    /// What Tandem decided for the call, from the record's token; `nil` when the token did not open or was another's.
    public var decision: CallDecision?
    /// The carrier that answered, found by the gateway the record names among the token's carriers; `nil` for a
    /// customer's PBX, the emergency provider, a gateway none of them has, or one several of them share.
    public var carrierId: String?
    /// The price and the cost; `nil` with a ``problem``.
    public var rating: RatedCall?
    /// Why the record could not be rated at all.
    public var problem: Problem?
}

/// Rates CDRs from the decision tokens they carry: the customer's rate and the answering carrier's, as routing
/// chose them, with ``BillingRule``'s arithmetic. The carrier is the one whose gateway (host and port) the record
/// names as the Contact that answered; the token proves the rate, not the gateway, so the carrier must be one of
/// those the token names (and the only one of them with that gateway). A token proves a decision, not that its call
/// is rated once: whoever reads records must not count a Call-ID twice.
public struct CDRRater: Sendable {
    private let tokens: DecisionToken
    /// The carriers that have each gateway, by ``hostAndPort(ofURI:)``'s key (`host:port`, IPv6 hosts bracketed).
    private let gateways: [String: [String]]

    public init(tokens: DecisionToken, gateways: [String: [String]]) {
        self.tokens = tokens
        self.gateways = gateways
    }

    /// The price and cost of the call `cdr` records.
    public func rate(_ cdr: CallDetailRecord) -> RatedCDR {
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
        let owners = Self.hostAndPort(ofURI: cdr.gateway).flatMap { gateways[$0] } ?? []
        let candidates = decision.carriers.filter { owners.contains($0.id) }
        let carrier = candidates.count == 1 ? candidates.first : nil
        rated.carrierId = carrier?.id
        // The token carries rates, not the owners' terms (minimums, connect fees): none are applied yet.
        func side(_ rate: Rate?) -> SideRating {
            if decision.kind == .emergency { return .free(.emergency) }
            guard cdr.answered else { return .free(.unanswered) }
            return CallRater.side(seconds: cdr.billableSeconds, rate: rate, terms: .none)
        }
        rated.rating = RatedCall(price: side(decision.price), cost: side(carrier?.rate))
        return rated
    }

    /// The carriers that have each gateway, keyed as ``key(host:port:)``, from routing's carriers.
    public static func gatewayOwners(_ carriers: [CarrierRoute]) -> [String: [String]] {
        var owners: [String: [String]] = [:]
        for carrier in carriers {
            for gateway in carrier.gateways {
                owners[key(host: gateway.address, port: gateway.port), default: []].append(carrier.id)
            }
        }
        return owners
    }

    /// The key a gateway is known by: `host:port`, an IPv6 host bracketed.
    public static func key(host: String, port: Int) -> String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The ``key(host:port:)`` of a SIP URI's host (`sip:+1...;npdi@127.0.0.1:25182;user=phone` →
    /// `127.0.0.1:25182`); without a port, 5061 for `sips:` or `transport=tls`, else 5060 (RFC 3261 §19.1.2).
    public static func hostAndPort(ofURI uri: String) -> String? {
        guard let at = uri.lastIndex(of: "@") else { return nil }
        let hostPart = uri[uri.index(after: at)...].prefix { $0 != ";" && $0 != ">" && $0 != "?" }
        let secure = Self.hasPrefix(uri.utf8, caseInsensitive: "sips:") || Self.contains(uri.utf8, caseInsensitive: ";transport=tls")
        let host: Substring, port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { return nil }
            host = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            let rest = hostPart[hostPart.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
            port = rest.isEmpty ? nil : Int(rest.dropFirst())
            if !rest.isEmpty, port == nil { return nil }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = hostPart[..<colon]
            guard let parsed = Int(hostPart[hostPart.index(after: colon)...]) else { return nil }
            port = parsed
        } else {
            (host, port) = (hostPart, nil)
        }
        guard !host.isEmpty else { return nil }
        return key(host: String(host), port: port ?? (secure ? 5061 : 5060))
    }

    /// Whether `text` starts with `prefix` (lowercase ASCII), ignoring the case of ASCII letters: byte by byte, where
    /// `lowercased()` would copy the URI for every CDR rated.
    static func hasPrefix(_ text: String.UTF8View, caseInsensitive prefix: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return text.count >= wanted.count && zip(text, wanted).allSatisfy { asciiLowercased($0) == $1 }
    }

    /// Whether `text` holds `needle` (lowercase ASCII), ignoring the case of ASCII letters.
    static func contains(_ text: String.UTF8View, caseInsensitive needle: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let bytes = Array(text)
        guard bytes.count >= wanted.count else { return false }
        return (0...(bytes.count - wanted.count)).contains { start in
            wanted.indices.allSatisfy { asciiLowercased(bytes[start + $0]) == wanted[$0] }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
