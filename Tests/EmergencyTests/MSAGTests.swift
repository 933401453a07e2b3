import Emergency
import Testing

@Suite("MSAG validation")
struct MSAGTests {
    private static let ranges = [
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAIN", streetType: "ST", low: 100, high: 198,
                  parity: .even, esn: "101", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAIN", streetType: "ST", low: 101, high: 199,
                  parity: .odd, esn: "102", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAIN", streetType: "ST", low: 1_000, high: 1_998,
                  esn: "103", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", preDirectional: "N", streetName: "CAPITOL", streetType: "ST",
                  low: 1, high: 2_000, esn: "104", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAINE", streetType: "AVE", low: 1, high: 999,
                  esn: "105", psap: "DC-OUC"),
        MSAGRange(state: "MD", community: "BETHESDA", streetName: "MAIN", streetType: "ST", low: 1, high: 500,
                  esn: "201", psap: "MONTGOMERY-ECC"),
    ]
    private let msag = MSAG(ranges)

    private func range(esn: String) -> MSAGRange { Self.ranges.first { $0.esn == esn }! }

    private func address(_ number: Int, _ street: String, city: String = "WASHINGTON", state: String = "DC") throws -> CivicAddress {
        try AddressNormalizer.normalize(AddressDraft(street: "\(number) \(street)", city: city, state: state, zip: "20001"))
    }

    @Test("an address inside a range of the right parity gets that range's ESN")
    func valid() throws {
        #expect(msag.validate(try address(150, "Main Street")) == .valid(range(esn: "101")))
        #expect(msag.validate(try address(151, "Main St")) == .valid(range(esn: "102")))
        #expect(msag.validate(try address(1_001, "main st")) == .valid(range(esn: "103")))
        #expect(msag.validate(try address(400, "North Capitol Street")) == .valid(range(esn: "104")))
    }

    @Test("a house number in no range is refused, with the street's nearest ranges first")
    func outOfRange() throws {
        guard case .invalid(let problem, let candidates) = msag.validate(try address(500, "Main St")) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(problem == .houseNumberOutOfRange)
        // 500 is 301 past the odd range's end, 302 past the even one's, 500 before 1000-1998.
        #expect(candidates.map(\.esn) == ["102", "101", "103"])
        #expect(candidates.first?.summary == "101-199 odd MAIN ST, WASHINGTON DC")
    }

    @Test("a wrong street is refused with the community's similar streets: the same name first, then close spellings")
    func wrongStreet() throws {
        guard case .invalid(let problem, let candidates) = msag.validate(try address(150, "Main Avenue")) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(problem == .unknownStreet)
        #expect(candidates.map(\.street) == ["MAIN ST", "MAINE AVE"])
        guard case .invalid(_, let capitol) = msag.validate(try address(400, "Capitol Street")) else { return }
        #expect(capitol.map(\.street) == ["N CAPITOL ST"])
        guard case .invalid(_, let none) = msag.validate(try address(400, "Zebra Street")) else { return }
        #expect(none.isEmpty)
    }

    @Test("an unknown community is refused, with the communities of the state that have the street")
    func wrongCommunity() throws {
        guard case .invalid(let problem, let candidates) = msag.validate(try address(150, "Main St", city: "Chevy Chase", state: "MD")) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(problem == .unknownCommunity)
        #expect(candidates.map(\.community) == ["BETHESDA"])
    }
}
