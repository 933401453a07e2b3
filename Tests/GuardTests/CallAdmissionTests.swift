import Guard
import Routing
import Synchronization
import Telephony
import Testing

@Suite("Call admission: policies in order, the first refusal stands, 911 always passes")
struct CallAdmissionTests {
    private let call = CallRequest(source: IPAddress("192.0.2.10")!, dialed: "+12025550100", caller: "+12025550199",
                                   callID: "c1", time: 1_800_000_000)

    private func redirected(trunk: String? = "trk_a", limit: Int? = 2) -> RoutingDecision {
        var decision = RoutingDecision(outcome: .redirect([
            RouteTarget(user: "+12025550100", host: "gw.example", port: 5060, transport: "udp", label: "carrier"),
        ]))
        decision.sourceTrunk = trunk
        decision.callsPerSecondLimit = limit
        return decision
    }

    /// What the recording policies saw, in order.
    final class Log: Sendable {
        let entries = Mutex<[String]>([])
        var all: [String] { entries.withLock { $0 } }
    }

    /// A policy that writes down the calls it sees and gives a fixed verdict.
    struct Recording: AdmissionPolicy {
        let name: String
        let verdict: AdmissionVerdict
        let log: Log

        init(_ name: String, _ verdict: AdmissionVerdict = .admit, log: Log) {
            self.name = name
            self.verdict = verdict
            self.log = log
        }

        func verdict(on call: CallRequest, routedAs _: RoutingDecision) -> AdmissionVerdict {
            log.entries.withLock { $0.append("\(name) \(call.callID)") }
            return verdict
        }
    }

    @Test("the policies run in the order written; the first refusal replaces the redirect and the rest do not see the call")
    func order() {
        let log = Log()
        let busy = Refusal(status: 486, reason: "too many channels")
        let admission = AdmissionPolicies {
            Recording("first", log: log)
            Recording("second", .refuse(busy), log: log)
            Recording("third", .refuse(Refusal(status: 403, reason: "fraud")), log: log)
        }
        var decision = redirected()
        admission.admit(call, &decision)
        #expect(decision.outcome == .refuse(busy))
        #expect(log.all == ["first c1", "second c1"])
    }

    @Test("a call routing refused keeps routing's refusal, and still counts as an attempt")
    func routingRefusalStands() {
        let limiter = CallRateLimiter()
        let admission = AdmissionPolicies { CallsPerSecondPolicy(limiter: limiter) }
        let notFound = Refusal(status: 404, reason: "no route")
        for _ in 0..<2 {
            var decision = redirected()
            decision.outcome = .refuse(notFound)
            admission.admit(call, &decision)
            #expect(decision.outcome == .refuse(notFound))
        }
        var third = redirected()
        admission.admit(call, &third)
        guard case .refuse(let refusal) = third.outcome else {
            Issue.record("the two refused attempts used the trunk's two calls")
            return
        }
        #expect(refusal.status == 503 && refusal.retryAfter == 1)
        #expect(refusal.reason == "over the trunk's limit of 2 calls per second")
    }

    @Test("emergency calls are neither refused nor counted")
    func emergencyPasses() {
        let log = Log()
        let admission = AdmissionPolicies {
            Recording("limit", .refuse(Refusal(status: 503, reason: "over the limit")), log: log)
        }
        var decision = redirected()
        decision.emergency = EmergencyCall(accountId: "acc_a", callback: nil, location: nil)
        let before = decision.outcome
        admission.admit(call, &decision)
        #expect(decision.outcome == before)
        #expect(log.all.isEmpty)
    }

    @Test("calls per second: only trunks with a limit are counted; a call over it is refused 503")
    func callsPerSecond() {
        let admission = AdmissionPolicies {
            AdmitAll()
            CallsPerSecondPolicy(limiter: CallRateLimiter())
        }
        let outcomes = (0..<3).map { _ in
            var decision = redirected(limit: 2)
            admission.admit(call, &decision)
            if case .redirect = decision.outcome { return 302 }
            if case .refuse(let refusal) = decision.outcome { return refusal.status }
            return 0
        }
        #expect(outcomes == [302, 302, 503])
        for source in [(trunk: String?("trk_b"), limit: Int?.none), (trunk: nil, limit: 1)] {
            for _ in 0..<5 {
                var decision = redirected(trunk: source.trunk, limit: source.limit)
                admission.admit(call, &decision)
                guard case .redirect = decision.outcome else {
                    Issue.record("a call without a trunk or a limit is never refused")
                    return
                }
            }
        }
    }
}

@Suite("Sampling the records of unknown sources")
struct UnknownSourceSamplerTests {
    private let start = ContinuousClock.now
    private let a = IPAddress("192.0.2.1")!
    private let b = IPAddress("192.0.2.2")!

    @Test("a source gets its burst, then one record a second; sources are sampled apart")
    func perSource() {
        let sampler = UnknownSourceSampler(.init(perSecond: 1, burst: 5, totalPerSecond: 1_000), at: start)
        #expect((0..<100).filter { _ in sampler.admit(a, at: start) }.count == 5)
        #expect((0..<100).filter { _ in sampler.admit(b, at: start) }.count == 5)
        #expect((0..<100).filter { _ in sampler.admit(a, at: start + .seconds(1)) }.count == 1)
        #expect(sampler.suppressed == 95 + 95 + 99)
    }

    @Test("all unknown sources together stay under the total, however many there are")
    func total() {
        let sampler = UnknownSourceSampler(.init(perSecond: 1, burst: 5, totalPerSecond: 50, maximumSources: 100), at: start)
        let sources = (0..<5_000).map { IPAddress.v4(0xC633_0000 + UInt32($0)) }
        #expect(sources.filter { sampler.admit($0, at: start) }.count == 50)
        #expect(sources.filter { sampler.admit($0, at: start + .seconds(1)) }.count == 50)
    }
}
