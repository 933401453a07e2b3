import Routing

/// What an admission policy says of a routed call.
public enum AdmissionVerdict: Sendable, Hashable {
    case admit
    /// Refuse the call: it is answered with this status, reason and Retry-After instead of a redirect.
    case refuse(Refusal)
}

/// One rule a routed call passes before it is redirected: the trunk's calls per second today; its channels,
/// fraud rules and spend limits as they come.
///
/// Policies run on the call path, on every event loop at once, once per call: `verdict` is synchronous and cheap
/// (a lock held for a few instructions at most), and policies compose as generic values (see
/// ``AdmissionPolicies``), so no call pays for an existential or an `async` hop.
///
/// **Live counters.** What a policy counts (calls in the last second, channels in use, spend so far) lives in a
/// counter object the policy holds, such as ``CallRateLimiter``: made once per process by the executable and
/// updated in place, beside the routing snapshot rather than in it. A new snapshot brings new limits (the
/// decision carries them, as ``RoutingDecision/callsPerSecondLimit``) and leaves the counts as they were.
public protocol AdmissionPolicy: Sendable {
    /// The verdict on `call`, as routing decided it. Asked for every call but emergency calls, including those
    /// routing refused (so that counters count attempts), until a policy before it in the chain refuses the call;
    /// a refusal here replaces only a redirect.
    func verdict(on call: CallRequest, routedAs decision: RoutingDecision) -> AdmissionVerdict
}

extension AdmissionPolicy {
    /// Puts a routed call through the policy: a refusal replaces the redirect. Emergency calls are never refused,
    /// nor seen: 911 and 933 always route.
    public func admit(_ call: CallRequest, _ decision: inout RoutingDecision) {
        guard decision.emergency == nil, case .refuse(let refusal) = verdict(on: call, routedAs: decision),
            case .redirect = decision.outcome
        else { return }
        decision.outcome = .refuse(refusal)
    }
}

/// Policies applied in order: the first refusal stands, and the policies after it do not see the call.
///
/// Written with the builder, as swift-certificates composes its verifier policies:
///
/// ```swift
/// let admission = AdmissionPolicies {
///     CallsPerSecondPolicy(limiter: limiter)
///     ChannelPolicy(counters: channels)
/// }
/// ```
public struct AdmissionPolicies<Body: AdmissionPolicy>: AdmissionPolicy {
    public let body: Body

    public init(@AdmissionPolicyBuilder _ body: () -> Body) {
        self.body = body()
    }

    public func verdict(on call: CallRequest, routedAs decision: RoutingDecision) -> AdmissionVerdict {
        body.verdict(on: call, routedAs: decision)
    }
}

/// Two policies in order; what ``AdmissionPolicyBuilder`` builds a list from.
public struct AdmissionPolicyPair<First: AdmissionPolicy, Second: AdmissionPolicy>: AdmissionPolicy {
    public let first: First
    public let second: Second

    public func verdict(on call: CallRequest, routedAs decision: RoutingDecision) -> AdmissionVerdict {
        switch first.verdict(on: call, routedAs: decision) {
        case .admit: second.verdict(on: call, routedAs: decision)
        case let refusal: refusal
        }
    }
}

/// Builds a list of policies into one generic value, applied in the order written.
@resultBuilder
public enum AdmissionPolicyBuilder {
    public static func buildPartialBlock<Policy: AdmissionPolicy>(first: Policy) -> Policy {
        first
    }

    public static func buildPartialBlock<First: AdmissionPolicy, Next: AdmissionPolicy>(
        accumulated: First, next: Next
    ) -> AdmissionPolicyPair<First, Next> {
        AdmissionPolicyPair(first: accumulated, second: next)
    }
}

/// Admits every call: the admission step of a server with no limits (tests, a lab).
public struct AdmitAll: AdmissionPolicy {
    public init() {}

    public func verdict(on _: CallRequest, routedAs _: RoutingDecision) -> AdmissionVerdict {
        .admit
    }
}

/// The trunk's calls-per-second limit: every call from a trunk with a limit takes a token from its bucket
/// (refused calls too: the limit is on attempts), and a call that finds none is refused `503` with
/// Retry-After 1.
public struct CallsPerSecondPolicy: AdmissionPolicy {
    /// The per-trunk buckets, shared by every event loop.
    public let limiter: CallRateLimiter

    public init(limiter: CallRateLimiter) {
        self.limiter = limiter
    }

    public func verdict(on _: CallRequest, routedAs decision: RoutingDecision) -> AdmissionVerdict {
        guard let limit = decision.callsPerSecondLimit, let trunk = decision.sourceTrunk,
            !limiter.admit(trunk: trunk, limit: limit)
        else { return .admit }
        return .refuse(Refusal(status: 503, reason: "over the trunk's limit of \(limit) calls per second", retryAfter: 1))
    }
}
