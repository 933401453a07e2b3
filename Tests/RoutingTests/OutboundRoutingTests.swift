import Foundation
@testable import Routing
import Telephony
import Testing

/// Acme (trunk from 192.0.2.0/24, caller numbers in DC) buys from three carriers:
/// - `car_cheap`: cheapest on NANP, intra means intra-LATA; also a down twin `car_down` cheaper still;
/// - `car_mid`: NPA-NXX deck, and prefix rows for the UK;
/// - `car_dear`: dearer than Acme's plan everywhere.
/// Numbers in 202-555 are DC (LATA 236), 301-555 Maryland (LATA 238), 410-555 Maryland (LATA 240).
private func outboundSnapshot(
    plan: Bool = true, numbers extra: [NumberRoute] = [], blocks: DestinationBlocks = DestinationBlocks(),
    ported: PortedNumberTable = PortedNumberTable([(3015550199, 4105559000)]), emergency: EmergencyRoute? = nil
) -> RoutingSnapshot {
    let acme = TrunkRoute(
        id: "trk_acme", accountId: "acc_acme", accountActive: true,
        hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
        sources: [CIDRBlock("192.0.2.0/24")!],
        callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: true), maxChannels: 23
    )
    let backup = TrunkRoute(
        id: "trk_backup", accountId: "acc_acme", accountActive: true,
        hosts: [.init(address: "dr.acme.example", port: 5060, transport: "tcp", priority: 10, weight: 100)],
        sources: [], callerID: acme.callerID
    )
    func jurisdictional(_ inter: Int64, _ intra: Int64, _ indeterminate: Int64) -> JurisdictionalRate {
        JurisdictionalRate(interstate: Rate(micros: inter, initialSeconds: 6, incrementSeconds: 6),
                           intrastate: Rate(micros: intra, initialSeconds: 6, incrementSeconds: 6),
                           indeterminate: Rate(micros: indeterminate, initialSeconds: 6, incrementSeconds: 6))
    }
    var cheap = RateDeck()
    cheap.add(npanxx: "301555", rate: jurisdictional(4_000, 2_000, 5_000))
    cheap.add(npanxx: "410555", rate: jurisdictional(4_000, 2_000, 5_000))
    var mid = RateDeck()
    mid.add(npanxx: "301555", rate: jurisdictional(6_000, 3_000, 7_000))
    mid.add(npanxx: "4105559", rate: jurisdictional(1_000, 1_000, 1_000))
    mid.add(npanxx: "410555", rate: jurisdictional(6_000, 3_000, 7_000))
    mid.add(prefix: "44", rate: Rate(micros: 20_000))
    mid.add(prefix: "447", rate: Rate(micros: 90_000))
    mid.add(prefix: "44", rate: Rate(micros: 10_000, effectiveAt: 2_000_000_000))
    var dear = RateDeck()
    dear.add(npanxx: "301555", rate: jurisdictional(90_000, 90_000, 90_000))
    dear.add(prefix: "1", rate: Rate(micros: 90_000))
    var down = RateDeck()
    down.add(npanxx: "301555", rate: jurisdictional(1, 1, 1))
    var sell = RateDeck()
    sell.add(prefix: "1", rate: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6))
    sell.add(prefix: "44", rate: Rate(micros: 50_000))
    var locations = ExchangeLocations()
    locations.add(npa: 202, nxx: 555, block: nil, location: NANPLocation(state: "DC", lata: "236"))
    locations.add(npa: 301, nxx: 555, block: nil, location: NANPLocation(state: "MD", lata: "238", rateCenter: 1))
    locations.add(npa: 301, nxx: 557, block: nil, location: NANPLocation(state: "MD", lata: "238", rateCenter: 1))
    locations.add(npa: 410, nxx: 555, block: nil, location: NANPLocation(state: "MD", lata: "240"))
    locations.add(npa: 301, nxx: 556, block: nil, location: NANPLocation(state: "MD", lata: "238", rateCenter: 2))
    return RoutingSnapshot(
        version: 1, epoch: 1, trunks: [acme, backup],
        numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme")] + extra,
        emergency: emergency,
        carriers: [
            CarrierRoute(id: "car_cheap", name: "Cheap", priority: 50, intraMeansLATA: true,
                         gateways: [.init(address: "gw1.cheap.example"), .init(address: "gw2.cheap.example")],
                         sources: [CIDRBlock("203.0.113.0/24")!]),
            CarrierRoute(id: "car_mid", name: "Mid", gateways: [.init(address: "sbc.mid.example", port: 5080, transport: "tcp")]),
            CarrierRoute(id: "car_dear", name: "Dear", gateways: [.init(address: "gw.dear.example")]),
            CarrierRoute(id: "car_down", name: "Down", active: false, gateways: [.init(address: "gw.down.example")]),
        ],
        carrierRates: CarrierRates(decks: ["car_cheap": cheap, "car_mid": mid, "car_dear": dear, "car_down": down]),
        customerDecks: plan ? ["acc_acme": sell] : [:],
        ported: ported, locations: locations, blocks: blocks
    )
}

private func call(_ dialed: String, caller: String? = "+12025550100", from source: String = "192.0.2.10",
                  at time: Int64 = 1_800_000_000, in snapshot: RoutingSnapshot = outboundSnapshot()) -> RoutingDecision {
    Router.decide(CallRequest(source: IPAddress(source)!, dialed: dialed, caller: caller, callID: "c", time: time),
                  in: snapshot, explain: true)
}

/// The decision's Contacts, or `nil` when it refuses the call.
private func redirected(_ decision: RoutingDecision) -> [RouteTarget]? {
    if case .redirect(let targets) = decision.outcome { return targets }
    return nil
}

private func hosts(_ decision: RoutingDecision) -> [String] {
    if case .redirect(let targets) = decision.outcome { return targets.map(\.host) }
    return []
}

private func status(_ decision: RoutingDecision) -> Int? {
    if case .refuse(let refusal) = decision.outcome { return refusal.status }
    return nil
}

@Suite("Outbound routing")
struct OutboundRoutingTests {
    @Test("interstate: cheapest first, dearer-than-price and down carriers dropped with reasons")
    func leastCost() throws {
        let decision = call("3015550100")
        #expect(decision.jurisdiction == .interstate)
        #expect(decision.carriers.map(\.id) == ["car_cheap", "car_mid"])
        #expect(decision.carriers.map(\.cost) == [Money(micros: 4_000), Money(micros: 6_000)])
        #expect(decision.price == Money(micros: 10_000))
        #expect(hosts(decision) == ["gw1.cheap.example", "gw2.cheap.example", "sbc.mid.example"])
        #expect(decision.steps.contains { $0.contains("(car_dear): dropped, costs 0.09/min") })
        #expect(decision.steps.contains { $0.contains("(car_down): dropped, marked down") })
        let targets = try #require(redirected(decision), "\(decision.steps)")
        #expect(targets.first?.user == "+13015550100;npdi")
        #expect(targets.last?.transport == "tcp" && targets.last?.port == 5080)
    }

    @Test("a ported number is rated and routed on its LRN, and the Contact carries rn and npdi (RFC 4694)")
    func ported() throws {
        let decision = call("+1 301 555 0199")
        #expect(decision.lrn == "+14105559000")
        // The LRN's thousands-block 410-555-9 is car_mid's cheapest row.
        #expect(decision.carriers.first?.id == "car_mid" && decision.carriers.first?.cost == Money(micros: 1_000))
        let targets = try #require(redirected(decision), "\(decision.steps)")
        #expect(targets.first?.user == "+13015550199;rn=+14105559000;npdi")
    }

    @Test("jurisdiction picks the column; 'intra' per carrier means intrastate or intra-LATA", arguments: [
        // Maryland to Maryland across LATAs: intrastate. car_cheap's intra is intra-LATA, so it charges interstate.
        ("+13015560100", "+14105550100", Jurisdiction.intrastate, ["car_mid": 3_000, "car_cheap": 4_000]),
        // Within LATA 238: intra-LATA; both carriers charge their intra rate.
        ("+13015560100", "+13015550100", .intraLATA, ["car_cheap": 2_000, "car_mid": 3_000]),
        // Within one rate center: local, rated at the intra(-LATA) column.
        ("+13015570100", "+13015550100", .local, ["car_cheap": 2_000, "car_mid": 3_000]),
        // No calling number: indeterminate.
        (nil, "+13015550100", .indeterminate, ["car_cheap": 5_000, "car_mid": 7_000]),
    ] as [(String?, String, Jurisdiction, [String: Int64])])
    func jurisdiction(caller: String?, dialed: String, expected: Jurisdiction, costs: [String: Int64]) {
        let decision = call(dialed, caller: caller)
        #expect(decision.jurisdiction == expected)
        #expect(Dictionary(uniqueKeysWithValues: decision.carriers.map { ($0.id, $0.cost.micros) }) == costs)
    }

    @Test("international: longest prefix, and rows take effect on their date")
    func international() throws {
        let mobile = call("011447911123456")
        #expect(status(mobile) == 503, "the +447 row (0.09) costs more than the customer pays (0.05)")
        let before = call("+442079460000", at: 1_999_999_999)
        #expect(before.carriers.map(\.cost) == [Money(micros: 20_000)])
        let after = call("+442079460000", at: 2_000_000_000)
        #expect(after.carriers.map(\.cost) == [Money(micros: 10_000)])
        #expect(try #require(redirected(after)).first?.user == "+442079460000")
    }

    @Test("no plan, no destination in the plan, no carrier, premium: each refused with its status")
    func refusals() {
        #expect(status(call("3015550100", in: outboundSnapshot(plan: false))) == 403)
        #expect(status(call("+33142685300")) == 403)
        #expect(status(call("7735550100")) == 503)
        #expect(status(call("9005550100")) == 603)
    }

    @Test("calls from a carrier reach our numbers only")
    func fromCarrier() {
        #expect(hosts(call("2025550100", caller: "+13015550100", from: "203.0.113.9")) == ["pbx.acme.example"])
        #expect(status(call("3015550100", caller: "+12025550100", from: "203.0.113.9")) == 404)
    }

    @Test("a call takes a channel of the calling trunk, or a carrier's call one of the called number's trunk")
    func channelTrunk() {
        let inbound = call("2025550100", caller: "+13015550100", from: "203.0.113.9")
        #expect(inbound.channelTrunk == "trk_acme" && inbound.channelLimit == 23)
        let outbound = call("3015550100")
        #expect(outbound.channelTrunk == "trk_acme" && outbound.channelLimit == 23)
    }
}

@Suite("Rate tables")
struct RateTableTests {
    @Test("the ported-number table finds every number and only those")
    func portedTable() {
        let pairs: [(number: UInt64, lrn: UInt64)] = (UInt64(0)..<10_000).map { index -> (number: UInt64, lrn: UInt64) in
            (number: 2_025_550_000 + index * 3, lrn: 3_015_550_000 + index)
        }
        // Loaded out of order, as a feed may be: seeded, so that a failure replays.
        var random = SplitMix64(seed: 4694)
        let table = PortedNumberTable(pairs.shuffled(using: &random))
        #expect(table.count == 10_000)
        for (number, lrn) in pairs.prefix(500) {
            #expect(table.dip(PhoneNumber(digits: number)!) == .ported(lrn: PhoneNumber(digits: lrn)!))
        }
        #expect(table.dip(PhoneNumber("+12025550001")!) == .notPorted)
        #expect(PortedNumberTable([]).dip(PhoneNumber("+12025550001")!) == .notPorted)
    }

    @Test("changes since the import override the table's rows, add numbers and remove them")
    func portedTableChanges() {
        let imported = PortedNumberTable([(2_025_550_001, 3_015_550_000), (2_025_550_002, 3_015_550_000)])
        let table = imported.applying([
            PhoneNumber("+12025550001")!: nil, PhoneNumber("+12025550003")!: PhoneNumber("+14105550000")!,
        ])
        #expect(table.dip(PhoneNumber("+12025550001")!) == .portedToUnknownLRN, "ported away from the LRN the feed gave")
        #expect(table.dip(PhoneNumber("+12025550004")!) == .notPorted)
        #expect(table.dip(PhoneNumber("+12025550002")!) == .ported(lrn: PhoneNumber("+13015550000")!), "unchanged rows still answer")
        #expect(table.dip(PhoneNumber("+12025550003")!) == .ported(lrn: PhoneNumber("+14105550000")!))
        #expect(PortedNumberTable([]).applying([PhoneNumber("+12025550003")!: PhoneNumber("+14105550000")!])
            .dip(PhoneNumber("+12025550003")!) == .ported(lrn: PhoneNumber("+14105550000")!), "changes over an empty table")
        #expect(table.count == 2 && imported.dip(PhoneNumber("+12025550001")!) == .ported(lrn: PhoneNumber("+13015550000")!))
    }

    @Test("a number ported away to an LRN not known yet leaves undipped: no rn, no npdi, for the carrier to dip")
    func portedToUnknownLRN() {
        let ported = PortedNumberTable([(3015550199, 4105559000)]).applying([PhoneNumber("+13015550199")!: nil])
        let decision = call("3015550199", in: outboundSnapshot(ported: ported))
        guard case .redirect(let targets) = decision.outcome else {
            Issue.record("no redirect: \(decision.steps)")
            return
        }
        #expect(targets.allSatisfy { $0.user == "+13015550199" }, "\(targets.map(\.user))")
        #expect(decision.lrn == nil)
        #expect(decision.steps.contains { $0.contains("sent without npdi for the carrier to dip") })
        guard case .redirect(let notPorted) = call("3015550198").outcome else {
            Issue.record("no redirect for a number not ported")
            return
        }
        #expect(notPorted.allSatisfy { $0.user == "+13015550198;npdi" }, "a number not ported is still marked dipped")
    }

    @Test("longest prefix wins; expired rows do not apply")
    func prefixes() {
        var deck = RateDeck()
        deck.add(prefix: "1", rate: Rate(micros: 1))
        deck.add(prefix: "1876", rate: Rate(micros: 2))
        deck.add(prefix: "18765", rate: Rate(micros: 3, expiresAt: 100))
        #expect(deck.rate(forE164: 18_765_550_100, digitCount: 11, at: 99)?.micros == 3)
        #expect(deck.rate(forE164: 18_765_550_100, digitCount: 11, at: 100)?.micros == 2)
        #expect(deck.rate(forE164: 12_025_550_100, digitCount: 11, at: 0)?.micros == 1)
        #expect(deck.rate(forE164: 442_079_460_000, digitCount: 12, at: 0) == nil)
    }
}

@Suite("Blocked destinations")
struct DestinationBlockTests {
    private func blocked(_ prefixes: [(String, String?)], emergency: EmergencyRoute? = nil) -> RoutingSnapshot {
        var blocks = DestinationBlocks()
        for (prefix, account) in prefixes { blocks.add(prefix: prefix, account: account) }
        return outboundSnapshot(numbers: [NumberRoute(
            number: PhoneNumber("+12025550177")!, accountId: "acc_acme", trunkId: nil, failover: [.number(PhoneNumber("+13015550100")!)]
        )], blocks: blocks, emergency: emergency)
    }

    @Test("a blocked prefix declines the call with 603, for its account or for everyone", arguments: [
        ("+44", nil, "+442079460000", true), ("+44", "acc_acme", "+442079460000", true), ("+44", "acc_other", "+442079460000", false),
        ("+4420794", nil, "+442079460000", true), ("+4420795", nil, "+442079460000", false),
        ("+1301555", nil, "+13015550100", true), ("+1410", nil, "+13015550199", false),
    ] as [(String, String?, String, Bool)])
    func declines(prefix: String, account: String?, dialed: String, declined: Bool) {
        let decision = call(dialed, in: blocked([(prefix, account)]))
        #expect((status(decision) == 603) == declined, "\(decision.steps)")
        if declined { #expect(decision.outcome == .refuse(Refusal(status: 603, reason: "destination \(prefix) is blocked by policy"))) }
    }

    @Test("a failover forward to a blocked destination is skipped; 911 and 933 are never blocked")
    func forwardsAndEmergency() {
        let psap = EmergencyRoute(host: "psap.example", port: 5090)
        // Every NANP and every +9 destination is blocked, for everyone and for Acme.
        let snapshot = blocked([("+1301", nil), ("+1", nil), ("+9", nil), ("+1", "acc_acme"), ("+9", "acc_acme")], emergency: psap)
        #expect(status(call("+12025550177", in: snapshot)) == 480)
        #expect(status(call("+13125550100", in: snapshot)) == 603, "the blocks catch the calls around 911")
        for code in ["911", "933"] {
            #expect(call(code, in: snapshot).outcome == .redirect([
                RouteTarget(user: code, host: "psap.example", port: 5090, transport: "udp", label: "emergency"),
            ]), "\(code) goes to the emergency route, blocks or not")
        }
    }
}

@Suite("Failover")
struct FailoverTests {
    private let main = PhoneNumber("+12025550100")!
    private let forwarded = PhoneNumber("+12025550177")!

    private func contacts(_ decision: RoutingDecision) -> [String] {
        guard case .redirect(let targets) = decision.outcome else { return [] }
        return targets.map { "\($0.user.split(separator: ";")[0])@\($0.host)" }
    }

    @Test("after the trunk's hosts: another trunk, one of our numbers, then an outside number through the carriers")
    func order() {
        let snapshot = outboundSnapshot(numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme",
            failover: [.trunk("trk_backup"), .number(main), .number(PhoneNumber("+13015550100")!)]
        )])
        let decision = call("+12025550177", from: "203.0.113.9", in: snapshot)
        #expect(contacts(decision) == [
            "+12025550177@pbx.acme.example", "+12025550177@dr.acme.example", "+12025550100@pbx.acme.example",
            "+13015550100@gw1.cheap.example", "+13015550100@gw2.cheap.example", "+13015550100@sbc.mid.example",
        ])
        #expect(decision.carriers.map(\.id) == ["car_cheap", "car_mid"], "the forward leg's carriers are recorded")
        #expect(decision.steps.contains { $0.contains("failover to +13015550100, through the carriers") })
    }

    @Test("a number without a trunk still reaches its failover targets; with neither, 480")
    func withoutTrunk() {
        let snapshot = outboundSnapshot(numbers: [
            NumberRoute(number: forwarded, accountId: "acc_acme", trunkId: nil, failover: [.trunk("trk_backup")]),
            NumberRoute(number: PhoneNumber("+12025550178")!, accountId: "acc_acme", trunkId: nil, failover: []),
        ])
        #expect(contacts(call("+12025550177", in: snapshot)) == ["+12025550177@dr.acme.example"])
        #expect(status(call("+12025550178", in: snapshot)) == 480)
    }

    @Test("an outside forward the account's plan does not cover, or only at a loss, is skipped")
    func unpricedForward() {
        let snapshot = outboundSnapshot(numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme",
            failover: [.number(PhoneNumber("+16135550100")!), .number(PhoneNumber("+13015550100")!)]
        )])
        let noPlan = outboundSnapshot(plan: false, numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme", failover: [.number(PhoneNumber("+13015550100")!)]
        )])
        // 613 is priced by the plan's "1" row, but only car_dear's "1" row covers it, above the price.
        #expect(contacts(call("+12025550177", in: snapshot)).prefix(2) == ["+12025550177@pbx.acme.example", "+13015550100@gw1.cheap.example"])
        #expect(contacts(call("+12025550177", in: noPlan)) == ["+12025550177@pbx.acme.example"])
    }

    @Test("a suspended account's number is not forwarded out through the carriers; its own trunks still ring")
    func suspended() {
        let snapshot = outboundSnapshot(numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme",
            failover: [.number(PhoneNumber("+13015550100")!), .trunk("trk_backup")], accountActive: false
        )])
        #expect(contacts(call("+12025550177", from: "203.0.113.9", in: snapshot))
            == ["+12025550177@pbx.acme.example", "+12025550177@dr.acme.example"])
    }

    @Test("during a port's cutover, calls go first to the old path with its LRN and npdi, then to the trunk; after it, the trunk only")
    func cutover() {
        let ported = PhoneNumber("+13015550150")!
        let snapshot = outboundSnapshot(numbers: [
            NumberRoute(number: ported, accountId: "acc_acme", trunkId: "trk_acme",
                        cutoverForward: CutoverForward(oldLRN: PhoneNumber("+14105559000")!, until: 1_800_000_100)),
            NumberRoute(number: PhoneNumber("+13015550151")!, accountId: "acc_acme", trunkId: "trk_acme",
                        cutoverForward: CutoverForward(oldLRN: nil, until: 1_800_000_100)),
        ])
        let during = call("+13015550150", from: "203.0.113.9", at: 1_800_000_099, in: snapshot)
        guard case .redirect(let targets) = during.outcome else {
            Issue.record("no redirect: \(during.steps)")
            return
        }
        #expect(targets.map(\.host) == ["sbc.mid.example", "gw1.cheap.example", "gw2.cheap.example", "pbx.acme.example"],
                "the cheapest carrier for the old LRN's block first, the trunk last")
        #expect(targets.dropLast().allSatisfy { $0.user == "+13015550150;rn=+14105559000;npdi" })
        #expect(targets.last?.user == "+13015550150")
        #expect(during.lrn == nil && during.carriers.first?.id == "car_mid", "the old LRN is the owner's, not in the caller's record")
        #expect(during.steps.contains { $0.contains("cutover forwarding until 1800000100: to the old path at LRN +14105559000") })

        #expect(hosts(call("+13015550150", from: "203.0.113.9", at: 1_800_000_100, in: snapshot)) == ["pbx.acme.example"],
                "the window is over")
        let native = call("+13015550151", from: "203.0.113.9", at: 1_800_000_000, in: snapshot)
        guard case .redirect(let nativeTargets) = native.outcome else {
            Issue.record("no redirect: \(native.steps)")
            return
        }
        #expect(nativeTargets.first?.user == "+13015550151;npdi", "a number native to its exchange routes on itself, not re-dipped")
        #expect(nativeTargets.last?.host == "pbx.acme.example")
    }

    @Test("cutover forwarding is skipped for a suspended account, and when no carrier can take it at the account's price")
    func cutoverSkipped() {
        let forward = CutoverForward(oldLRN: PhoneNumber("+14105559000")!, until: 1_800_000_100)
        let suspended = outboundSnapshot(numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme", accountActive: false, cutoverForward: forward
        )])
        #expect(hosts(call("+12025550177", from: "203.0.113.9", in: suspended)) == ["pbx.acme.example"])
        let unpriced = outboundSnapshot(plan: false, numbers: [NumberRoute(
            number: forwarded, accountId: "acc_acme", trunkId: "trk_acme", cutoverForward: forward
        )])
        let decision = call("+12025550177", from: "203.0.113.9", in: unpriced)
        #expect(hosts(decision) == ["pbx.acme.example"])
        #expect(decision.steps.contains("cutover forwarding found no route; the trunk takes the call"))
    }

    @Test("failover targets decode from and encode to the API's JSON")
    func json() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let targets = try decoder.decode([FailoverTarget].self, from: Data(#"[{"trunk_id":"trk_b"},{"number":"(202) 555-0100"}]"#.utf8))
        #expect(targets == [.trunk("trk_b"), .number(main)])
        #expect(throws: DecodingError.self) { try decoder.decode(FailoverTarget.self, from: Data(#"{"trunk_id":"t","number":"+12025550100"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(FailoverTarget.self, from: Data("{}".utf8)) }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        #expect(String(decoding: try encoder.encode(targets), as: UTF8.self) == #"[{"trunk_id":"trk_b"},{"number":"+12025550100"}]"#)
    }
}

@Suite("Routing safeguards")
struct RoutingSafeguardTests {
    @Test("a block row not yet in force does not hide the exchange's current row")
    func futureBlockRow() {
        var deck = RateDeck()
        let rate = { (micros: Int64, from: Int64) in
            JurisdictionalRate(interstate: Rate(micros: micros, effectiveAt: from), intrastate: Rate(micros: micros, effectiveAt: from),
                               indeterminate: Rate(micros: micros, effectiveAt: from))
        }
        deck.add(npanxx: "201555", rate: rate(4_000, 0))
        deck.add(npanxx: "2015551", rate: rate(9_000, 2_000_000_000))
        let number = PhoneNumber("+12015551234")!
        #expect(deck.rate(for: number, jurisdiction: .interstate, intraMeansLATA: false, at: 1_900_000_000)?.micros == 4_000)
        #expect(deck.rate(for: number, jurisdiction: .interstate, intraMeansLATA: false, at: 2_000_000_000)?.micros == 9_000)
    }

    @Test("a carrier billing longer increments than the customer is dropped, however cheap")
    func increments() {
        var cheap = RateDeck()
        cheap.add(prefix: "1", rate: Rate(micros: 1_000, initialSeconds: 60, incrementSeconds: 60))
        var plan = RateDeck()
        plan.add(prefix: "1", rate: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6))
        let snapshot = RoutingSnapshot(
            version: 1, epoch: 1,
            trunks: [TrunkRoute(id: "trk", accountId: "acc", accountActive: true, hosts: [], sources: [CIDRBlock("192.0.2.0/24")!],
                                callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: true))],
            numbers: [], emergency: nil,
            carriers: [CarrierRoute(id: "car", name: "Cheap", gateways: [.init(address: "gw.example")])],
            carrierRates: CarrierRates(decks: ["car": cheap]), customerDecks: ["acc": plan]
        )
        let decision = Router.decide(CallRequest(source: IPAddress("192.0.2.1")!, dialed: "+13125550100", caller: nil,
                                                 callID: "c", time: 1_800_000_000), in: snapshot, explain: true)
        #expect(decision.outcome == .refuse(Refusal(status: 503, reason: "no route to destination", retryAfter: 60)))
        #expect(decision.steps.contains { $0.contains("bills 60/60 s, longer than the customer's 6/6 s") })
    }
}

@Suite("Merged carrier rates")
struct CarrierRatesTests {
    /// A deck of random rows over a few exchanges and prefixes, with overlapping validity windows.
    private static func randomDeck(_ random: inout some RandomNumberGenerator) -> RateDeck {
        var deck = RateDeck()
        func rate() -> Rate {
            let from = Int64.random(in: 0...3, using: &random) * 100
            let until: Int64? = Bool.random(using: &random) ? from + Int64.random(in: 50...300, using: &random) : nil
            return Rate(micros: Int64.random(in: 1_000...9_000, using: &random), effectiveAt: from, expiresAt: until)
        }
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            let exchange = "20\(Int.random(in: 2...3, using: &random))55\(Int.random(in: 5...6, using: &random))"
            let key = Bool.random(using: &random) ? exchange : exchange + "\(Int.random(in: 0...9, using: &random))"
            deck.add(npanxx: key, rate: JurisdictionalRate(interstate: rate(), intrastate: rate(), indeterminate: rate()))
        }
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            let prefix = ["1", "12", "120", "1202", "12025", "120255", "1202555", "44", "4420", "1203"]
                .randomElement(using: &random)!
            deck.add(prefix: prefix, rate: rate())
        }
        return deck
    }

    @Test("pricing every carrier at once gives each carrier its own deck's rate", arguments: 0..<40)
    func agreesWithEachDeck(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let decks = Dictionary(uniqueKeysWithValues: (0..<Int.random(in: 1...6, using: &random)).map {
            ("car_\($0)", Self.randomDeck(&random))
        })
        let intraMeansLATA = decks.keys.sorted().map { _ in Bool.random(using: &random) }
        let merged = CarrierRates(decks: decks)
        for _ in 0..<200 {
            let number = PhoneNumber(digits: UInt64(["202555", "203555", "202556", "203556"].randomElement(using: &random)!)!
                * 10_000 + UInt64.random(in: 0...9_999, using: &random))!
            let jurisdiction = [Jurisdiction.interstate, .intrastate, .intraLATA, .indeterminate].randomElement(using: &random)!
            let time = Int64.random(in: 0...600, using: &random)
            let international = Bool.random(using: &random)
            let destination: Router.Destination = international
                ? .international(digits: 442_079_460_000, count: 12)
                : .nanp(dialed: number, routed: number, lrn: nil, dipped: true, jurisdiction: jurisdiction)
            let prices = [Rate?](unsafeUninitializedCapacity: merged.slotCount) { buffer, count in
                buffer.initialize(repeating: nil)
                merged.price(destination, at: time, intraMeansLATA: intraMeansLATA, into: buffer)
                count = merged.slotCount
            }
            for (slot, owner) in merged.owners.enumerated() {
                let deck = decks[owner]!
                let expected = international
                    ? deck.rate(forE164: 442_079_460_000, digitCount: 12, at: time)
                    : deck.rate(for: number, jurisdiction: jurisdiction, intraMeansLATA: intraMeansLATA[slot], at: time)
                #expect(prices[slot] == expected, "seed \(seed), \(owner), \(number), \(jurisdiction), t=\(time)")
            }
        }
    }

    @Test("the ported-number table holds the ends of every exchange, and a repeated number keeps its last LRN")
    func portedEdges() {
        let table = PortedNumberTable([
            (2_025_550_000, 3_015_550_001), (2_025_559_999, 3_015_550_002), (2_025_560_000, 3_015_550_003),
            (9_995_559_999, 3_015_550_004), (2_025_550_000, 3_015_550_005), (99_995_559_999, 3_015_550_006),
        ])
        #expect(table.count == 4)
        #expect(table.dip(PhoneNumber("+12025550000")!) == .ported(lrn: PhoneNumber(digits: 3_015_550_005)!))
        #expect(table.dip(PhoneNumber("+12025559999")!) == .ported(lrn: PhoneNumber(digits: 3_015_550_002)!))
        #expect(table.dip(PhoneNumber("+12025560000")!) == .ported(lrn: PhoneNumber(digits: 3_015_550_003)!))
        #expect(table.dip(PhoneNumber("+19995559999")!) == .ported(lrn: PhoneNumber(digits: 3_015_550_004)!))
        #expect(table.dip(PhoneNumber("+12025559998")!) == .notPorted)
        #expect(table.dip(PhoneNumber("+12025570000")!) == .notPorted)
        #expect(table.byteCount == 4 * 10 + 1_000_001 * 4)
    }
}
