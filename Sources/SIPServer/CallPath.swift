import Guard
import Rating
import Routing
import SIP
import Telephony

/// An INVITE's answer, as the call path gives it to the transaction layer.
struct InviteAnswer {
    /// The answer to send now.
    var response: SIPEncodedResponse
    /// The call came from a known trunk or carrier: its answer may be remembered for retransmissions.
    var fromKnownSource: Bool
    /// When caller identity needs fetching: the better answer to give if it comes within its budget.
    var complete: (@Sendable () async -> SIPEncodedResponse)?
}

extension RedirectResponder {
    /// The INVITE's path: protocol checks, routing, admission, the record, emergency notices, identity, and the
    /// response's encoding. `transport` is the socket's peer; the call's source is the address a trusted SBC names,
    /// else that.
    func answerInvite(_ request: SIPRequest, _ validated: SIPValidatedHeaders, from transport: IPAddress) -> InviteAnswer {
        if let refusal = protocolRefusal(request, validated) {
            return InviteAnswer(response: refusal, fromKnownSource: false)
        }
        let source: IPAddress
        do {
            source = try trustedProxies.callSource(of: request, from: transport)
        } catch {
            // Even a 911 call: from a source it cannot name, routing could only refuse it as the SBC's own (no trunk's).
            return InviteAnswer(
                response: encoder.refusal(request, status: 400, reason: "Bad Request", warning: error.reason), fromKnownSource: false
            )
        }
        let milliseconds = clock.unixMilliseconds()
        let throughSBC = trustedProxies.trusts(transport)
        let call = CallRequest(
            source: source, dialed: CallParties.number(request.uri.user ?? request.uri.opaque),
            caller: CallParties.caller(request, fromUser: validated.fromUser),
            callID: request.headers.callID ?? "", time: milliseconds / 1_000, throughSBC: throughSBC
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
        admission.admit(call, &decision)
        let fromKnownSource = decision.sourceTrunk != nil || decision.fromCarrier
        // A source that is no trunk's or carrier's is refused every time, but recorded only in samples.
        if fromKnownSource || unknownSources.admit(source) {
            records?.offer(RoutingRecord(request: call, decision: decision, at: milliseconds))
        } else {
            metrics?.recordsSampledOut.increment()
        }
        let targets: [RouteTarget]
        switch decision.outcome {
        case .redirect(let chosen):
            targets = chosen
        case .refuse(let refusal):
            return InviteAnswer(response: encoder.refusal(request, refusal), fromKnownSource: fromKnownSource)
        }
        var response = encoder.redirect(request, to: targets)
        // Only a trusted SBC gets the decision, for its records: it names the customer's and the carriers' rates.
        if let decisions, throughSBC {
            response.addHeader(DecisionToken.header, decisions.seal(CallDecision(decision, callID: call.callID, at: call.time)))
        }
        let host = targets.first?.host ?? ""
        if let emergency = decision.emergency {
            let dialed = decision.normalized ?? call.dialed
            if !encoder.addEmergencyHeaders(emergency, to: &response, host: host) {
                metrics?.countUnlocatedEmergencyCall(dialed: dialed)
            }
            emergencyCalls?.offer(EmergencyCallNotice(
                dialed: dialed, call: emergency, trunkId: decision.sourceTrunk, callID: call.callID, at: milliseconds
            ))
        }
        if let header = identity.identityHeader(for: decision, call: call, request: request, in: snapshot) {
            response.addHeader("Identity", header)
        }
        guard decision.fromCarrier, let caller = call.caller else {
            response.addHeader("Server", encoder.serverName)
            return InviteAnswer(response: response, fromKnownSource: fromKnownSource)
        }
        // An inbound call: tell the customer who calls, and how sure we are.
        let (immediate, complete) = identity.callerIdentity(of: call, request: request, in: snapshot)
        let (serverName, metrics, base) = (encoder.serverName, self.metrics, response)
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
            return InviteAnswer(response: finished(immediate), fromKnownSource: fromKnownSource)
        }
        return InviteAnswer(response: finished(immediate), fromKnownSource: fromKnownSource) {
            let info = await complete()
            metrics?.countVerification(info.verstat.rawValue, reason: info.failure?.code)
            return finished(info)
        }
    }

    /// The refusal an INVITE gets before it is routed: no hops left, then what any request is refused for
    /// (``RedirectResponder/headerRefusal(_:)``), except that an emergency call is routed whatever it requires.
    private func protocolRefusal(_ request: SIPRequest, _ validated: SIPValidatedHeaders) -> SIPEncodedResponse? {
        if validated.maxForwards == 0 {
            return encoder.refusal(request, status: 483, reason: "Too Many Hops", warning: nil)
        }
        guard let refusal = headerRefusal(request) else { return nil }
        if refusal.status == 420, DialedNumber(classifying: CallParties.number(request.uri.user ?? request.uri.opaque)).isEmergency {
            return nil
        }
        return refusal
    }
}

/// Who calls and who is called, as an INVITE names them.
enum CallParties {
    /// The calling number: P-Asserted-Identity (RFC 3325) when present, else From's URI user (as validation found
    /// it); `nil` when anonymous.
    static func caller(_ request: SIPRequest, fromUser: String?) -> String? {
        let identity = request.headers.values("P-Asserted-Identity").first
            .flatMap { try? SIPNameAddress(parsing: $0, header: "P-Asserted-Identity") }
        guard let user = identity.map({ $0.uri.user ?? $0.uri.opaque }) ?? fromUser else { return nil }
        let number = number(user)
        return number.isEmpty || number.lowercased() == "anonymous" ? nil : number
    }

    /// The telephone number of a URI user part: what comes before its parameters (`+12125551212;npdi;rn=...`,
    /// `911;phone-context=...`; RFC 3966 §3, RFC 4694).
    static func number(_ user: String) -> String {
        guard let semicolon = user.utf8.firstIndex(of: UInt8(ascii: ";")) else { return user }
        return String(user[..<semicolon])
    }
}
