import Routing
import Telephony
import Testing

private let acmeSource = IPAddress("192.0.2.10")!

/// Acme's trunk (calls from 192.0.2.0/24) and one carrier selling 301-555 (Maryland) below Acme's plan;
/// +13015550199 is ported to the LRN +14105559000.
private func snapshot() -> RoutingSnapshot {
    let acme = TrunkRoute(
        id: "trk_acme", accountId: "acc_acme", accountActive: true,
        hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
        sources: [CIDRBlock("192.0.2.0/24")!],
        callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: true)
    )
    var carrierDeck = RateDeck()
    carrierDeck.add(prefix: "1301555", rate: Rate(micros: 4_000))
    carrierDeck.add(prefix: "1410555", rate: Rate(micros: 4_000))
    var plan = RateDeck()
    plan.add(prefix: "1", rate: Rate(micros: 10_000))
    var locations = ExchangeLocations()
    locations.add(npa: 202, nxx: 555, block: nil, location: NANPLocation(state: "DC", lata: "236"))
    locations.add(npa: 301, nxx: 555, block: nil, location: NANPLocation(state: "MD", lata: "238"))
    locations.add(npa: 410, nxx: 555, block: nil, location: NANPLocation(state: "MD", lata: "240"))
    return RoutingSnapshot(
        version: 1, epoch: 1, trunks: [acme],
        numbers: [NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme")],
        emergency: nil,
        carriers: [CarrierRoute(id: "car_cheap", name: "Cheap", gateways: [.init(address: "gw.cheap.example")])],
        carrierRates: CarrierRates(decks: ["car_cheap": carrierDeck]),
        customerDecks: ["acc_acme": plan],
        ported: PortedNumberTable([(3015550199, 4105559000)]),
        locations: locations
    )
}

private func record(_ index: Int, producer: Int = 0) -> RoutingRecord {
    RoutingRecord(
        at: Int64(index), callID: "\(producer)-\(index)", source: acmeSource, trunkId: "trk_acme", dialed: "911",
        normalized: "911", lrn: nil, jurisdiction: nil, status: 302, reason: "emergency", carriers: [],
        priceMicros: nil, callerIDFlagged: false
    )
}

@Suite("Routing records")
struct RoutingRecordTests {
    @Test("an outbound decision's record has the source, number, LRN, jurisdiction, carriers and price")
    func outboundRecord() {
        let call = CallRequest(
            source: acmeSource, dialed: "13015550199", caller: "+12025550100", callID: "c1", time: 1_700_000_000
        )
        let decision = Router.decide(call, in: snapshot())
        let record = RoutingRecord(request: call, decision: decision, at: 1_700_000_000_123)
        #expect(record.at == 1_700_000_000_123)
        #expect(record.callID == "c1")
        #expect(record.source == acmeSource)
        #expect(record.trunkId == "trk_acme")
        #expect(record.dialed == "13015550199")
        #expect(record.normalized == "+13015550199")
        #expect(record.lrn == "+14105559000", "the ported number's LRN, from the snapshot's table")
        #expect(record.jurisdiction == .interstate)
        #expect(record.status == 302)
        #expect(record.carriers == [.init(id: "car_cheap", rate: Rate(micros: 4_000))])
        #expect(record.priceMicros == 10_000)
        #expect(!record.callerIDFlagged)
    }

    @Test("a refusal's record has its status and reason; an unknown source has no trunk")
    func refusalRecord() {
        let call = CallRequest(
            source: IPAddress("198.51.100.99")!, dialed: "+13015550100", caller: nil, callID: "c2", time: 1_700_000_000
        )
        let record = RoutingRecord(request: call, decision: Router.decide(call, in: snapshot()), at: 1_700_000_000_456)
        #expect(record.status == 403)
        #expect(record.reason.contains("unknown source"))
        #expect(record.trunkId == nil)
        #expect(record.carriers.isEmpty)
        #expect(record.priceMicros == nil)
        #expect(record.at == 1_700_000_000_456)
    }
}

@Suite("Routing record queue")
struct RoutingRecordQueueTests {
    @Test("records come out in the order they went in, across the ring's wrap-around")
    func fifo() {
        let queue = RoutingRecordQueue(capacity: 4)
        var out: [RoutingRecord] = []
        for round in 0..<5 {
            for index in 0..<3 { #expect(queue.offer(record(round * 3 + index))) }
            #expect(queue.drain(into: &out, maximum: 2) == 2)
            #expect(queue.drain(into: &out, maximum: 10) == 1)
        }
        #expect(out.map(\.at) == (0..<15).map(Int64.init))
        #expect(queue.count == 0)
        #expect(queue.dropped == 0)
    }

    @Test("a full queue drops and counts; draining makes room again")
    func capacity() {
        let queue = RoutingRecordQueue(capacity: 3)
        #expect((0..<5).map { queue.offer(record($0)) } == [true, true, true, false, false])
        #expect(queue.count == 3)
        #expect(queue.dropped == 2)
        var out: [RoutingRecord] = []
        #expect(queue.drain(into: &out, maximum: 1) == 1)
        #expect(queue.offer(record(9)))
        #expect(!queue.offer(record(10)))
        #expect(queue.dropped == 3)
        #expect(queue.drain(into: &out, maximum: 100) == 3)
        #expect(out.map(\.at) == [0, 1, 2, 9])
    }

    @Test("concurrent producers: exactly the capacity is kept, every other offer is counted as dropped")
    func concurrentProducers() async {
        let queue = RoutingRecordQueue(capacity: 10_000)
        let producers = 8, perProducer = 5_000
        let accepted = await withTaskGroup(of: Int.self) { group in
            for producer in 0..<producers {
                group.addTask {
                    (0..<perProducer).reduce(0) { $0 + (queue.offer(record($1, producer: producer)) ? 1 : 0) }
                }
            }
            return await group.reduce(0, +)
        }
        #expect(accepted == 10_000)
        #expect(queue.dropped == producers * perProducer - 10_000)
        var out: [RoutingRecord] = []
        #expect(queue.drain(into: &out, maximum: 20_000) == 10_000)
        // Each producer's records keep their order.
        for producer in 0..<producers {
            let mine = out.filter { $0.callID.hasPrefix("\(producer)-") }.map(\.at)
            #expect(mine == mine.sorted())
        }
    }

    @Test("concurrent producers and a consumer: every offer is either drained or dropped")
    func producersAndConsumer() async {
        let queue = RoutingRecordQueue(capacity: 512)
        let total = 4 * 20_000
        async let drained: Int = {
            var out: [RoutingRecord] = []
            var count = 0
            while count + queue.dropped < total || queue.count > 0 {
                out.removeAll(keepingCapacity: true)
                count += queue.drain(into: &out, maximum: 1_000)
                await Task.yield()
            }
            return count
        }()
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask { for index in 0..<20_000 { queue.offer(record(index, producer: producer)) } }
            }
        }
        let consumed = await drained
        #expect(consumed + queue.dropped == total)
    }

    @Test("reaching the batch threshold wakes the consumer")
    func wakesAtThreshold() async {
        let queue = RoutingRecordQueue(capacity: 100, batchThreshold: 10)
        for index in 0..<10 { queue.offer(record(index)) }
        var wakeups = queue.wakeups.makeAsyncIterator()
        let woke: Void? = await wakeups.next()
        #expect(woke != nil)
    }
}
