import Benchmark
import Routing
import Telephony

/// A snapshot the size of a mid-sized carrier: 1,000,000 of our numbers on 10,000 customer trunks, each
/// trunk with two hosts and a /29 of source addresses.
private let snapshot: RoutingSnapshot = {
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
        numbers.append(NumberRoute(number: number, accountId: "acc_\(index % 10_000)", trunkId: "trk_\(index % 10_000)"))
    }
    return RoutingSnapshot(version: 1, epoch: 1, trunks: trunks, numbers: numbers,
                           emergency: EmergencyRoute(host: "psap.example"))
}()

/// Dialed strings drawn up front, so that every iteration routes a different call.
private let dialed: [String] = (0..<4_096).map {
    "+1\(301 + $0 % 10)\(520 + $0 / 10 % 10)\(String(format: "%04d", ($0 * 7_919) % 10_000))"
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    Benchmark("Router.decide: inbound to one of 1M numbers", configuration: .init(scalingFactor: .kilo)) { benchmark in
        _ = snapshot
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            let request = CallRequest(
                source: .v4(0x0A00_0001 + UInt32(iteration % 10_000) << 3), dialed: dialed[iteration % dialed.count],
                caller: "+13015200000", callID: "c\(iteration)"
            )
            blackHole(Router.decide(request, in: snapshot))
        }
    }

    Benchmark("Router.decide: 911", configuration: .init(scalingFactor: .kilo)) { benchmark in
        _ = snapshot
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            let request = CallRequest(source: .v4(0x0A00_0001), dialed: "911", caller: nil, callID: "e\(iteration)")
            blackHole(Router.decide(request, in: snapshot))
        }
    }

    Benchmark("PhoneNumber(parsing:) of a SIP URI", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for iteration in benchmark.scaledIterations {
            blackHole(try? PhoneNumber(parsing: "sip:+1202555\(iteration % 10)143;npdi@198.51.100.7:5060;user=phone"))
        }
    }
}
