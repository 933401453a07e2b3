import Benchmark
import Routing
import RoutingFixtures
import Telephony

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    Benchmark("Router.decide: inbound to one of 1M numbers", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let snapshot = RoutingFixtures.inbound
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(Router.decide(RoutingFixtures.inboundCall(iteration), in: snapshot))
        }
    }

    Benchmark(
        "Router.decide: outbound, 10 carriers × 100k prefixes, 10M ported", configuration: .init(scalingFactor: .kilo)
    ) { benchmark in
        let snapshot = RoutingFixtures.outbound
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(Router.decide(RoutingFixtures.outboundCall(iteration), in: snapshot))
        }
    }

    Benchmark("RoutingSnapshot: build with 1M prefixes and 10M ported numbers", configuration: .init(
        metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(60), maxIterations: 2
    )) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RoutingFixtures.makeOutbound())
        }
    }

    Benchmark("Router.decide: 911", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let snapshot = RoutingFixtures.inbound
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(Router.decide(RoutingFixtures.emergencyCall(iteration), in: snapshot))
        }
    }

    Benchmark("PhoneNumber(parsing:) of a SIP URI", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for iteration in benchmark.scaledIterations {
            blackHole(try? PhoneNumber(parsing: "sip:+1202555\(iteration % 10)143;npdi@198.51.100.7:5060;user=phone"))
        }
    }
}
