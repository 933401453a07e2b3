import Foundation
import Routing
import Telephony

/// The snapshots and calls the routing benchmarks route, shared by `RoutingBenchmarks` (timed by
/// ordo-one/benchmark) and `RoutingInstructionCount` (run under callgrind), so that both measure the same work.
public enum RoutingFixtures {
    /// A snapshot the size of a mid-sized carrier: 1,000,000 of our numbers on 10,000 customer trunks, each
    /// trunk with two hosts and a /29 of source addresses.
    public static let inbound: RoutingSnapshot = {
        var trunks: [TrunkRoute] = []
        for index in 0..<10_000 {
            let base = UInt32(0x0A00_0000) + UInt32(index) << 3
            trunks.append(TrunkRoute(
                id: "trk_\(index)", accountId: "acc_\(index)", accountActive: true,
                hosts: [
                    .init(address: "pbx\(index).example", port: 5060, transport: "udp", priority: 10, weight: 60),
                    .init(address: "pbx\(index)b.example", port: 5060, transport: "udp", priority: 10, weight: 40),
                ],
                sources: [try! CIDRBlock(address: .v4(base), prefixLength: 29)],
                callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false)
            ))
        }
        var numbers: [NumberRoute] = []
        numbers.reserveCapacity(1_000_000)
        for index in 0..<1_000_000 {
            let number = try! PhoneNumber(
                npa: 301 + UInt16(index / 100_000), nxx: 520 + UInt16(index / 10_000 % 10), line: UInt16(index % 10_000)
            )
            numbers.append(NumberRoute(
                number: number, accountId: "acc_\(index % 10_000)", trunkId: "trk_\(index % 10_000)"
            ))
        }
        return RoutingSnapshot(version: 1, epoch: 1, trunks: trunks, numbers: numbers,
                               emergency: EmergencyRoute(host: "psap.example"))
    }()

    /// The issue's scale for outbound routing: 10 carriers with 100,000 distinct prefixes each (1,000,000 in all,
    /// `1` + NPA-NXX, so every lookup is a longest-prefix match), 10,000,000 ported numbers, and a customer rate plan.
    public static func makeOutbound() -> RoutingSnapshot {
        var decks: [String: RateDeck] = [:]
        var carriers: [CarrierRoute] = []
        for carrier in 0..<10 {
            var deck = RateDeck()
            for index in 0..<100_000 {
                let npa = pricedNPAs[index / 800]
                let nxx = 200 + index % 800
                deck.add(prefix: "1\(npa)\(nxx)", rate: Rate(micros: Int64(2_000 + (index * 7 + carrier * 13) % 5_000)))
            }
            deck.add(prefix: "1", rate: Rate(micros: 9_000))
            precondition(deck.count == 100_001, "every carrier prices 100,000 distinct prefixes and `1`")
            decks["car_\(carrier)"] = deck
            carriers.append(CarrierRoute(
                id: "car_\(carrier)", name: "Carrier \(carrier)", priority: carrier,
                gateways: [.init(address: "gw\(carrier).example"), .init(address: "gw\(carrier)b.example")]
            ))
        }
        var plan = RateDeck()
        plan.add(prefix: "1", rate: Rate(micros: 10_000))
        var pairs: [(number: UInt64, lrn: UInt64)] = []
        pairs.reserveCapacity(10_000_000)
        for index in 0..<10_000_000 {
            let number = UInt64(outboundNPAs[index % outboundNPAs.count]) * 10_000_000
                + UInt64(200 + index / 10 % 800) * 10_000 + UInt64(index / 8_000 % 10_000)
            pairs.append((number, UInt64(3_015_550_000 + index % 10_000)))
        }
        return RoutingSnapshot(
            version: 1, epoch: 1,
            trunks: [TrunkRoute(
                id: "trk_0", accountId: "acc_0", accountActive: true,
                hosts: [.init(address: "pbx0.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
                sources: [try! CIDRBlock(address: .v4(0x0A00_0000), prefixLength: 29)],
                callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false)
            )],
            numbers: [], emergency: nil,
            carriers: carriers, carrierRates: CarrierRates(decks: decks), customerDecks: ["acc_0": plan],
            ported: PortedNumberTable(pairs)
        )
    }

    /// The snapshot of ``makeOutbound()``, built once.
    public static let outbound = makeOutbound()

    /// The NPAs outbound calls dial, and where the ported numbers are.
    private static let outboundNPAs: [UInt16] = [201, 202, 203, 205, 206, 207, 208, 209, 210, 212]

    /// The NPAs the carriers price: the dialed ones and 115 more, whose 800 exchanges each make 100,000 prefixes.
    private static let pricedNPAs: [UInt16] = outboundNPAs
        + (213...999).filter { !outboundNPAs.contains($0) && $0 % 100 != 11 }.prefix(115)

    /// Outbound dial strings across the priced NPAs; about one in eight is ported.
    private static let outboundDialed: [String] = (0..<4_096).map { index in
        "+1\(outboundNPAs[index % 10])\(200 + index * 37 % 800)\(String(format: "%04d", index * 7_919 % 10_000))"
    }

    /// Inbound dial strings to the numbers of ``inbound``, drawn up front.
    private static let inboundDialed: [String] = (0..<4_096).map {
        "+1\(301 + $0 % 10)\(520 + $0 / 10 % 10)\(String(format: "%04d", ($0 * 7_919) % 10_000))"
    }

    /// The `iteration`th inbound call: each from another trunk, to another number, with its own Call-ID.
    public static func inboundCall(_ iteration: Int) -> CallRequest {
        CallRequest(
            source: .v4(0x0A00_0001 + UInt32(iteration % 10_000) << 3),
            dialed: inboundDialed[iteration % inboundDialed.count], caller: "+13015200000", callID: "c\(iteration)",
            time: 1_800_000_000
        )
    }

    /// The `iteration`th outbound call from the customer trunk of ``outbound``.
    public static func outboundCall(_ iteration: Int) -> CallRequest {
        CallRequest(
            source: .v4(0x0A00_0001), dialed: outboundDialed[iteration % outboundDialed.count],
            caller: "+12025550000", callID: "o", time: 1_800_000_000
        )
    }

    /// The `iteration`th 911 call, from a trunk of ``inbound``.
    public static func emergencyCall(_ iteration: Int) -> CallRequest {
        CallRequest(source: .v4(0x0A00_0001), dialed: "911", caller: nil, callID: "e\(iteration)", time: 1_800_000_000)
    }
}
