import Routing
import Telephony
import Testing
@testable import Webhooks

@Suite("Kari's Law notices coalesced per trunk, caller and dialed code")
struct EmergencyNoticeCoalescerTests {
    private let start = ContinuousClock.now

    private func notice(_ caller: String?, trunk: String? = "trk_a", dialed: String = "911", id: String, at: Int64 = 0) -> EmergencyCallNotice {
        EmergencyCallNotice(
            dialed: dialed, call: EmergencyCall(accountId: "acc_a", callback: caller.flatMap(PhoneNumber.init), location: nil),
            trunkId: trunk, callID: id, at: at
        )
    }

    @Test("a caller's first call is told at once; its repeats within the window are counted into one summary")
    func repeatsCoalesce() {
        var coalescer = EmergencyNoticeCoalescer(window: .seconds(60), maximumWindows: 100)
        let told = (0..<500).filter { index in
            coalescer.admit(notice("+12025550100", id: "c\(index)", at: Int64(index)), at: start + .milliseconds(index))
        }
        #expect(told == [0])
        let early = coalescer.close(at: start + .seconds(59))
        #expect(early.isEmpty, "the window is still open")
        let summaries = coalescer.close(at: start + .seconds(60))
        #expect(summaries.count == 1)
        #expect(summaries.first?.repeats == 499)
        #expect(summaries.first?.first.callID == "c0" && summaries.first?.last.callID == "c499")
        #expect(coalescer.openWindows == 0)
        let reopened = coalescer.admit(notice("+12025550100", id: "later"), at: start + .seconds(61))
        #expect(reopened, "a new window opens")
    }

    @Test("a window that expired before it was closed still tells its repeats when a new call replaces it")
    func expiredWindowReplaced() {
        var coalescer = EmergencyNoticeCoalescer(window: .seconds(60), maximumWindows: 100)
        let first = coalescer.admit(notice("+12025550100", id: "a"), at: start)
        let repeated = coalescer.admit(notice("+12025550100", id: "b"), at: start + .seconds(1))
        // Past the window, before any closing: a new window opens, and the old one's repeat is not lost.
        let reopened = coalescer.admit(notice("+12025550100", id: "c"), at: start + .seconds(61))
        #expect(first && !repeated && reopened)
        let summaries = coalescer.close(at: start + .seconds(62))
        #expect(summaries.map(\.last.callID) == ["b"] && summaries.first?.repeats == 1)
    }

    @Test("other callers, trunks and dialed codes have windows of their own; a window without repeats closes silently")
    func keys() {
        var coalescer = EmergencyNoticeCoalescer(window: .seconds(60), maximumWindows: 100)
        let calls = [
            notice("+12025550100", id: "a"), notice("+12025550101", id: "b"), notice("+12025550100", trunk: "trk_b", id: "c"),
            notice("+12025550100", dialed: "933", id: "d"), notice(nil, id: "e"), notice(nil, id: "f"),
        ]
        var told: [Bool] = []
        for call in calls { told.append(coalescer.admit(call, at: start)) }
        #expect(told == [true, true, true, true, true, false])
        let summaries = coalescer.close(at: nil)
        #expect(summaries.map(\.last.callID) == ["f"], "only the anonymous caller repeated")
    }

    @Test("past the most windows, a new caller is told at once and not counted")
    func bounded() {
        var coalescer = EmergencyNoticeCoalescer(window: .seconds(60), maximumWindows: 2)
        var told: [Bool] = []
        for (caller, id) in [("+12025550100", "a"), ("+12025550101", "b"), ("+12025550102", "c"), ("+12025550102", "d"),
                             ("+12025550100", "e")] {
            told.append(coalescer.admit(notice(caller, id: id), at: start))
        }
        // c and d find both windows taken: each is told, neither counted; e repeats a's call.
        #expect(told == [true, true, true, true, false])
        #expect(coalescer.openWindows == 2)
    }
}
