import Foundation
import Telephony

// MARK: - Router

/// Decides where calls go: a pure function of the request and a snapshot.
///
/// The order follows the domain's routing steps: identify the source, normalize the dialed string, route
/// emergency calls before anything else, deliver calls to our own numbers to their owner's trunk, then
/// outbound calls through the cheapest carriers that cost no more than the customer pays, after an LRN dip.
public enum Router {
    /// Routes one call. Never throws: every failure is a refusal with its SIP status.
    public static func decide(_ request: CallRequest, in snapshot: RoutingSnapshot, explain: Bool = false) -> RoutingDecision {
        var decision = RoutingDecision(outcome: .refuse(Refusal(status: 500, reason: "no decision")))
        // Filled in by another function: one that assigns to the decision and then returns it copies it whole
        // (retaining everything in it) on the way out.
        record(request, in: snapshot, explain: explain, into: &decision)
        return decision
    }

    /// Writes the outcome of routing `request` into `decision`, with the steps that led to it when explaining.
    private static func record(
        _ request: CallRequest, in snapshot: RoutingSnapshot, explain: Bool, into decision: inout RoutingDecision
    ) {
        // Steps live apart from the decision, so that the steps below can fill in the decision while noting steps.
        var steps: [String] = []
        func note(_ step: @autoclosure () -> String) {
            if explain { steps.append(step()) }
        }
        decision.outcome = route(request, in: snapshot, decision: &decision, note: note)
        decision.steps = steps
    }

    /// The routing steps of `decide`: returns the outcome, and records the rest of the decision on the way.
    private static func route(
        _ request: CallRequest, in snapshot: RoutingSnapshot, decision: inout RoutingDecision,
        note: (@autoclosure () -> String) -> Void
    ) -> RoutingOutcome {
        // 1. Source.
        let source = snapshot.sources.source(for: request.source)
        if case .carrier(let id)? = source {
            note("source \(request.source) is carrier \(id)")
            decision.fromCarrier = true
            return fromCarrier(request, in: snapshot, decision: &decision, note: note)
        }
        guard case .trunk(let trunk)? = source else {
            note("source \(request.source) matches no trunk or carrier")
            return .refuse(Refusal(status: 403, reason: "unknown source \(request.source)"))
        }
        // Read through the compiled trunk: binding `trunk.route` would copy the whole TrunkRoute.
        decision.sourceTrunk = trunk.route.id
        note("source \(request.source) is trunk \(trunk.route.id) of account \(trunk.route.accountId)")

        // 2. Normalize.
        let caller = request.caller.flatMap { PhoneNumber($0) }
        let dialed = DialedNumber(classifying: request.dialed, callerNPA: caller?.npa)
        note("dialed '\(request.dialed)' is \(describe(dialed))")

        // 3. Emergency first: no limit, account state or policy stands in the way.
        if dialed.isEmergency {
            let code = dialed == .emergency ? "911" : "933"
            decision.normalized = code
            guard let route = snapshot.emergency else {
                note("no emergency route is configured")
                return .refuse(Refusal(status: 503, reason: "no emergency route configured", retryAfter: 5))
            }
            // The location is the caller's own number's address: never another account's.
            let location = caller.flatMap { snapshot.numbers[$0.digits] }
                .flatMap { $0.accountId == trunk.route.accountId ? $0.emergencyLocation : nil }
            decision.emergency = EmergencyCall(accountId: trunk.route.accountId, callback: caller, location: location)
            note("emergency call: to the emergency route \(route.host):\(route.port), callback \(caller?.e164 ?? "unknown")")
            note(location.map { "location: \($0.line) (ESN \($0.esn), \($0.psap))" }
                ?? "no validated address for the calling number: routed without a location, and alerted")
            return .redirect([
                RouteTarget(user: code, host: route.host, port: route.port, transport: route.transport, label: "emergency"),
            ])
        }

        // Every other call counts against the trunk's calls-per-second limit and takes one of its channels (which the
        // admission policies enforce).
        if trunk.route.maxCallsPerSecond > 0 { decision.callsPerSecondLimit = trunk.route.maxCallsPerSecond }
        decision.channelTrunk = trunk.route.id
        if trunk.route.maxChannels > 0 { decision.channelLimit = trunk.route.maxChannels }

        /// Refuses calls from inactive accounts and caller IDs the trunk may not present (or flags them).
        func accountAndCallerID() -> Refusal? {
            guard trunk.route.accountActive else {
                note("account \(trunk.route.accountId) is not active")
                return Refusal(status: 403, reason: "account suspended")
            }
            switch callerIDVerdict(caller, request.caller, trunk.route, snapshot) {
            case .allowed(let why):
                note("caller ID: \(why)")
            case .violation(let why) where trunk.route.callerID.rejectViolations:
                note("caller ID: \(why); the trunk rejects violations")
                return Refusal(status: 403, reason: "caller ID not allowed: \(why)")
            case .violation(let why):
                note("caller ID: \(why); flagged, routed anyway")
                decision.callerIDFlagged = true
            }
            return nil
        }

        let number: PhoneNumber
        switch dialed {
        case .geographic(let value), .tollFree(let value), .premium(let value), .caribbean(let value):
            number = value
        case .incomplete:
            return .refuse(Refusal(status: 484, reason: "incomplete number '\(request.dialed)'"))
        case .invalid(let error):
            return .refuse(Refusal(status: 404, reason: "not a routable number: \(error)"))
        case .serviceCode(let code):
            return .refuse(Refusal(status: 404, reason: "service code \(code) is not offered"))
        case .international(let digits):
            decision.normalized = "+" + digits
            if let refusal = accountAndCallerID() { return .refuse(refusal) }
            note("international destination +\(digits)")
            return outbound(.international(digits: UInt64(digits) ?? 0, count: digits.utf8.count), plan: trunk.plan,
                            account: trunk.route.accountId, in: snapshot, time: request.time, decision: &decision, note: note)
        case .emergency, .emergencyTest:
            preconditionFailure("handled above")
        }
        decision.normalized = number.e164

        // 4. Account state and caller ID (for everything but emergency calls).
        if let refusal = accountAndCallerID() { return .refuse(refusal) }

        // 5. One of our numbers: deliver it to the owner's trunk, then to its failover targets.
        if let route = snapshot.numbers[number.digits] {
            return inbound(to: route, callID: request.callID, in: snapshot, time: request.time, decision: &decision, note: note)
        }

        // 6. Outbound, through the cheapest carriers that do not cost more than the customer pays.
        if case .premium = dialed {
            note("premium-rate (900) destinations are blocked")
            return .refuse(Refusal(status: 603, reason: "premium-rate destinations are blocked by policy"))
        }
        let destination: Destination
        if case .caribbean = dialed {
            destination = .international(digits: number.digits + 10_000_000_000, count: 11)
            note("\(number.e164) is rated as international")
        } else {
            destination = nanpDestination(number, from: caller, in: snapshot, note: note)
            if case .nanp(_, _, let lrn, _, let jurisdiction) = destination {
                decision.lrn = lrn?.e164
                decision.jurisdiction = jurisdiction
            }
        }
        return outbound(destination, plan: trunk.plan, account: trunk.route.accountId, in: snapshot, time: request.time,
                        decision: &decision, note: note)
    }

    /// A NANP destination after the LRN dip, with the jurisdiction of a call to it from `origin`.
    private static func nanpDestination(
        _ number: PhoneNumber, from origin: PhoneNumber?, in snapshot: RoutingSnapshot, note: (@autoclosure () -> String) -> Void
    ) -> Destination {
        let dip = snapshot.ported.dip(number)
        let lrn: PhoneNumber? = if case .ported(let lrn) = dip { lrn } else { nil }
        let jurisdiction = Jurisdiction(
            from: origin.flatMap { snapshot.locations.location(of: $0) }, to: snapshot.locations.location(of: lrn ?? number)
        )
        switch dip {
        case .notPorted: note("LRN dip: \(number.e164) is not ported")
        case .ported(let lrn): note("LRN dip: \(number.e164) is ported to LRN \(lrn.e164)")
        case .portedToUnknownLRN:
            note("LRN dip: \(number.e164) was ported away from us to an LRN not known yet: sent without npdi for the carrier to dip")
        }
        note("jurisdiction: \(jurisdiction.rawValue)")
        return .nanp(dialed: number, routed: lrn ?? number, lrn: lrn, dipped: dip != .portedToUnknownLRN, jurisdiction: jurisdiction)
    }

    // MARK: - Inbound

    /// A call to one of our numbers: the hosts of the number's trunk (by priority and weight), then each
    /// failover target in order. Failover targets are not followed further, so they cannot loop.
    private static func inbound(
        to route: NumberRoute, callID: String, in snapshot: RoutingSnapshot, time: Int64,
        decision: inout RoutingDecision, note: (@autoclosure () -> String) -> Void
    ) -> RoutingOutcome {
        let number = route.number
        var targets: [RouteTarget] = []
        /// Adds a trunk's hosts, with `user` as the number the trunk is told was called; the trunk, or `nil` when it has
        /// no hosts to add.
        @discardableResult
        func deliver(_ user: PhoneNumber, to trunkId: String?) -> CompiledTrunk? {
            // The compiled trunk, read in place: `?.route` would copy the whole TrunkRoute.
            guard let trunkId, let trunk = snapshot.trunks[trunkId], !trunk.route.hosts.isEmpty else { return nil }
            let hosts = ordered(trunk.route.hosts, seed: callID)
            note("\(user.e164): trunk \(trunk.route.id), \(hosts.count) host(s)")
            let e164 = user.e164
            targets.reserveCapacity(targets.count + hosts.count)
            for host in hosts {
                targets.append(RouteTarget(
                    user: e164, host: host.address, port: host.port, transport: host.transport, label: trunk.route.id
                ))
            }
            return trunk
        }
        note("\(number.e164) is ours: account \(route.accountId)")
        decision.accountId = route.accountId
        decision.toOurNumber = true
        decision.destinationTrunk = route.trunkId
        if let forward = route.cutoverForward, time < forward.until {
            targets = cutoverTargets(route, forward, in: snapshot, time: time, decision: &decision, note: note)
        }
        if let trunk = deliver(number, to: route.trunkId) {
            // A carrier's call takes a channel of the number's trunk (a trunk's own call took one of the caller's).
            if decision.channelTrunk == nil {
                decision.channelTrunk = trunk.route.id
                if trunk.route.maxChannels > 0 { decision.channelLimit = trunk.route.maxChannels }
            }
        } else {
            note("\(number.e164) points at no trunk that can take calls")
        }
        for target in route.failover {
            switch target {
            case .trunk(let id):
                note("failover to trunk \(id)")
                if deliver(number, to: id) == nil { note("failover trunk \(id) has no hosts; skipped") }
            case .number(let forward):
                if let owned = snapshot.numbers[forward.digits] {
                    note("failover to \(forward.e164), one of our numbers")
                    if deliver(forward, to: owned.trunkId) == nil { note("\(forward.e164) points at no trunk; skipped") }
                    continue
                }
                guard route.accountActive else {
                    note("failover to \(forward.e164) skipped: account \(route.accountId) is not active")
                    continue
                }
                note("failover to \(forward.e164), through the carriers at account \(route.accountId)'s rates")
                let destination = nanpDestination(forward, from: number, in: snapshot, note: note)
                if case .redirect(let forwarded) = outbound(
                    destination, plan: snapshot.customerDecks[route.accountId], account: route.accountId, in: snapshot,
                    time: time, decision: &decision, note: note
                ) {
                    targets += forwarded
                }
            }
        }
        // Forwarded legs are priced at the number's owner's rates: another account's records must not show them.
        if decision.price != nil, let source = decision.sourceTrunk, snapshot.trunks[source]?.route.accountId != route.accountId {
            decision.priceRate = nil
        }
        guard !targets.isEmpty else {
            return .refuse(Refusal(status: 480, reason: "number not in service", retryAfter: 60))
        }
        return .redirect(targets)
    }

    /// A ported-in number's calls during its cutover: out through the carriers to the old path (its old LRN, or its
    /// own exchange when it had none), at the account's rates and never at a loss. The Contact carries `npdi`, so no
    /// carrier dips again and finds our LRN, which would bring the call back here.
    private static func cutoverTargets(
        _ route: NumberRoute, _ forward: CutoverForward, in snapshot: RoutingSnapshot, time: Int64,
        decision: inout RoutingDecision, note: (@autoclosure () -> String) -> Void
    ) -> [RouteTarget] {
        let number = route.number, oldPath = forward.oldLRN ?? route.number
        guard route.accountActive else {
            note("cutover forwarding skipped: account \(route.accountId) is not active")
            return []
        }
        note("cutover forwarding until \(forward.until): to the old path "
            + (forward.oldLRN.map { "at LRN \($0.e164)" } ?? "at \(number.e164)'s own exchange") + ", before the trunk")
        let jurisdiction = Jurisdiction(
            from: snapshot.locations.location(of: number), to: snapshot.locations.location(of: oldPath)
        )
        let destination = Destination.nanp(
            dialed: number, routed: oldPath, lrn: forward.oldLRN, dipped: true, jurisdiction: jurisdiction
        )
        guard case .redirect(let targets) = outbound(
            destination, plan: snapshot.customerDecks[route.accountId], account: route.accountId, in: snapshot, time: time,
            decision: &decision, note: note
        ) else {
            note("cutover forwarding found no route; the trunk takes the call")
            return []
        }
        return targets
    }

    // MARK: - Outbound

    /// Where an outbound call goes, as rating sees it.
    enum Destination {
        /// `dipped`: whether the Contact says the number was dipped (`npdi`), so that no carrier dips it again.
        case nanp(dialed: PhoneNumber, routed: PhoneNumber, lrn: PhoneNumber?, dipped: Bool, jurisdiction: Jurisdiction)
        case international(digits: UInt64, count: Int)

        /// The number called, as E.164 digits without `+` (the dialed number, not its LRN), and their count.
        var e164Digits: UInt64 {
            switch self {
            case .nanp(let dialed, _, _, _, _): dialed.digits + 10_000_000_000
            case .international(let digits, _): digits
            }
        }

        var e164DigitCount: Int {
            switch self {
            case .nanp: 11
            case .international(_, let count): count
            }
        }

        /// The user part of the Contact: E.164, with the RFC 4694 `rn` and `npdi` parameters after a dip.
        var contactUser: String {
            switch self {
            case .nanp(let dialed, _, let lrn, let dipped, _):
                // `+1NPANXXXXXX[;rn=+1NPANXXXXXX][;npdi]`, written in place in one allocation: appending to a `String`
                // costs more than all the rest of the Contact's making.
                return String(unsafeUninitializedCapacity: lrn == nil ? 17 : 33) { buffer in
                    var end = dialed.writeE164(into: buffer, at: 0)
                    if let lrn {
                        end = Self.write(";rn=", into: buffer, at: end)
                        end = lrn.writeE164(into: buffer, at: end)
                    }
                    return dipped ? Self.write(";npdi", into: buffer, at: end) : end
                }
            case .international(let digits, _): return "+\(digits)"
            }
        }

        /// Writes ASCII text at `offset` in `buffer`; returns the offset after it.
        private static func write(
            _ text: StaticString, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int
        ) -> Int {
            for index in 0..<text.utf8CodeUnitCount { buffer[offset + index] = text.utf8Start[index] }
            return offset + text.utf8CodeUnitCount
        }

        func rate(in deck: RateDeck, intraMeansLATA: Bool, at time: Int64) -> Rate? {
            switch self {
            case .nanp(_, let routed, _, _, let jurisdiction):
                deck.rate(for: routed, jurisdiction: jurisdiction, intraMeansLATA: intraMeansLATA, at: time)
            case .international(let digits, let count):
                deck.rate(forE164: digits, digitCount: count, at: time)
            }
        }
    }

    private static func outbound(
        _ destination: Destination, plan: RateDeck?, account: String, in snapshot: RoutingSnapshot, time: Int64,
        decision: inout RoutingDecision, note: (@autoclosure () -> String) -> Void
    ) -> RoutingOutcome {
        if let prefix = snapshot.blocks.blocked(destination.e164Digits, count: destination.e164DigitCount, account: account) {
            note("destination \(prefix) is blocked for account \(account)")
            return .refuse(Refusal(status: 603, reason: "destination \(prefix) is blocked by policy"))
        }
        if decision.accountId == nil { decision.accountId = account }
        guard let plan else {
            note("account \(account) has no rate plan")
            return .refuse(Refusal(status: 403, reason: "no rate plan for this account"))
        }
        guard let price = destination.rate(in: plan, intraMeansLATA: false, at: time) else {
            note("the account's rate plan does not include this destination")
            return .refuse(Refusal(status: 403, reason: "destination not in the rate plan"))
        }
        decision.priceRate = price
        note("the customer pays \(price.perMinute)/min")
        return withUnsafeTemporaryAllocation(of: Rate?.self, capacity: snapshot.carrierRates.slotCount) { costs in
            costs.initialize(repeating: nil)
            snapshot.carrierRates.price(destination, at: time, intraMeansLATA: snapshot.intraMeansLATA, into: costs)
            return withUnsafeTemporaryAllocation(of: Candidate.self, capacity: snapshot.carriers.count) { buffer in
                var count = 0
                for (index, rating) in snapshot.carrierRating.enumerated() {
                    // The carrier itself is read only to explain, so that its strings are not retained per call.
                    func carrier() -> CarrierRoute { snapshot.carriers[index].route }
                    guard rating.active else {
                        note("carrier \(carrier().name) (\(carrier().id)): dropped, marked down")
                        continue
                    }
                    guard let slot = rating.slot else {
                        note("carrier \(carrier().name) (\(carrier().id)): dropped, no rate deck")
                        continue
                    }
                    guard let cost = costs[slot] else {
                        note("carrier \(carrier().name) (\(carrier().id)): dropped, no rate for this destination")
                        continue
                    }
                    guard cost.micros <= price.micros else {
                        note("carrier \(carrier().name) (\(carrier().id)): dropped, costs \(cost.perMinute)/min, more than the customer pays")
                        continue
                    }
                    // Longer billing increments than the customer's can turn a cheaper rate into a loss on short calls.
                    guard cost.initialSeconds <= price.initialSeconds, cost.incrementSeconds <= price.incrementSeconds else {
                        note("carrier \(carrier().name) (\(carrier().id)): dropped, bills \(cost.initialSeconds)/\(cost.incrementSeconds) s, "
                            + "longer than the customer's \(price.initialSeconds)/\(price.incrementSeconds) s")
                        continue
                    }
                    note("carrier \(carrier().name) (\(carrier().id)): candidate at \(cost.perMinute)/min, priority \(rating.priority)")
                    buffer[count] = Candidate(cost: cost.micros, priority: rating.priority, index: index, slot: Int32(slot))
                    count += 1
                }
                guard count > 0 else {
                    note("no carrier can take the call")
                    return .refuse(Refusal(status: 503, reason: "no route to destination", retryAfter: 60))
                }
                // Cheapest first, then by priority, then by carrier id (the carriers' order).
                var candidates = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
                candidates.sort()
                let user = destination.contactUser
                decision.carriers.reserveCapacity(min(count, snapshot.maximumRoutes))
                var targets: [RouteTarget] = []
                targets.reserveCapacity(snapshot.maximumRoutes)
                for candidate in candidates where targets.count < snapshot.maximumRoutes {
                    let carrier = snapshot.carriers[candidate.index]
                    // The slot was priced above: the candidate exists because its rate does.
                    decision.carriers.append(ChosenCarrier(id: carrier.route.id, rate: costs[Int(candidate.slot)]!))
                    for gateway in carrier.route.gateways where targets.count < snapshot.maximumRoutes {
                        targets.append(RouteTarget(
                            user: user, host: gateway.address, port: gateway.port, transport: gateway.transport,
                            label: carrier.route.name
                        ))
                    }
                }
                note("routes: \(targets.map(\.label).joined(separator: ", "))")
                return .redirect(targets)
            }
        }
    }

    /// A carrier that can take an outbound call, in the order candidates are offered.
    private struct Candidate: Comparable {
        var cost: Int64
        var priority: Int
        /// The carrier's place in the snapshot's carriers, which are in id order.
        var index: Int
        /// The carrier's deck's slot, where its rate for the call is.
        var slot: Int32

        static func < (lhs: Candidate, rhs: Candidate) -> Bool {
            (lhs.cost, lhs.priority, lhs.index) < (rhs.cost, rhs.priority, rhs.index)
        }
    }

    /// A call from an upstream carrier: only our own numbers are served.
    private static func fromCarrier(
        _ request: CallRequest, in snapshot: RoutingSnapshot, decision: inout RoutingDecision,
        note: (@autoclosure () -> String) -> Void
    ) -> RoutingOutcome {
        let dialed = DialedNumber(classifying: request.dialed)
        if dialed.isEmergency {
            return .refuse(Refusal(status: 403, reason: "emergency calls are accepted from customer trunks only"))
        }
        guard let number = dialed.phoneNumber, let route = snapshot.numbers[number.digits] else {
            note("'\(request.dialed)' is not a number we serve")
            return .refuse(Refusal(status: 404, reason: "not a number we serve"))
        }
        decision.normalized = number.e164
        return inbound(to: route, callID: request.callID, in: snapshot, time: request.time, decision: &decision, note: note)
    }

    private enum CallerIDVerdict {
        case allowed(String)
        case violation(String)
    }

    private static func callerIDVerdict(
        _ caller: PhoneNumber?, _ raw: String?, _ trunk: TrunkRoute, _ snapshot: RoutingSnapshot
    ) -> CallerIDVerdict {
        if trunk.callerID.allowAny { return .allowed("the trunk may present any number") }
        guard let caller else {
            return .violation("'\(raw ?? "")' is not a number the trunk may present")
        }
        if snapshot.numbers[caller.digits]?.accountId == trunk.accountId {
            return .allowed("\(caller.e164) is the account's own number")
        }
        if snapshot.isAuthorized(caller, for: trunk) {
            return .allowed("\(caller.e164) is in a range the trunk is authorized for")
        }
        return .violation("\(caller.e164) is neither the account's number nor in an authorized range")
    }

    /// Hosts by priority (lowest first); within a priority, a weighted order (RFC 2782) drawn from `seed`,
    /// so a call's retransmissions get the same answer and calls spread by weight.
    static func ordered(_ hosts: [TrunkRoute.Host], seed: String) -> [TrunkRoute.Host] {
        guard hosts.count > 1 else { return hosts }
        var generator = SplitMix64(seed: seed)
        var result = hosts
        // Stable: hosts of equal priority keep their configured order before the weighted draw.
        result.sort { $0.priority < $1.priority }
        var position = 0
        while position < result.count {
            var end = position
            while end < result.count, result[end].priority == result[position].priority { end += 1 }
            // Draw the hosts of this priority one by one, each with a chance proportional to its weight.
            for slot in position..<end {
                let total = result[slot..<end].reduce(0) { $0 + $1.weight }
                guard total > 0 else { break }
                var pick = Int(generator.next() % UInt64(total))
                var index = slot
                while pick >= result[index].weight {
                    pick -= result[index].weight
                    index += 1
                }
                // Move the drawn host to the front, keeping the others in order.
                let drawn = result[index]
                for shift in stride(from: index, to: slot, by: -1) { result[shift] = result[shift - 1] }
                result[slot] = drawn
            }
            position = end
        }
        return result
    }

    private static func describe(_ dialed: DialedNumber) -> String {
        switch dialed {
        case .emergency: "an emergency call (911)"
        case .emergencyTest: "the emergency test number (933)"
        case .serviceCode(let code): "service code \(code)"
        case .geographic(let number): "the NANP number \(number.e164)"
        case .tollFree(let number): "the toll-free number \(number.e164)"
        case .premium(let number): "the premium-rate number \(number.e164)"
        case .caribbean(let number): "the Caribbean number \(number.e164) (rated as international)"
        case .international(let digits): "the international number +\(digits)"
        case .incomplete(let count): "incomplete (\(count) digits)"
        case .invalid(let error): "invalid: \(error)"
        }
    }
}
