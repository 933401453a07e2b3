import Guard
import Routing
import Telephony
import Testing

@Suite("Channels: taken at the redirect, given back at the end, never held for good")
struct ChannelCounterTests {
    let start = ContinuousClock.now
    let counter = ChannelCounter(configuration: .init(answerTimeout: .seconds(60), longestCall: .seconds(3_600), maximumCalls: 5))

    @Test("a trunk takes up to its limit; an end gives one back; a call's repeat holds the one it has")
    func limit() {
        #expect(counter.take(trunk: "t", limit: 2, callID: "a", at: start))
        #expect(counter.take(trunk: "t", limit: 2, callID: "b", at: start))
        #expect(!counter.take(trunk: "t", limit: 2, callID: "c", at: start), "the third of two")
        #expect(counter.take(trunk: "t", limit: 2, callID: "a", at: start), "the same call again")
        #expect(counter.take(trunk: "other", limit: 2, callID: "c", at: start), "another trunk's channels are its own")
        #expect(counter.ended("b") && !counter.ended("b"), "an end gives back once")
        #expect(counter.take(trunk: "t", limit: 2, callID: "d", at: start))
        #expect(counter.usage(of: "t", at: start) == .init(ringing: 2, answered: 0))
        #expect(counter.take(trunk: "t", limit: nil, callID: "e", at: start), "no limit: counted, never refused")
        #expect(counter.usage(of: "t", at: start).inUse == 3)
    }

    @Test("an unanswered call gives its channel back after the answer timeout; an answered one holds it until its end")
    func timeouts() {
        #expect(counter.take(trunk: "t", limit: 1, callID: "ringing", at: start))
        #expect(!counter.take(trunk: "t", limit: 1, callID: "next", at: start + .seconds(59)))
        #expect(counter.take(trunk: "t", limit: 1, callID: "next", at: start + .seconds(60)), "the ringing call's time is up")
        #expect(counter.answered("next", at: start + .seconds(61)) && !counter.answered("unknown"))
        #expect(!counter.take(trunk: "t", limit: 1, callID: "third", at: start + .seconds(300)), "answered: held past the answer timeout")
        #expect(counter.usage(of: "t", at: start + .seconds(300)) == .init(ringing: 0, answered: 1))
        #expect(counter.take(trunk: "t", limit: 1, callID: "third", at: start + .seconds(3_662)), "the longest call is over")
        #expect(counter.allUsage(at: start + .seconds(3_662)) == ["t": .init(ringing: 1, answered: 0)])
    }

    @Test("past the table's bound, calls are admitted untracked: no flood grows it")
    func bounded() {
        for index in 0..<5 { #expect(counter.take(trunk: "t\(index)", limit: 1, callID: "c\(index)", at: start)) }
        #expect(counter.take(trunk: "t9", limit: 1, callID: "extra", at: start), "the table is full: admitted untracked")
        #expect(counter.untracked == 1 && counter.usage(of: "t9", at: start).inUse == 0)
        #expect(!counter.take(trunk: "t0", limit: 1, callID: "more", at: start), "a trunk at its limit is still refused")
    }

    @Test("the policy: a redirect through an SBC takes the channel; over the limit, 486; a refusal, a direct call or an emergency call takes none")
    func policy() {
        let policy = AdmissionPolicies { ChannelPolicy(counter: counter) }
        func decision(_ outcome: RoutingOutcome = .redirect([RouteTarget(user: "+1", host: "gw", port: 5060, transport: "udp", label: "x")]))
            -> RoutingDecision
        {
            var decision = RoutingDecision(outcome: outcome)
            decision.channelTrunk = "t"
            decision.channelLimit = 1
            return decision
        }
        func call(_ id: String, throughSBC: Bool = true) -> CallRequest {
            CallRequest(source: IPAddress("192.0.2.10")!, dialed: "+12025550100", caller: nil, callID: id, time: 0, throughSBC: throughSBC)
        }
        var refused = decision(.refuse(Refusal(status: 403, reason: "no")))
        policy.admit(call("refused"), &refused)
        #expect(counter.usage(of: "t").inUse == 0, "routing refused it: no channel")
        var first = decision()
        policy.admit(call("first"), &first)
        #expect(counter.usage(of: "t").inUse == 1)
        var second = decision()
        policy.admit(call("second"), &second)
        #expect(second.outcome == .refuse(Refusal(status: 486, reason: "all 1 channels of the trunk are in use")))
        var direct = decision()
        policy.admit(call("direct", throughSBC: false), &direct)
        #expect(direct.outcome == decision().outcome, "a call not through an SBC is not counted: no one would say it ended")
        var emergency = decision()
        emergency.emergency = EmergencyCall(accountId: "acc", callback: nil, location: nil)
        policy.admit(call("911"), &emergency)
        #expect(emergency.outcome == decision().outcome, "911 and 933 are never refused")
    }
}
