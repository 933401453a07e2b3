import Foundation
import Guard
import Identity
import NIOConcurrencyHelpers
import NIOCore
import Observability
import Routing
import SIP
import Telephony
import Timekeeping

/// The SIP redirect server's behavior, without sockets: a request in, the response to send (if any) out.
///
/// - OPTIONS → 200 with Allow (keep-alive pings from SBCs).
/// - INVITE → a routing decision: `302 Moved Temporarily` with the ordered Contacts (q-values, best first),
///   or the refusal's status with a Reason header (RFC 3326) and Retry-After when temporary.
/// - A retransmitted INVITE (same Call-ID, CSeq and branch) gets the same answer, from a bounded cache; one that
///   arrives while the first copy's answer waits for caller identity is absorbed (that answer serves both).
/// - ACK is absorbed; CANCEL of an answered INVITE gets 200, of an unknown one 481 (RFC 3261 §9.2).
/// - Max-Forwards 0 → 483; an unknown Request-URI scheme → 416; a Require we do not support → 420;
///   a wrong SIP version → 505; a malformed request → 400 with the reason; other methods → 405 with Allow.
/// - Responses are dropped: a redirect server sends none of its own requests.
///
/// Every routing decision (not a retransmission's cached answer, nor a protocol refusal) is offered to the
/// routing record queue, when there is one, and timed in the metrics, when there are some.
public struct RedirectResponder: Sendable {
    /// The methods the server answers, for Allow.
    public static let allowed = "INVITE, ACK, CANCEL, OPTIONS"

    /// Gives each call its time: rate-deck rows, cutover windows and signatures go by it, and records carry it.
    let clock: WallClock
    let table: RoutingTable
    let cache: AnswerCache
    let serverName: String
    /// Where routing records go; `nil` keeps none.
    let records: RoutingRecordQueue?
    /// The metrics the server records into; `nil` records none.
    public let metrics: TandemMetrics?
    /// Counts trunks' calls against their calls-per-second limits.
    let callLimiter: CallRateLimiter
    /// Where the HTTP API is reached from outside (`https://tandem.example.net`): emergency calls' locations
    /// are published under it.
    let locationBaseURL: String
    /// Signs outbound calls, verifies and names inbound callers.
    let identity: CallerIdentityService
    /// Where emergency calls are announced for the customer's notifications (Kari's Law); `nil` announces none.
    let emergencyCalls: EmergencyCallQueue?

    public init(
        clock: WallClock, table: RoutingTable, cacheCapacity: Int = 65_536, serverName: String = "Tandem",
        records: RoutingRecordQueue? = nil, metrics: TandemMetrics? = nil, callLimiter: CallRateLimiter = CallRateLimiter(),
        locationBaseURL: String = "http://127.0.0.1:8080", identity: CallerIdentityService = CallerIdentityService(),
        emergencyCalls: EmergencyCallQueue? = nil
    ) {
        self.clock = clock
        self.identity = identity
        self.locationBaseURL = locationBaseURL
        self.emergencyCalls = emergencyCalls
        self.table = table
        self.cache = AnswerCache(capacity: cacheCapacity)
        self.serverName = serverName
        self.records = records
        self.metrics = metrics
        self.callLimiter = callLimiter
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
            let response = refusal(request, status: error.suggestedStatus, reason: error.suggestedStatus == 505
                ? "Version Not Supported" : "Bad Request", warning: error.reason)
            // The top Via may still parse when something else did not; the answer goes by it if so.
            let topVia = request.headers.values("Via").first.flatMap { try? SIPVia(parsing: $0) }
            return RedirectAnswer(response: response, topVia: topVia)
        }
        let response: SIPEncodedResponse
        switch request.method {
        case .options:
            var options = SIPEncodedResponse(replyingTo: request, status: 200, reason: "OK", toTag: tag(request))
            options.addHeader("Allow", Self.allowed)
            options.addHeader("Accept", "application/sdp")
            options.addHeader("Server", serverName)
            response = options
        case .cancel:
            let answered = cache.contains(TransactionKey(request, validated, method: .invite, source: source))
            response = SIPEncodedResponse(replyingTo: request, status: answered ? 200 : 481,
                                   reason: answered ? "OK" : "Call/Transaction Does Not Exist", toTag: tag(request))
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
                let (answer, fromKnownSource, complete) = answerInvite(request, validated, from: source)
                // Only answers to trunks and carriers are remembered, and only small ones: an unknown peer cannot
                // fill the cache with 64 KB answers.
                let cacheable = fromKnownSource && answer.byteCount <= 4_096
                if cacheable {
                    cache.store(answer, for: key, pending: complete != nil)
                }
                guard let complete else {
                    response = answer
                    break
                }
                let (cache, topVia) = (self.cache, validated.topVia)
                let trying = SIPEncodedResponse(replyingTo: request, status: 100, reason: "Trying")
                return RedirectAnswer(response: answer, topVia: topVia, trying: trying) {
                    let completed = await complete()
                    if cacheable { cache.store(completed, for: key) }
                    return RedirectAnswer(response: completed, topVia: topVia)
                }
            }
        default:
            var refused = refusal(request, status: 405, reason: "Method Not Allowed", warning: nil)
            refused.addHeader("Allow", Self.allowed)
            response = refused
        }
        return RedirectAnswer(response: response, topVia: validated.topVia)
    }

    /// The answer to an INVITE, whether it came from a known trunk or carrier, and, when caller identity needs
    /// fetching, the better answer to give if it comes within its budget.
    private func answerInvite(
        _ request: SIPRequest, _ validated: SIPValidatedHeaders, from source: IPAddress
    ) -> (SIPEncodedResponse, Bool, (@Sendable () async -> SIPEncodedResponse)?) {
        if validated.maxForwards == 0 {
            return (refusal(request, status: 483, reason: "Too Many Hops", warning: nil), false, nil)
        }
        switch request.uri.scheme {
        case .sip, .sips, .tel: break
        default:
            return (refusal(request, status: 416, reason: "Unsupported URI Scheme", warning: nil), false, nil)
        }
        // The number is the user part up to its parameters (`+12125551212;npdi;rn=...`, `911;phone-context=...`).
        let dialed = Self.number(request.uri.user ?? request.uri.opaque)
        // A redirect needs no extension, but RFC 3261 §8.2.2.3 has a UAS refuse unknown Require options;
        // emergency calls are routed regardless.
        let required = request.headers.values("Require")
        if !required.isEmpty, !DialedNumber(classifying: dialed).isEmergency {
            var response = refusal(request, status: 420, reason: "Bad Extension", warning: nil)
            response.addHeader("Unsupported", required.joined(separator: ", "))
            return (response, false, nil)
        }
        let milliseconds = clock.unixMilliseconds()
        let call = CallRequest(
            source: source, dialed: dialed, caller: Self.caller(request, fromUser: validated.fromUser),
            callID: request.headers.callID ?? "", time: milliseconds / 1_000
        )
        let snapshot = table.current
        var decision: RoutingDecision
        if let metrics {
            let started = ContinuousClock.now
            decision = Router.decide(call, in: snapshot)
            metrics.decisionDuration.record(.now - started)
        } else {
            decision = Router.decide(call, in: snapshot)
        }
        // Every call from a trunk counts against its calls-per-second limit; one over it is not redirected.
        if let limit = decision.callsPerSecondLimit, let trunk = decision.sourceTrunk,
            !callLimiter.admit(trunk: trunk, limit: limit), case .redirect = decision.outcome
        {
            decision.outcome = .refuse(Refusal(
                status: 503, reason: "over the trunk's limit of \(limit) calls per second", retryAfter: 1
            ))
        }
        records?.offer(RoutingRecord(request: call, decision: decision, at: milliseconds))
        let fromKnownSource = decision.sourceTrunk != nil || decision.fromCarrier
        switch decision.outcome {
        case .redirect(let targets):
            var response = SIPEncodedResponse(
                replyingTo: request, status: 302, reason: "Moved Temporarily", toTag: tag(request)
            )
            for (index, target) in targets.enumerated() {
                response.addHeader("Contact") { Self.writeContact(target, q: max(10 - index, 1), into: &$0) }
            }
            let host = targets.first?.host ?? ""
            if let emergency = decision.emergency {
                let dialed = decision.normalized ?? call.dialed
                addEmergencyHeaders(emergency, dialed: dialed, to: &response, host: host)
                emergencyCalls?.offer(EmergencyCallNotice(
                    dialed: dialed, call: emergency, trunkId: decision.sourceTrunk, callID: call.callID, at: milliseconds
                ))
            }
            if let header = identity.identityHeader(for: decision, call: call, request: request, in: snapshot) {
                response.addHeader("Identity", header)
            }
            guard decision.fromCarrier, let caller = call.caller else {
                response.addHeader("Server", serverName)
                return (response, fromKnownSource, nil)
            }
            // An inbound call: tell the customer who calls, and how sure we are.
            let (immediate, complete) = identity.callerIdentity(of: call, request: request, in: snapshot)
            let (serverName, metrics, base) = (self.serverName, self.metrics, response)
            let finished: @Sendable (CallerInfo) -> SIPEncodedResponse = { info in
                var response = base
                if let identity = info.assertedIdentity(number: caller, host: host) {
                    response.addHeader("P-Asserted-Identity", identity)
                }
                response.addHeader("Server", serverName)
                return response
            }
            guard let complete else {
                metrics?.countVerification(immediate.verstat.rawValue, reason: immediate.failure?.code)
                return (finished(immediate), fromKnownSource, nil)
            }
            return (finished(immediate), fromKnownSource, {
                let info = await complete()
                metrics?.countVerification(info.verstat.rawValue, reason: info.failure?.code)
                return finished(info)
            })
        case .refuse(let refusal):
            var response = self.refusal(request, status: refusal.status, reason: Self.phrase(refusal.status), warning: nil)
            response.addHeader("Reason", "SIP ;cause=\(refusal.status) ;text=\"\(Self.quoted(refusal.reason))\"")
            if let retryAfter = refusal.retryAfter {
                response.addHeader("Retry-After", String(retryAfter))
            }
            return (response, fromKnownSource, nil)
        }
    }

    /// What the emergency provider needs beside the route: the callback number (RFC 3325) and the caller's
    /// location by reference (RFC 6442), dereferenced at `locationBaseURL`. A caller without a validated
    /// address is still routed, with a warning in the answer, and counted in the metrics.
    private func addEmergencyHeaders(
        _ emergency: EmergencyCall, dialed: String, to response: inout SIPEncodedResponse, host: String
    ) {
        if let callback = emergency.callback {
            response.addHeader("P-Asserted-Identity", "<sip:\(callback.e164)@\(host);user=phone>")
        }
        if let location = emergency.location {
            response.addHeader("Geolocation", "<\(locationBaseURL)/v1/e911/locations/\(location.addressId)>")
            response.addHeader("Geolocation-Routing", "no")
        } else {
            response.addHeader("Warning", "399 \(serverName.lowercased()) \"no validated address for the calling number\"")
            metrics?.countUnlocatedEmergencyCall(dialed: dialed)
        }
    }

    /// Writes a Contact value for a redirect target: `<sip:user@host:port;transport=...;user=phone>;q=0.9`, its
    /// q-value given in tenths (RFC 3261 §20.10). An IPv6 host goes in brackets; TLS targets are `sips`.
    private static func writeContact(_ target: RouteTarget, q tenths: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(target.transport == "tls" ? "<sips:" : "<sip:")
        buffer.writeString(target.user)
        buffer.writeInteger(UInt8(ascii: "@"))
        let bracketed = target.host.utf8.contains(UInt8(ascii: ":")) && target.host.utf8.first != UInt8(ascii: "[")
        if bracketed { buffer.writeInteger(UInt8(ascii: "[")) }
        buffer.writeString(target.host)
        if bracketed { buffer.writeInteger(UInt8(ascii: "]")) }
        buffer.writeInteger(UInt8(ascii: ":"))
        buffer.writeString(String(target.port))
        if target.transport != "udp" {
            buffer.writeStaticString(";transport=")
            buffer.writeString(target.transport)
        }
        // Telephone numbers in SIP URIs carry user=phone (RFC 3261 §19.1.1), as do their rn/npdi parameters.
        if target.user.utf8.first == UInt8(ascii: "+") { buffer.writeStaticString(";user=phone") }
        if tenths == 10 {
            buffer.writeStaticString(">;q=1.0")
        } else {
            buffer.writeStaticString(">;q=0.")
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(tenths))
        }
    }

    private func refusal(_ request: SIPRequest, status: Int, reason: String, warning: String?) -> SIPEncodedResponse {
        var response = SIPEncodedResponse(replyingTo: request, status: status, reason: reason, toTag: tag(request))
        if let warning {
            response.addHeader("Warning", "399 \(serverName.lowercased()) \"\(Self.quoted(warning))\"")
        }
        response.addHeader("Server", serverName)
        return response
    }

    /// A To-tag derived from the request, so retransmissions and the final answer agree (RFC 3261 §8.2.6.2).
    private func tag(_ request: SIPRequest) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (request.headers.callID ?? "").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 36)
    }

    /// The calling number: P-Asserted-Identity (RFC 3325) when present, else From's URI user (as validation found
    /// it); `nil` when anonymous.
    static func caller(_ request: SIPRequest, fromUser: String?) -> String? {
        let identity = request.headers.values("P-Asserted-Identity").first
            .flatMap { try? SIPNameAddress(parsing: $0, header: "P-Asserted-Identity") }
        guard let user = identity.map({ $0.uri.user ?? $0.uri.opaque }) ?? fromUser else { return nil }
        let number = number(user)
        return number.isEmpty || number.lowercased() == "anonymous" ? nil : number
    }

    /// The telephone number of a URI user part: what comes before its parameters (RFC 3966 §3, RFC 4694).
    static func number(_ user: String) -> String {
        guard let semicolon = user.utf8.firstIndex(of: UInt8(ascii: ";")) else { return user }
        return String(user[..<semicolon])
    }

    private static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.prefix(200).map(Character.init))
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 480: "Temporarily Unavailable"
        case 484: "Address Incomplete"
        case 486: "Busy Here"
        case 500: "Server Internal Error"
        case 503: "Service Unavailable"
        case 603: "Decline"
        default: "Refused"
        }
    }
}

/// An answer to send, and the top Via of the request it answers: the transport stamps that Via and sends the
/// answer by it (RFC 3261 §18.2.1, §18.2.2).
struct RedirectAnswer: Sendable {
    var response: SIPEncodedResponse
    var topVia: SIPVia?
    /// When caller identity needs fetching: the better answer, within the fetches' budgets. `response` is what
    /// to send if they run out.
    var complete: (@Sendable () async -> RedirectAnswer)?
    /// When the answer waits: the 100 Trying to send at once, so the client stops retransmitting (RFC 3261 §17.2.1).
    var trying: SIPEncodedResponse?

    init(response: SIPEncodedResponse, topVia: SIPVia?, trying: SIPEncodedResponse? = nil,
         complete: (@Sendable () async -> RedirectAnswer)? = nil) {
        self.response = response
        self.topVia = topVia
        self.trying = trying
        self.complete = complete
    }

    /// The provisional answer to send while this one waits, if it does.
    var provisional: RedirectAnswer? {
        trying.map { RedirectAnswer(response: $0, topVia: topVia) }
    }
}

/// What identifies an INVITE transaction for its retransmissions (RFC 3261 §17.2.3), and the peer that sent it.
struct TransactionKey: Equatable, Sendable {
    var source: IPAddress
    var callID: String
    var sequence: UInt32
    var method: SIPMethod
    var branch: String
    /// A 64-bit digest of the rest, with the process's random hashing seed: the cache's index. Two keys may share
    /// one, so the cache compares the whole key before it answers.
    let digest: UInt64

    init(_ request: SIPRequest, _ validated: SIPValidatedHeaders, method: SIPMethod, source: IPAddress) {
        self.init(
            source: source, callID: request.headers.callID ?? "", sequence: validated.cseq?.number ?? 0,
            method: method, branch: validated.topVia?.branch ?? ""
        )
    }

    /// A key; `digest` replaces the computed one, so that tests can make two keys collide.
    init(source: IPAddress, callID: String, sequence: UInt32, method: SIPMethod, branch: String, digest: UInt64? = nil) {
        self.source = source
        self.callID = callID
        self.sequence = sequence
        self.method = method
        self.branch = branch
        if let digest {
            self.digest = digest
        } else {
            var hasher = Hasher()
            hasher.combine(source)
            hasher.combine(callID)
            hasher.combine(sequence)
            hasher.combine(method)
            hasher.combine(branch)
            self.digest = UInt64(UInt(bitPattern: hasher.finalize()))
        }
    }
}

/// The answers given to recent INVITEs, so that retransmissions get the same one (RFC 3261 §17.2.1).
///
/// Bounded: once full, the oldest answer is forgotten first. Entries also expire after 32 s (timer H's
/// 64*T1), after which a retransmission is treated as a new request. The table is indexed by the keys' digests,
/// which hash and compare as one integer; an entry answers only the key it was stored for. Of two keys with one
/// digest, the later answer replaces the earlier, whose retransmissions are then routed again.
final class AnswerCache: Sendable {
    private struct Entry {
        var key: TransactionKey
        var response: SIPEncodedResponse
        var at: NIODeadline
        /// The answer waits for caller identity; until it comes, retransmissions are absorbed.
        var pending: Bool
    }

    /// What the cache knows of a transaction.
    enum Lookup {
        case answered(SIPEncodedResponse)
        case pending
    }

    private struct State {
        var answers: [UInt64: Entry] = [:]
        var order: [UInt64] = []
        var head = 0
    }

    private let capacity: Int
    private let lifetime = TimeAmount.seconds(32)
    private let state = NIOLockedValueBox(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        // Room for every answer from the start: growing the table would copy it while requests wait.
        self.state.withLockedValue { $0.answers.reserveCapacity(capacity) }
    }

    func lookup(_ key: TransactionKey) -> Lookup? {
        state.withLockedValue { state in
            guard let entry = state.answers[key.digest], entry.key == key, entry.at + lifetime > .now() else {
                return nil
            }
            return entry.pending ? .pending : .answered(entry.response)
        }
    }

    /// The answer given to `key`, when it has been given.
    func answer(_ key: TransactionKey) -> SIPEncodedResponse? {
        guard case .answered(let response)? = lookup(key) else { return nil }
        return response
    }

    func contains(_ key: TransactionKey) -> Bool {
        lookup(key) != nil
    }

    func store(_ response: SIPEncodedResponse, for key: TransactionKey, pending: Bool = false) {
        state.withLockedValue { state in
            let entry = Entry(key: key, response: response, at: .now(), pending: pending)
            if state.answers.updateValue(entry, forKey: key.digest) != nil {
                return
            }
            if state.order.count < capacity {
                state.order.append(key.digest)
            } else {
                state.answers.removeValue(forKey: state.order[state.head])
                state.order[state.head] = key.digest
                state.head = (state.head + 1) % capacity
            }
        }
    }
}
