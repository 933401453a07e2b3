import Rating
import Routing
import Telephony
import Testing

/// 2026-01-01T00:00:00Z and 2026-07-01T00:00:00Z.
private let january: Int64 = 1_767_225_600
private let july: Int64 = 1_782_864_000
private let dc = PhoneNumber("+12025550143")!

/// A carrier's deck: NPA-NXX 202-555 by jurisdiction, prefix rows for the rest of NANP and the UK, one with a
/// rate change on 1 July and one that expires then.
private func carrierDeck() -> RateDeck {
    var deck = RateDeck()
    deck.add(npanxx: "202555", rate: JurisdictionalRate(
        interstate: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6),
        intrastate: Rate(micros: 8_000, initialSeconds: 6, incrementSeconds: 6),
        indeterminate: Rate(micros: 12_000, initialSeconds: 6, incrementSeconds: 6)
    ))
    deck.add(prefix: "1", rate: Rate(micros: 9_000))
    deck.add(prefix: "1303", rate: Rate(micros: 4_500, initialSeconds: 6, incrementSeconds: 6, effectiveAt: january))
    deck.add(prefix: "1303", rate: Rate(micros: 4_000, initialSeconds: 6, incrementSeconds: 6, effectiveAt: july))
    deck.add(prefix: "44", rate: Rate(micros: 20_000, initialSeconds: 1, incrementSeconds: 1))
    deck.add(prefix: "442", rate: Rate(micros: 15_000, initialSeconds: 1, incrementSeconds: 1, expiresAt: july))
    return deck
}

private func answered(_ destination: CallUsage.Destination, seconds: Int64 = 60, at time: Int64 = january + 3_600) -> CallUsage {
    CallUsage(destination: destination, startedAt: time, answered: true, billableSeconds: seconds)
}

private func perMinute(_ rating: SideRating) -> Int64? {
    guard case .charged(let charge) = rating else { return nil }
    return charge.perMinute.micros
}

@Suite("Rating calls")
struct CallRaterTests {
    @Test("each jurisdiction takes its column; local calls the intrastate one; an intra-LATA carrier's intrastate is interstate",
          arguments: [
              (Jurisdiction.interstate, false, 10_000), (.intrastate, false, 8_000), (.intraLATA, false, 8_000),
              (.local, false, 8_000), (.indeterminate, false, 12_000),
              (.intrastate, true, 10_000), (.intraLATA, true, 8_000), (.local, true, 8_000),
          ] as [(Jurisdiction, Bool, Int64)])
    func jurisdictions(jurisdiction: Jurisdiction, intraMeansLATA: Bool, micros: Int64) {
        let list = PriceList(deck: carrierDeck(), intraMeansLATA: intraMeansLATA)
        #expect(perMinute(CallRater.side(answered(.nanp(dc, jurisdiction)), list)) == micros)
    }

    @Test("the rate in force at the call's start applies: effective from the second it starts, gone at its expiry",
          arguments: [
              (january + 60, "1303", Int64(4_500)), (july - 1, "1303", 4_500), (july, "1303", 4_000),
              (january - 1, "1303", 9_000),  // before the prefix's first row: the shorter prefix
              (july - 1, "442", 15_000), (july, "442", 20_000),  // expired: the shorter prefix
          ] as [(Int64, String, Int64)])
    func effectiveDates(start: Int64, prefix: String, micros: Int64) throws {
        let list = PriceList(deck: carrierDeck())
        let destination: CallUsage.Destination = prefix == "1303"
            ? .nanp(try #require(PhoneNumber("+13035550100")), .interstate)
            : .international(digits: 442_071_234_567, count: 12)
        #expect(perMinute(CallRater.side(answered(destination, at: start), list)) == micros)
    }

    @Test("a call that starts before a rate change and ends after it keeps the rate it started under")
    func spanningACHange() throws {
        let call = answered(.nanp(try #require(PhoneNumber("+13035550100")), .interstate), seconds: 7_200, at: july - 60)
        guard case .charged(let charge) = CallRater.side(call, PriceList(deck: carrierDeck())) else {
            Issue.record("not charged")
            return
        }
        #expect(charge.perMinute.micros == 4_500 && charge.total == Money(micros: 540_000))
    }

    @Test("911 and 933 are never charged, unanswered calls and sub-second answers cost nothing, and nothing is guessed")
    func freeAndUnrated() throws {
        let list = PriceList(deck: carrierDeck())
        #expect(CallRater.rate(answered(.emergency, seconds: 600), price: nil, cost: nil)
                == RatedCall(price: .free(.emergency), cost: .free(.emergency)))
        var missed = answered(.nanp(dc, .interstate))
        missed.answered = false
        #expect(CallRater.rate(missed, price: list, cost: nil) == RatedCall(price: .free(.unanswered), cost: .free(.unanswered)))
        #expect(CallRater.side(answered(.nanp(dc, .interstate), seconds: 0), list) == .free(.noBillableSeconds))
        #expect(CallRater.side(answered(.nanp(dc, .interstate)), nil) == .unrated(.noPriceList))
        #expect(CallRater.side(answered(.international(digits: 33_123_456_789, count: 11)), list) == .unrated(.noRate))
        for seconds in [BillingRule.maximumSeconds + 1, Int64.max, -1] {
            #expect(CallRater.side(answered(.nanp(dc, .interstate), seconds: seconds), list) == .unrated(.implausibleDuration),
                    "a switch's \(seconds) s is a record to look at, not a charge or a crash")
        }
        #expect(perMinute(CallRater.side(answered(.nanp(dc, .interstate), seconds: BillingRule.maximumSeconds), list)) == 10_000)
        #expect(CallRater.rate(answered(.nanp(dc, .interstate)), price: list, cost: nil).margin == nil)
    }

    @Test("the margin is price minus cost; a call whose cost passes its price loses money")
    func margin() {
        var sell = RateDeck()
        sell.add(prefix: "1", rate: Rate(micros: 9_000, initialSeconds: 6, incrementSeconds: 6))
        let price = PriceList(deck: sell, terms: ChargeTerms(connectFee: Money(micros: 1_000)))
        let cost = PriceList(deck: carrierDeck())
        let interstate = CallRater.rate(answered(.nanp(dc, .intrastate), seconds: 65), price: price, cost: cost)
        #expect(interstate.price.amount == Money(micros: 10_900))  // 66 s × 9,000 / 60 + 1,000
        #expect(interstate.cost.amount == Money(micros: 8_800))  // 66 s × 8,000 / 60
        #expect(interstate.margin == Money(micros: 2_100) && !interstate.losesMoney)
        let indeterminate = CallRater.rate(answered(.nanp(dc, .indeterminate), seconds: 65), price: price, cost: cost)
        #expect(indeterminate.margin == Money(micros: -2_300) && indeterminate.losesMoney)
    }
}
