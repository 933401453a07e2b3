import Telephony

// MARK: - Requests and decisions

/// The facts of a call that routing decides on, taken from the SIP request by the transport layer.
public struct CallRequest: Sendable {
    /// Where the request came from (the SBC's address).
    public var source: IPAddress
    /// The user part of the Request-URI: what was dialed.
    public var dialed: String
    /// The calling number, from P-Asserted-Identity or else From; `nil` when absent or anonymous.
    public var caller: String?
    public var callID: String

    public init(source: IPAddress, dialed: String, caller: String?, callID: String) {
        self.source = source
        self.dialed = dialed
        self.caller = caller
        self.callID = callID
    }
}

/// A place the SBC should send the call, in preference order.
public struct RouteTarget: Sendable, Hashable {
    /// The user part to put in the Contact (the dialed number, normalized).
    public var user: String
    public var host: String
    public var port: Int
    public var transport: String
    /// What the target is, for records and explanations (`trunk trk_...`, `emergency`).
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
}

// MARK: - Router

/// Decides where calls go: a pure function of the request and a snapshot.
///
/// The order follows the domain's routing steps: identify the source, normalize the dialed string, route
/// emergency calls before anything else, deliver calls to our own numbers to their owner's trunk, then
/// outbound calls (not yet routed in this build: refused with 480).
public enum Router {
    /// Routes one call. Never throws: every failure is a refusal with its SIP status.
    public static func decide(_ request: CallRequest, in snapshot: RoutingSnapshot, explain: Bool = false) -> RoutingDecision {
        var decision = RoutingDecision(outcome: .refuse(Refusal(status: 500, reason: "no decision")), steps: [],
                                       sourceTrunk: nil, normalized: nil, callerIDFlagged: false)
        func note(_ step: @autoclosure () -> String) {
            if explain { decision.steps.append(step()) }
        }
        func finish(_ outcome: RoutingOutcome) -> RoutingDecision {
            decision.outcome = outcome
            return decision
        }

        // 1. Source.
        guard let trunkId = snapshot.sources.trunk(for: request.source), let trunk = snapshot.trunks[trunkId] else {
            note("source \(request.source) matches no trunk")
            return finish(.refuse(Refusal(status: 403, reason: "unknown source \(request.source)")))
        }
        decision.sourceTrunk = trunk.id
        note("source \(request.source) is trunk \(trunk.id) of account \(trunk.accountId)")

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
                return finish(.refuse(Refusal(status: 503, reason: "no emergency route configured", retryAfter: 5)))
            }
            note("emergency call: to the emergency route \(route.host):\(route.port), callback \(caller?.e164 ?? "unknown")")
            return finish(.redirect([
                RouteTarget(user: code, host: route.host, port: route.port, transport: route.transport, label: "emergency"),
            ]))
        }

        let number: PhoneNumber
        switch dialed {
        case .geographic(let value), .tollFree(let value), .premium(let value), .caribbean(let value):
            number = value
        case .incomplete:
            return finish(.refuse(Refusal(status: 484, reason: "incomplete number '\(request.dialed)'")))
        case .invalid(let error):
            return finish(.refuse(Refusal(status: 404, reason: "not a routable number: \(error)")))
        case .serviceCode(let code):
            return finish(.refuse(Refusal(status: 404, reason: "service code \(code) is not offered")))
        case .international:
            note("international destinations are not routed yet")
            return finish(.refuse(Refusal(status: 480, reason: "no route to destination", retryAfter: 300)))
        case .emergency, .emergencyTest:
            preconditionFailure("handled above")
        }
        decision.normalized = number.e164

        // 4. Account state and caller ID (for everything but emergency calls).
        guard trunk.accountActive else {
            note("account \(trunk.accountId) is not active")
            return finish(.refuse(Refusal(status: 403, reason: "account suspended")))
        }
        switch callerIDVerdict(caller, request.caller, trunk, snapshot) {
        case .allowed(let why):
            note("caller ID: \(why)")
        case .violation(let why) where trunk.callerID.rejectViolations:
            note("caller ID: \(why); the trunk rejects violations")
            return finish(.refuse(Refusal(status: 403, reason: "caller ID not allowed: \(why)")))
        case .violation(let why):
            note("caller ID: \(why); flagged, routed anyway")
            decision.callerIDFlagged = true
        }

        // 5. One of our numbers: deliver it to the owner's trunk.
        if let route = snapshot.numbers[number.digits] {
            guard let targetTrunkId = route.trunkId, let target = snapshot.trunks[targetTrunkId], !target.hosts.isEmpty else {
                note("\(number.e164) belongs to \(route.accountId) but points at no trunk")
                return finish(.refuse(Refusal(status: 480, reason: "number not in service", retryAfter: 60)))
            }
            let hosts = ordered(target.hosts, seed: request.callID)
            note("\(number.e164) is ours: account \(route.accountId), trunk \(target.id), \(hosts.count) host(s)")
            return finish(.redirect(hosts.map {
                RouteTarget(user: number.e164, host: $0.address, port: $0.port, transport: $0.transport,
                            label: "trunk \(target.id)")
            }))
        }

        // 6. Outbound: carriers and rate decks are the next slice of the routing engine.
        note("\(number.e164) is not ours; outbound routing through carriers is not configured")
        return finish(.refuse(Refusal(status: 480, reason: "no route to destination", retryAfter: 300)))
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
        let digits = String(caller.e164.dropFirst())
        if let prefix = trunk.callerID.allowedPrefixes.first(where: { digits.hasPrefix($0) }) {
            return .allowed("\(caller.e164) is in the authorized range +\(prefix)")
        }
        return .violation("\(caller.e164) is neither the account's number nor in an authorized range")
    }

    /// Hosts by priority (lowest first); within a priority, a weighted order (RFC 2782) drawn from `seed`,
    /// so a call's retransmissions get the same answer and calls spread by weight.
    static func ordered(_ hosts: [TrunkRoute.Host], seed: String) -> [TrunkRoute.Host] {
        var generator = SeededGenerator(seed: seed)
        var result: [TrunkRoute.Host] = []
        result.reserveCapacity(hosts.count)
        let priorities = Set(hosts.map(\.priority)).sorted()
        for priority in priorities {
            var pool = hosts.filter { $0.priority == priority }
            while !pool.isEmpty {
                let total = pool.reduce(0) { $0 + $1.weight }
                var index = 0
                if total > 0 {
                    var pick = Int(generator.next() % UInt64(total))
                    while pick >= pool[index].weight {
                        pick -= pool[index].weight
                        index += 1
                    }
                }
                result.append(pool.remove(at: index))
            }
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

/// A small deterministic generator (FNV-1a seeded SplitMix64) for weighted host ordering.
private struct SeededGenerator {
    private var state: UInt64

    init(seed: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        state = hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
