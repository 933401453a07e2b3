import Guard
import Testing

@Suite("Calls-per-second limits")
struct CallRateLimiterTests {
    private let start = ContinuousClock.now

    @Test("a trunk bursts to its limit, then gets one call per 1/limit seconds")
    func bucket() {
        let limiter = CallRateLimiter()
        let admitted = (0..<8).filter { _ in limiter.admit(trunk: "trk_a", limit: 5, at: start) }
        #expect(admitted.count == 5)
        #expect(!limiter.admit(trunk: "trk_a", limit: 5, at: start + .milliseconds(100)), "a tenth of a second refills half a call")
        #expect(limiter.admit(trunk: "trk_a", limit: 5, at: start + .milliseconds(200)))
        #expect(!limiter.admit(trunk: "trk_a", limit: 5, at: start + .milliseconds(200)))
        // A long pause refills the bucket to one second's worth, no more.
        let later = start + .seconds(60)
        #expect((0..<8).filter { _ in limiter.admit(trunk: "trk_a", limit: 5, at: later) }.count == 5)
    }

    @Test("trunks are limited apart; no limit admits everything")
    func independent() {
        let limiter = CallRateLimiter()
        #expect((0..<3).allSatisfy { _ in limiter.admit(trunk: "trk_a", limit: 3, at: start) })
        #expect(!limiter.admit(trunk: "trk_a", limit: 3, at: start))
        #expect(limiter.admit(trunk: "trk_b", limit: 3, at: start))
        #expect((0..<1_000).allSatisfy { _ in limiter.admit(trunk: "trk_c", limit: 0, at: start) })
    }

    @Test("the table stays bounded when many trunks call")
    func bounded() {
        let limiter = CallRateLimiter(maximumTrunks: 10)
        for index in 0..<100 { _ = limiter.admit(trunk: "trk_\(index)", limit: 1, at: start) }
        // trk_0 was forgotten when the table started afresh, so it has a full bucket again.
        #expect(limiter.admit(trunk: "trk_0", limit: 1, at: start))
    }

    @Test("concurrent callers never admit more than the bucket holds")
    func concurrent() async {
        let limiter = CallRateLimiter()
        let instant = start
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<1_000).filter { _ in limiter.admit(trunk: "trk_a", limit: 100, at: instant) }.count }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 100)
    }
}
