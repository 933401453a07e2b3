import Routing
import Synchronization
import Telephony
import Testing

/// A snapshot with two customers: Acme (trunk from 192.0.2.0/24, two priorities of hosts) and Globex (a host
/// address inside Acme's block, suspended, flags caller-ID violations), plus numbers and an emergency route.
private func snapshot(emergency: EmergencyRoute? = EmergencyRoute(host: "psap.example", port: 5080)) -> RoutingSnapshot {
    let acme = TrunkRoute(
        id: "trk_acme", accountId: "acc_acme", accountActive: true,
        hosts: [
            .init(address: "pbx2.acme.example", port: 5060, transport: "udp", priority: 20, weight: 100),
            .init(address: "pbx1a.acme.example", port: 5060, transport: "udp", priority: 10, weight: 75),
            .init(address: "pbx1b.acme.example", port: 5061, transport: "tls", priority: 10, weight: 25),
        ],
        sources: [CIDRBlock("192.0.2.0/24")!, CIDRBlock("2001:db8::/32")!],
        callerID: .init(allowAny: false, allowedPrefixes: ["1312555"], rejectViolations: true),
        maxCallsPerSecond: 10
    )
    let globex = TrunkRoute(
        id: "trk_globex", accountId: "acc_globex", accountActive: false,
        hosts: [.init(address: "198.51.100.7", port: 5060, transport: "udp", priority: 10, weight: 100)],
        sources: [CIDRBlock("192.0.2.77")!],
        callerID: .init(allowAny: false, allowedPrefixes: [], rejectViolations: false)
    )
    let wholesale = TrunkRoute(
        id: "trk_wholesale", accountId: "acc_wholesale", accountActive: true,
        hosts: [.init(address: "203.0.113.5", port: 5060, transport: "udp", priority: 10, weight: 100)],
        sources: [CIDRBlock("203.0.113.0/24")!],
        callerID: .init(allowAny: false, allowedPrefixes: [], rejectViolations: false)
    )
    return RoutingSnapshot(
        version: 1, epoch: 1, trunks: [acme, globex, wholesale],
        numbers: [
            NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme",
                        emergencyLocation: EmergencyLocation(addressId: "adr_acme", line: "1 MAIN ST, WASHINGTON DC 20001",
                                                             esn: "101", psap: "DC-OUC")),
            NumberRoute(number: PhoneNumber("+12025550101")!, accountId: "acc_acme", trunkId: nil),
            NumberRoute(number: PhoneNumber("+12025550200")!, accountId: "acc_globex", trunkId: "trk_globex",
                        emergencyLocation: EmergencyLocation(addressId: "adr_globex", line: "2 MAIN ST, WASHINGTON DC 20001",
                                                             esn: "101", psap: "DC-OUC")),
            NumberRoute(number: PhoneNumber("+12025550300")!, accountId: "acc_wholesale", trunkId: "trk_wholesale"),
        ],
        emergency: emergency
    )
}

private let acmePBX = IPAddress("192.0.2.10")!
private let globexPBX = IPAddress("192.0.2.77")!
private let wholesalePBX = IPAddress("203.0.113.9")!
/// When the calls of these tests are placed (2027-01-15): routing is pure, and its tests do not read a clock.
private let callTime: Int64 = 1_800_000_000

private func route(
    from source: IPAddress = acmePBX, dial: String, caller: String? = "+12025550100", callID: String = "call-1",
    in routing: RoutingSnapshot = snapshot()
) -> RoutingDecision {
    Router.decide(CallRequest(source: source, dialed: dial, caller: caller, callID: callID, time: callTime), in: routing,
                  explain: true)
}

private func refusal(_ decision: RoutingDecision) -> Refusal? {
    if case .refuse(let refusal) = decision.outcome { return refusal }
    return nil
}

private func targets(_ decision: RoutingDecision) -> [RouteTarget] {
    if case .redirect(let targets) = decision.outcome { return targets }
    return []
}

@Suite("Router")
struct RouterTests {
    @Test("an unknown source is refused with 403")
    func unknownSource() {
        let decision = route(from: IPAddress("10.9.9.9")!, dial: "+12025550100")
        #expect(refusal(decision)?.status == 403)
        #expect(decision.steps.first?.contains("matches no trunk") == true)
    }

    @Test("the most specific source block wins, and IPv6 sources match")
    func sources() {
        #expect(route(from: globexPBX, dial: "911").sourceTrunk == "trk_globex")
        #expect(route(from: IPAddress("192.0.2.78")!, dial: "911").sourceTrunk == "trk_acme")
        #expect(route(from: IPAddress("2001:db8::5")!, dial: "911").sourceTrunk == "trk_acme")
    }

    @Test("911 and 933 go to the emergency route even from a suspended account with a bad caller ID",
          arguments: ["911", "1-911", "933"])
    func emergency(dial: String) {
        let decision = route(from: globexPBX, dial: dial, caller: "anonymous")
        #expect(targets(decision).map(\.label) == ["emergency"])
        #expect(targets(decision).first?.host == "psap.example")
        #expect(targets(decision).first?.user == (dial == "933" ? "933" : "911"))
    }

    @Test("without an emergency route, 911 is a temporary failure, never a 4xx")
    func noEmergencyRoute() {
        let decision = route(dial: "911", in: snapshot(emergency: nil))
        #expect(refusal(decision)?.status == 503)
        #expect(refusal(decision)?.retryAfter != nil)
    }

    @Test("a call to one of our numbers goes to its trunk's hosts: by priority, then by weight")
    func inbound() {
        let decision = route(from: wholesalePBX, dial: "2025550100", caller: "+12025550300")
        let hosts = targets(decision).map(\.host)
        #expect(hosts.count == 3)
        #expect(Set(hosts.prefix(2)) == ["pbx1a.acme.example", "pbx1b.acme.example"])
        #expect(hosts.last == "pbx2.acme.example")
        #expect(targets(decision).allSatisfy { $0.user == "+12025550100" })
        // The same call always gets the same order; across calls the weights show.
        #expect(targets(route(from: wholesalePBX, dial: "2025550100", caller: "+12025550300")) == targets(decision))
        let firsts = (0..<2_000).map {
            targets(route(from: wholesalePBX, dial: "2025550100", caller: "+12025550300", callID: "c\($0)")).first!.host
        }
        let share = Double(firsts.filter { $0 == "pbx1a.acme.example" }.count) / 2_000
        #expect((0.70...0.80).contains(share), "weight 75 of 100 led \(share)")
    }

    @Test("a number pointed at no trunk is temporarily unavailable")
    func noTrunk() {
        #expect(refusal(route(from: wholesalePBX, dial: "+12025550101", caller: "+12025550300"))?.status == 480)
    }

    @Test("caller ID: own numbers and authorized ranges pass; others are rejected or flagged per trunk")
    func callerID() {
        #expect(targets(route(dial: "+12025550300", caller: "+12025550100")).count == 1)
        #expect(targets(route(dial: "+12025550300", caller: "sip:+13125550199@x")).count == 1)
        let rejected = route(dial: "+12025550300", caller: "+12025550300")
        #expect(refusal(rejected)?.status == 403)
        #expect(refusal(rejected)?.reason.contains("caller ID") == true)
        #expect(refusal(route(dial: "+12025550300", caller: nil))?.status == 403)
        let flagged = route(from: wholesalePBX, dial: "+12025550100", caller: "+12025550100")
        #expect(flagged.callerIDFlagged)
        #expect(!targets(flagged).isEmpty)
    }

    @Test("international calls are held to the caller-ID policy too")
    func internationalCallerID() {
        let refused = route(dial: "011442079460000", caller: "+14155550199")
        #expect(refusal(refused)?.status == 403)
        #expect(refusal(refused)?.reason.hasPrefix("caller ID not allowed") == true)
    }

    @Test("a suspended account may call only 911")
    func suspended() {
        #expect(refusal(route(from: globexPBX, dial: "+12025550100", caller: "+12025550200"))?.status == 403)
    }

    /// Outbound calls from an account without a rate plan (as all are in this snapshot) are refused with 403.
    @Test("dial strings that cannot be routed get the matching status", arguments: [
        ("202555", 484), ("411", 404), ("12345", 484), ("+1 (911) 555-0100", 404),
        ("011442079460000", 403), ("+12125550199", 403), ("8005550199", 403), ("9005550199", 603),
    ])
    func unroutable(dial: String, status: Int) {
        #expect(refusal(route(dial: dial))?.status == status, "\(route(dial: dial).steps)")
    }

    @Test("a trunk's calls-per-second limit goes with every decision but an emergency call's")
    func callsPerSecond() {
        #expect(route(dial: "2025550100").callsPerSecondLimit == 10)
        #expect(route(dial: "12345").callsPerSecondLimit == 10, "refused calls count too")
        #expect(route(dial: "911").callsPerSecondLimit == nil)
        #expect(route(from: wholesalePBX, dial: "2025550100", caller: "+12025550300").callsPerSecondLimit == nil)
    }

    @Test("911 carries the callback number and the caller's own location, never another account's")
    func emergencyLocation() {
        let located = route(dial: "911", caller: "+12025550100").emergency
        #expect(located?.callback == PhoneNumber("+12025550100"))
        #expect(located?.location?.addressId == "adr_acme")
        #expect(located?.accountId == "acc_acme")
        #expect(route(dial: "911", caller: "+12025550101").emergency?.location == nil, "a number without an address")
        #expect(route(dial: "911", caller: "+12025550200").emergency?.location == nil, "Globex's number, from Acme's trunk")
        #expect(route(dial: "911", caller: nil).emergency?.callback == nil)
        #expect(route(dial: "2025550100").emergency == nil)
    }

    @Test("the explanation names every step")
    func explanation() {
        let steps = route(from: wholesalePBX, dial: "2025550100", caller: "+12025550300").steps
        #expect(steps.count == 5)
        #expect(steps[0].contains("trk_wholesale") && steps[1].contains("+12025550100"))
        #expect(steps[2].contains("caller ID") && steps[3].contains("is ours") && steps[4].contains("host(s)"))
        #expect(Router.decide(CallRequest(source: acmePBX, dialed: "911", caller: nil, callID: "x", time: callTime), in: snapshot()).steps.isEmpty)
    }
}

/// How many readers have begun, and whether the writer still swaps: shared by the tasks of the race.
private final class SwapRace: Sendable {
    let started = Atomic(0)
    let writing = Atomic(true)
}

@Suite("Routing table")
struct RoutingTableTests {
    @Test("readers under load always see a whole snapshot while writers swap them")
    func swapUnderLoad() async {
        let table = RoutingTable(snapshot())
        let readers = 4
        let race = SwapRace()
        // Each reader's verdict: whether every snapshot it read was whole, and how many swaps it saw.
        let verdicts = await withTaskGroup(of: (whole: Bool, swaps: Int).self) { group in
            group.addTask {
                // Swaps begin once every reader reads, so that readers and the writer overlap.
                while race.started.load(ordering: .acquiring) < readers { await Task.yield() }
                for version in 2...500 {
                    let next = RoutingSnapshot(
                        version: UInt64(version), epoch: Int64(version), trunks: [], numbers: [], emergency: nil
                    )
                    table.publish(version.isMultiple(of: 2) ? snapshot() : next)
                    await Task.yield()
                }
                race.writing.store(false, ordering: .releasing)
                return (true, 0)
            }
            for _ in 0..<readers {
                group.addTask {
                    race.started.add(1, ordering: .releasing)
                    var (lastVersion, seen, swaps) = (UInt64(0), UInt64(1), 0)
                    while race.writing.load(ordering: .acquiring) {
                        let current = table.current
                        // A snapshot is either the full fixture (version 1) or an empty one: never a mix.
                        let decision = Router.decide(
                            CallRequest(source: acmePBX, dialed: "911", caller: nil, callID: "x", time: callTime), in: current
                        )
                        let consistent = current.version == 1 ? !targets(decision).isEmpty : refusal(decision)?.status == 403
                        if !consistent { return (false, swaps) }
                        if current.version != seen { (seen, swaps) = (current.version, swaps + 1) }
                        if current.version != 1 {
                            if current.version < lastVersion { return (false, swaps) }
                            lastVersion = current.version
                        }
                        await Task.yield()
                    }
                    return (true, swaps)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.allSatisfy { $0.whole }, "every snapshot read was whole, and versions never went back")
        #expect(verdicts.map(\.swaps).reduce(0, +) >= 10, "the readers saw the writer swap snapshots: \(verdicts)")
    }
}
