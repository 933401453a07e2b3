import Guard
import Identity
import NIOCore
import Observability
import Rating
import Routing
import SIP
import Telephony
import Timekeeping

/// The SIP redirect server's behavior, without sockets: a request in, the response to send (if any) out.
///
/// The call path in layers, as SIP stacks split it:
/// 1. **Server transactions** (this file, ``AnswerCache``): ACK absorbed; a retransmitted INVITE (same Call-ID,
///    CSeq and branch, from the same source) gets the same answer, and one that arrives while the first copy's
///    answer waits for caller identity is absorbed; CANCEL of an answered INVITE gets 200, of an unknown one 481,
///    and of one whose answer is pending 200, that INVITE then ending 487 (RFC 3261 §9.2); OPTIONS → 200 with Allow (keep-alive pings from SBCs), unless its Request-URI scheme is
///    unknown (416) or it requires an extension (420); other methods → 405 with Allow; a malformed request → 400
///    with the reason, a wrong SIP version → 505.
/// 2. **The INVITE's call path** (`CallPath.swift`): protocol checks (Max-Forwards 0 → 483, an unknown
///    Request-URI scheme → 416, a Require we do not support → 420), the routing decision over the current
///    snapshot, **admission** (the `Admission` policies: calls per second first; emergency calls always pass),
///    the routing record and Kari's Law notices.
/// 3. **Response encoding** (``RedirectEncoder``): `302 Moved Temporarily` with the ordered Contacts (q-values,
///    best first) and the emergency headers, or the refusal's status with a Reason header (RFC 3326) and
///    Retry-After when temporary.
/// 4. **Caller identity** (``CallerIdentityService``) adds its headers to the 302: `Identity` on outbound calls,
///    and on inbound calls P-Asserted-Identity with the verification status and caller name, within budgets.
///
/// Responses are dropped: a redirect server sends none of its own requests. Every routing decision (not a
/// retransmission's cached answer, nor a protocol refusal) is offered to the routing record queue, when there is
/// one, and timed in the metrics, when there are some; of calls from unknown sources, only a sample
/// (``UnknownSourceSampler``).
public struct RedirectResponder<Admission: AdmissionPolicy>: Sendable {
    /// Gives each call its time: rate-deck rows, cutover windows and signatures go by it, and records carry it.
    let clock: WallClock
    let table: RoutingTable
    let cache: AnswerCache
    let encoder: RedirectEncoder
    /// Where routing records go; `nil` keeps none.
    let records: RoutingRecordQueue?
    /// The metrics the server records into; `nil` records none.
    public let metrics: TandemMetrics?
    /// Signs outbound calls, verifies and names inbound callers.
    let identity: CallerIdentityService
    /// Where emergency calls are announced for the customer's notifications (Kari's Law); `nil` announces none.
    let emergencyCalls: EmergencyCallQueue?
    /// What a routed call passes before it is redirected.
    let admission: Admission
    /// Which calls from unknown sources get a routing record.
    let unknownSources: UnknownSourceSampler
    /// The SBCs whose `X-Tandem-Source` names where their calls came from.
    let trustedProxies: TrustedProxies
    /// Seals each redirect's decision into its `X-Tandem-Decision` header, for the SBC's records; `nil` adds none.
    let decisions: DecisionToken?

    /// A responder. `emergencyLocations` is where emergency calls' locations are published
    /// (`https://tandem.example.net/v1/e911/locations`): a location's URL is that, `/`, and its address id. The
    /// answer cache holds at most `cacheCapacity` answers and `cacheBytes` bytes (64 MiB by default).
    public init(
        clock: WallClock, table: RoutingTable, admission: Admission, cacheCapacity: Int = 65_536,
        cacheBytes: Int = 64 << 20, serverName: String = "Tandem", records: RoutingRecordQueue? = nil, metrics: TandemMetrics? = nil,
        emergencyLocations: String, identity: CallerIdentityService = CallerIdentityService(),
        emergencyCalls: EmergencyCallQueue? = nil, unknownSources: UnknownSourceSampler = UnknownSourceSampler(),
        trustedProxies: TrustedProxies = TrustedProxies(), decisions: DecisionToken? = nil
    ) {
        self.clock = clock
        self.trustedProxies = trustedProxies
        self.decisions = decisions
        self.unknownSources = unknownSources
        self.table = table
        self.admission = admission
        self.cache = AnswerCache(capacity: cacheCapacity, byteBudget: cacheBytes)
        self.encoder = RedirectEncoder(serverName: serverName, emergencyLocations: emergencyLocations)
        self.records = records
        self.metrics = metrics
        self.identity = identity
        self.emergencyCalls = emergencyCalls
    }

    /// The response to a parsed message from `source`, or `nil` when nothing should be sent: the answer's bytes
    /// as they go on the wire (before Via stamping), parsed back.
    public func respond(to message: SIPMessage, from source: IPAddress) -> SIPResponse? {
        guard case .request(let request) = message, let answer = self.answer(request, from: source) else { return nil }
        var buffer = ByteBuffer()
        answer.response.write(into: &buffer)
        var parser = SIPParser()
        return try? parser.parse(buffer).response
    }

    /// The response to a parsed message, waiting for caller identity that needs fetching (within its budgets) as
    /// the transports do.
    public func respond(to message: SIPMessage, from source: IPAddress) async -> SIPResponse? {
        guard case .request(let request) = message, var answer = self.answer(request, from: source) else { return nil }
        if let complete = answer.complete { answer = await complete() }
        var buffer = ByteBuffer()
        answer.response.write(into: &buffer)
        var parser = SIPParser()
        return try? parser.parse(buffer).response
    }

    /// The answer to a request from `source`, with the request's top Via for the transport, or `nil` when nothing
    /// should be sent.
    func answer(_ request: SIPRequest, from source: IPAddress) -> RedirectAnswer? {
        // An ACK is never answered (RFC 3261 §17.1.1.3, §17.2.1), valid or not: it is not validated either. Half of
        // the requests a redirect server gets are ACKs of its 302s.
        if request.method == .ack { return nil }
        let validated: SIPValidatedHeaders
        do {
            validated = try request.validate(requiringMaxForwards: false)
        } catch {
            let response = encoder.refusal(request, status: error.suggestedStatus, reason: error.suggestedStatus == 505
                ? "Version Not Supported" : "Bad Request", warning: error.reason)
            // The top Via may still parse when something else did not; the answer goes by it if so.
            let topVia = request.headers.values("Via").first.flatMap { try? SIPVia(parsing: $0) }
            return RedirectAnswer(response: response, topVia: topVia)
        }
        let response: SIPEncodedResponse
        switch request.method {
        case .options:
            if let refusal = headerRefusal(request) {
                response = refusal
                break
            }
            var options = SIPEncodedResponse(replyingTo: request, status: 200, reason: "OK", toTag: RedirectEncoder.tag(request))
            options.addHeader("Allow", RedirectMethods.allowed)
            options.addHeader("Accept", "application/sdp")
            options.addHeader("Server", encoder.serverName)
            response = options
        case .cancel:
            let found = cache.cancel(TransactionKey(request, validated, method: .invite, source: source)) != .unknown
            response = SIPEncodedResponse(replyingTo: request, status: found ? 200 : 481,
                                          reason: found ? "OK" : "Call/Transaction Does Not Exist",
                                          toTag: RedirectEncoder.tag(request))
        case .invite:
            // The key includes the source, so that no peer can plant or read another's answer.
            let key = TransactionKey(request, validated, method: .invite, source: source)
            switch cache.lookup(key) {
            case .answered(let cached):
                response = cached
            case .pending:
                // The first copy's answer waits for caller identity, and will answer this one too.
                return nil
            case nil:
                let invite = answerInvite(request, validated, from: source)
                // Only answers to trunks and carriers are remembered, and only small ones: an unknown peer cannot
                // fill the cache with 64 KB answers.
                let cacheable = invite.fromKnownSource && invite.response.byteCount <= 4_096
                if cacheable {
                    cache.store(invite.response, for: key, pending: invite.complete != nil)
                }
                guard let complete = invite.complete else {
                    response = invite.response
                    break
                }
                let (cache, topVia, encoder) = (self.cache, validated.topVia, self.encoder)
                let trying = SIPEncodedResponse(replyingTo: request, status: 100, reason: "Trying")
                return RedirectAnswer(response: invite.response, topVia: topVia, trying: trying) {
                    let completed = await complete()
                    guard cacheable else { return RedirectAnswer(response: completed, topVia: topVia) }
                    // Cancelled while it waited: the INVITE ends 487 (RFC 3261 §9.2), not with a redirect the
                    // caller no longer wants.
                    let final = cache.finish(
                        key, completed: completed,
                        cancelled: encoder.refusal(request, status: 487, reason: "Request Terminated", warning: nil)
                    )
                    return RedirectAnswer(response: final, topVia: topVia)
                }
            }
        default:
            var refused = encoder.refusal(request, status: 405, reason: "Method Not Allowed", warning: nil)
            refused.addHeader("Allow", RedirectMethods.allowed)
            response = refused
        }
        return RedirectAnswer(response: response, topVia: validated.topVia)
    }

    /// What a request of a method we answer is refused for once its method is known (RFC 3261 §8.2.2): a
    /// Request-URI scheme we do not understand (`416`), then an extension it requires that we do not support
    /// (`420` with Unsupported; we support none). CANCEL and ACK are never refused for these (§8.2.2.3).
    func headerRefusal(_ request: SIPRequest) -> SIPEncodedResponse? {
        switch request.uri.scheme {
        case .sip, .sips, .tel: break
        default:
            return encoder.refusal(request, status: 416, reason: "Unsupported URI Scheme", warning: nil)
        }
        let required = request.headers.values("Require")
        guard !required.isEmpty else { return nil }
        var response = encoder.refusal(request, status: 420, reason: "Bad Extension", warning: nil)
        response.addHeader("Unsupported", required.joined(separator: ", "))
        return response
    }
}

/// The methods the redirect server answers.
public enum RedirectMethods {
    /// The methods, as the Allow header lists them.
    public static let allowed = "INVITE, ACK, CANCEL, OPTIONS"
}
