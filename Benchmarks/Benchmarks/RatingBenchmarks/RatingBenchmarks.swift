import Benchmark
import Crypto
import Rating
import Routing
import Telephony

/// The price lists calls are rated against: a customer's sell deck (one exchange in seven of every NPA: 90,965
/// rows, a price per jurisdiction, 6/6) and a carrier's buy deck (100,000 prefixes of 4 to 10 digits, 1/1, with a
/// connect fee), as large as real decks are.
enum RatingFixtures {
    static let price: PriceList = {
        var deck = RateDeck()
        for npa in 201...999 where npa % 100 != 11 {
            for nxx in stride(from: 200, through: 999, by: 7) {
                deck.add(npanxx: "\(npa)\(nxx)", rate: JurisdictionalRate(
                    interstate: Rate(micros: Int64(9_000 + nxx), initialSeconds: 6, incrementSeconds: 6),
                    intrastate: Rate(micros: Int64(7_000 + nxx), initialSeconds: 6, incrementSeconds: 6),
                    indeterminate: Rate(micros: Int64(11_000 + nxx), initialSeconds: 6, incrementSeconds: 6)
                ))
            }
        }
        deck.add(prefix: "1", rate: Rate(micros: 12_000, initialSeconds: 6, incrementSeconds: 6))
        return PriceList(deck: deck, terms: ChargeTerms(minimumSeconds: 6))
    }()

    static let cost: PriceList = {
        var deck = RateDeck()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = 4 + Int(state >> 60) % 7
            let prefix = "1" + String(String(state % 10_000_000_000).prefix(length - 1))
            deck.add(prefix: prefix, rate: Rate(micros: Int64(state % 9_000) + 500, initialSeconds: 1, incrementSeconds: 1))
        }
        deck.add(prefix: "1", rate: Rate(micros: 8_000, initialSeconds: 1, incrementSeconds: 1))
        return PriceList(deck: deck, terms: ChargeTerms(connectFee: Money(micros: 200)))
    }()

    static let jurisdictions: [Jurisdiction] = [.interstate, .intrastate, .intraLATA, .local, .indeterminate]

    /// The `n`th call: an answered call to a spread of NANP numbers, of 0 to 20 minutes, one in ten unanswered.
    static func call(_ n: Int) -> CallUsage {
        let spread = UInt64(n) &* 2_654_435_761
        let npa = UInt16(201 + spread % 799)
        let number = (try? PhoneNumber(npa: npa % 100 == 11 ? 212 : npa, nxx: UInt16(200 + (spread >> 10) % 800),
                                       line: UInt16((spread >> 20) % 10_000))) ?? PhoneNumber("+12025550143")!
        return CallUsage(
            destination: .nanp(number, jurisdictions[n % jurisdictions.count]), startedAt: 1_790_000_000 + Int64(n),
            answered: n % 10 != 0, billableSeconds: Int64((spread >> 30) % 1_200)
        )
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        maxDuration: .seconds(5),
        maxIterations: 1_000_000
    )

    Benchmark("CallRater.rate: price and cost of a NANP call (91k-exchange sell deck, 100k-prefix buy deck)",
              configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (price, cost) = (RatingFixtures.price, RatingFixtures.cost)
        let calls = (0..<4_096).map(RatingFixtures.call)
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(CallRater.rate(calls[iteration & 4_095], price: price, cost: cost))
        }
    }

    Benchmark("DecisionToken.seal: an outbound call's decision, two carriers", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let sealer = DecisionToken(key: SymmetricKey(size: .bits256))
        let decision = CallDecision(
            decidedAt: 1_790_000_000, callDigest: CallDecision.digest(ofCallID: "a84b4c76e66710@pbx.acme.example"), kind: .outbound,
            accountId: "acc_k3v9x0q2m7p1w8z4", trunkId: "trk_m7p1w8z4k3v9x0q2", destination: "+13035550100", jurisdiction: .interstate,
            price: Rate(micros: 9_000, initialSeconds: 6, incrementSeconds: 6),
            carriers: [ChosenCarrier(id: "car_x0q2m7p1w8z4k3v9", rate: Rate(micros: 4_000, initialSeconds: 6, incrementSeconds: 6)),
                       ChosenCarrier(id: "car_p1w8z4k3v9x0q2m7", rate: Rate(micros: 4_500, initialSeconds: 1, incrementSeconds: 1))]
        )
        for _ in benchmark.scaledIterations {
            blackHole(sealer.seal(decision))
        }
    }

    Benchmark("BillingRule.charge: one side of an answered call", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let rate = Rate(micros: 12_345, initialSeconds: 30, incrementSeconds: 6)
        let terms = ChargeTerms(minimumSeconds: 30, connectFee: Money(micros: 1_000))
        for iteration in benchmark.scaledIterations {
            blackHole(BillingRule.charge(seconds: Int64(iteration % 3_600), rate: rate, terms: terms))
        }
    }
}
