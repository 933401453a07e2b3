import Testing
import Telephony

@Suite("SyntheticNANP")
struct SyntheticNANPTests {
    @Test("the same seed yields the same records; another seed differs")
    func determinism() {
        let first = Array(SyntheticNANP(exchanges: 3_000, seed: 7))
        let second = Array(SyntheticNANP(exchanges: 3_000, seed: 7))
        let other = Array(SyntheticNANP(exchanges: 3_000, seed: 8))
        #expect(first == second)
        #expect(first != other)
        #expect(first.count == other.count)
    }

    @Test(
        "rowCount matches the rows iteration yields",
        arguments: [(0, 0.4), (1, 0.4), (51, 0.4), (1_000, 0), (1_000, 1), (5_000, 0.4), (777, 0.33), (2, 0.5)]
    )
    func rowCount(exchanges: Int, pooledFraction: Double) {
        let dataset = SyntheticNANP(exchanges: exchanges, pooledFraction: pooledFraction)
        var rows = 0
        var wholeExchanges = 0
        for record in dataset {
            rows += 1
            if record.block == nil { wholeExchanges += 1 }
        }
        #expect(rows == dataset.rowCount)
        #expect(wholeExchanges == exchanges)
        #expect(dataset.pooledExchanges == Int((Double(exchanges) * pooledFraction).rounded()))
        #expect(dataset.underestimatedCount == dataset.rowCount)
    }

    @Test("51 exchanges already cover all 50 states and DC")
    func statesCovered() {
        #expect(SyntheticNANP.states.count == 51)
        #expect(Set(SyntheticNANP.states).count == 51)
        #expect(Set(SyntheticNANP.states).isSubset(of: NANPRegion.knownStateCodes))
        #expect(Set(SyntheticNANP.states).contains("DC"))
        let states = Set(SyntheticNANP(exchanges: 51).map(\.state))
        #expect(states == Set(SyntheticNANP.states))
    }

    @Test("every record passes the validating initializer unchanged")
    func recordsAreValid() throws {
        for record in SyntheticNANP(exchanges: 4_000, seed: 99) {
            let reparsed = try ExchangeRecord(
                npa: String(record.npa),
                nxx: String(record.nxx),
                block: record.block.map { String($0) },
                state: record.state,
                lata: record.lata,
                rateCenter: record.rateCenter,
                ocn: record.ocn,
                company: record.company,
                companyType: record.companyType.rawValue
            )
            #expect(reparsed == record)
        }
    }

    @Test("pooled exchanges are followed by blocks 0-9 held by a mix of carriers")
    func pooling() {
        let records = Array(SyntheticNANP(exchanges: 2_000, pooledFraction: 0.4, seed: 1))
        var index = 0
        var pooled = 0
        var blocksHeldByOthers = 0
        var blocksHeldByHolder = 0
        while index < records.count {
            let exchange = records[index]
            #expect(exchange.block == nil)
            index += 1
            guard index < records.count, records[index].block != nil else { continue }
            pooled += 1
            for digit in 0...9 {
                let block = records[index]
                #expect(block.block == UInt8(digit))
                #expect(block.npa == exchange.npa && block.nxx == exchange.nxx)
                #expect(block.rateCenter == exchange.rateCenter && block.lata == exchange.lata)
                if block.ocn == exchange.ocn { blocksHeldByHolder += 1 } else { blocksHeldByOthers += 1 }
                index += 1
            }
        }
        #expect(pooled == 800)
        #expect(blocksHeldByHolder > 1_000)
        #expect(blocksHeldByOthers > 3_000)
        let types = Set(records.map(\.companyType))
        #expect(types.isSuperset(of: [.ilec, .clec, .wireless, .ipes]))
    }

    @Test("the full dataset: unique keys, valid exchanges, real-looking geography")
    func fullDataset() {
        let dataset = SyntheticNANP(exchanges: .max, pooledFraction: 0.3, seed: 2026)
        #expect(SyntheticNANP.maximumExchanges >= 250_000)
        #expect(dataset.exchanges == SyntheticNANP.maximumExchanges)

        var keys = Set<Int>()
        keys.reserveCapacity(dataset.rowCount)
        var rows = 0
        var npasByState: [String: Set<UInt16>] = [:]
        var rateCentersByState: [String: Set<String>] = [:]
        var lataByRateCenter: [String: String] = [:]
        var stableLATAs = true
        var validCodes = true
        let caribbeanOrTerritory: Set<UInt16> = [
            242, 246, 264, 268, 284, 345, 441, 473, 649, 658, 664, 721, 758, 767, 784, 809, 829, 849, 868, 869, 876,
            340, 670, 671, 684, 787, 939,
        ]
        for record in dataset {
            rows += 1
            keys.insert((Int(record.npa) * 1_000 + Int(record.nxx)) * 11 + Int(record.block ?? 10))
            if record.block == nil {
                npasByState[record.state, default: []].insert(record.npa)
                rateCentersByState[record.state, default: []].insert(record.rateCenter)
                let place = record.state + " " + record.rateCenter
                if let lata = lataByRateCenter[place], lata != record.lata { stableLATAs = false }
                lataByRateCenter[place] = record.lata
                let nxx = record.nxx
                let npa = record.npa
                if nxx < 200 || nxx % 100 == 11 || [555, 950, 958, 959, 976].contains(nxx) { validCodes = false }
                if npa < 200 || npa % 100 == 11 || npa == 900 || [800, 833, 844, 855, 866, 877, 888].contains(npa)
                    || caribbeanOrTerritory.contains(npa)
                {
                    validCodes = false
                }
            }
        }
        #expect(rows == dataset.rowCount)
        #expect(rows > 1_000_000)
        #expect(keys.count == rows)
        #expect(validCodes)
        #expect(stableLATAs)
        #expect(Set(npasByState.keys) == Set(SyntheticNANP.states))
        let npaCount = npasByState.values.reduce(0) { $0 + $1.count }
        #expect(npaCount >= 300)
        #expect(npaCount * 787 == SyntheticNANP.maximumExchanges)
        #expect(npasByState["CA", default: []].count >= 30)
        #expect(npasByState["NJ"]?.contains(201) == true)
        #expect(npasByState.values.allSatisfy { !$0.isEmpty })
        #expect(rateCentersByState.values.allSatisfy { $0.count >= 6 })
        #expect(rateCentersByState["NJ"]?.isSuperset(of: ["NEWARK", "TRENTON"]) == true)
    }

    @Test("asking for more than the maximum stops at the maximum")
    func capped() {
        let dataset = SyntheticNANP(exchanges: SyntheticNANP.maximumExchanges + 10, pooledFraction: 0)
        #expect(dataset.exchanges == SyntheticNANP.maximumExchanges)
        #expect(dataset.rowCount == SyntheticNANP.maximumExchanges)
    }
}
