import SIP
import Testing
import Telephony

@testable import SIPServer

// MARK: - Retransmission cache

@Suite("Answer cache")
struct AnswerCacheTests {
    static let source = IPAddress.v4(0xC000_0201)

    static func key(_ callID: String, digest: UInt64? = nil) -> TransactionKey {
        TransactionKey(source: source, callID: callID, sequence: 1, method: .invite, branch: "z9hG4bK1", digest: digest)
    }

    static func answer(_ status: Int) -> SIPEncodedResponse {
        SIPEncodedResponse(replyingTo: SIPRequest(method: .invite, uri: SIPURI(host: "x")), status: status, reason: "Test")
    }

    @Test func keysSharingADigestNeverGetEachOthersAnswer() {
        let cache = AnswerCache(capacity: 8)
        let first = Self.key("first@example.com", digest: 42)
        let second = Self.key("second@example.com", digest: 42)
        cache.store(Self.answer(302), for: first)
        #expect(cache.answer(first)?.status == 302)
        #expect(cache.answer(second) == nil)
        #expect(cache.lookup(second) == nil)
        cache.store(Self.answer(503), for: second)
        #expect(cache.answer(second)?.status == 503)
        #expect(cache.answer(first) == nil)
    }

    @Test func everyPartOfTheKeyCounts() {
        let cache = AnswerCache(capacity: 8)
        let key = Self.key("call@example.com")
        cache.store(Self.answer(302), for: key)
        #expect(cache.answer(Self.key("call@example.com"))?.status == 302)
        var otherSource = TransactionKey(
            source: .v4(0xC000_0202), callID: key.callID, sequence: 1, method: .invite, branch: key.branch,
            digest: key.digest
        )
        #expect(cache.answer(otherSource) == nil)
        otherSource = TransactionKey(
            source: key.source, callID: key.callID, sequence: 2, method: .invite, branch: key.branch, digest: key.digest
        )
        #expect(cache.answer(otherSource) == nil)
    }

    @Test("10,000 answers to 1.5 KB Call-IDs: the cache keeps to its byte budget, forgetting the oldest")
    func byteBudget() {
        let cache = AnswerCache(capacity: 10_000, byteBudget: 200_000)
        let long = String(repeating: "x", count: 1_500)
        for index in 0..<10_000 { cache.store(Self.answer(302), for: Self.key("\(index)-\(long)")) }
        #expect(cache.bytes <= 200_000)
        #expect(cache.bytes > 150_000, "the budget is used, not emptied")
        #expect(cache.answer(Self.key("9999-\(long)"))?.status == 302)
        #expect(cache.answer(Self.key("0-\(long)")) == nil)
        let huge = Self.key(String(repeating: "y", count: 300_000))
        cache.store(Self.answer(302), for: huge)
        #expect(cache.answer(huge) == nil, "an answer over the whole budget is not kept")
        #expect(cache.answer(Self.key("9999-\(long)"))?.status == 302, "and costs the others nothing")
    }

    @Test func theOldestAnswerIsForgottenFirst() {
        let cache = AnswerCache(capacity: 2)
        let keys = (1...3).map { Self.key("call\($0)@example.com") }
        for (index, key) in keys.enumerated() { cache.store(Self.answer(300 + index), for: key) }
        #expect(cache.answer(keys[0]) == nil)
        #expect(cache.answer(keys[1])?.status == 301)
        #expect(cache.answer(keys[2])?.status == 302)
    }
}
