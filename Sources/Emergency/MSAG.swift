import Foundation

/// One range of house numbers on a street in a community, from a Master Street Address Guide: which
/// Emergency Service Number (and so which PSAP and responders) serves it.
public struct MSAGRange: Sendable, Hashable, Codable {
    /// Which house numbers of the range exist: odd, even, or both.
    public enum Parity: String, Sendable, Hashable, Codable {
        case odd = "O", even = "E", both = "B"

        func admits(_ number: Int) -> Bool {
            switch self {
            case .odd: number % 2 == 1
            case .even: number % 2 == 0
            case .both: true
            }
        }
    }

    public var state: String
    /// The MSAG community (city) name, normalized.
    public var community: String
    public var preDirectional: String?
    public var streetName: String
    public var streetType: String?
    public var postDirectional: String?
    public var low: Int
    public var high: Int
    public var parity: Parity
    /// The Emergency Service Number: 3 to 5 digits.
    public var esn: String
    /// The PSAP that answers 911 calls from the range.
    public var psap: String

    public init(
        state: String, community: String, preDirectional: String? = nil, streetName: String, streetType: String? = nil,
        postDirectional: String? = nil, low: Int, high: Int, parity: Parity = .both, esn: String, psap: String
    ) {
        self.state = state
        self.community = community
        self.preDirectional = preDirectional
        self.streetName = streetName
        self.streetType = streetType
        self.postDirectional = postDirectional
        self.low = low
        self.high = high
        self.parity = parity
        self.esn = esn
        self.psap = psap
    }

    /// The street as the MSAG writes it: `N MAIN ST`.
    public var street: String {
        [preDirectional, streetName, streetType, postDirectional].compactMap { $0 }.joined(separator: " ")
    }

    /// The range in words: `100-198 even N MAIN ST, WASHINGTON DC`.
    public var summary: String {
        let numbers = parity == .both ? "\(low)-\(high)" : "\(low)-\(high) \(parity == .odd ? "odd" : "even")"
        return "\(numbers) \(street), \(community) \(state)"
    }
}

/// The outcome of checking an address against the MSAG.
public enum MSAGVerdict: Sendable, Hashable {
    /// The address is in a range: 911 calls from it go to this ESN's PSAP.
    case valid(MSAGRange)
    /// The address is in no range: why, and the ranges it may have meant (nearest first, at most five).
    case invalid(MSAGProblem, candidates: [MSAGRange])
}

/// Why an address is not in the MSAG.
public enum MSAGProblem: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The state has no community of that name.
    case unknownCommunity = "unknown-community"
    /// The community has no street of that name.
    case unknownStreet = "unknown-street"
    /// The street exists, but no range holds the house number (or its parity).
    case houseNumberOutOfRange = "house-number-out-of-range"

    public var description: String {
        switch self {
        case .unknownCommunity: "the MSAG has no such community in this state"
        case .unknownStreet: "the MSAG has no such street in this community"
        case .houseNumberOutOfRange: "the street has no such house number in the MSAG"
        }
    }
}

/// A Master Street Address Guide: the street ranges of every community, indexed for validation.
public struct MSAG: Sendable {
    private var streets: [String: [MSAGRange]] = [:]
    private var communities: [String: Set<String>] = [:]

    public init(_ ranges: some Sequence<MSAGRange> = []) {
        for range in ranges { add(range) }
    }

    public mutating func add(_ range: MSAGRange) {
        streets[Self.key(range.state, range.community, range.street), default: []].append(range)
        communities[Self.key(range.state, range.community), default: []].insert(range.street)
    }

    public var isEmpty: Bool { streets.isEmpty }

    /// Checks a normalized address: its street in its community must have a range holding its house number.
    public func validate(_ address: CivicAddress) -> MSAGVerdict {
        let ranges = streets[Self.key(address.state, address.city, address.street)] ?? []
        if let range = ranges.first(where: { $0.low <= address.houseNumber && address.houseNumber <= $0.high && $0.parity.admits(address.houseNumber) }) {
            return .valid(range)
        }
        if !ranges.isEmpty {
            let nearest = ranges.sorted { distance(address.houseNumber, $0) < distance(address.houseNumber, $1) }
            return .invalid(.houseNumberOutOfRange, candidates: Array(nearest.prefix(5)))
        }
        guard let names = communities[Self.key(address.state, address.city)] else {
            // The street in the state's other communities, in case the city is a postal name, not the MSAG's.
            let elsewhere = communities.filter { $0.key.hasPrefix(address.state + "|") && $0.value.contains(address.street) }
                .keys.sorted().compactMap { streets[$0 + "|" + address.street]?.first }
            return .invalid(.unknownCommunity, candidates: Array(elsewhere.prefix(5)))
        }
        // Streets of the community with a similar name: the same name with another type or direction first.
        let similar = names.map { name in (name, Self.similarity(address.street, address.streetName, name)) }
            .filter { $0.1 < 3 }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .compactMap { streets[Self.key(address.state, address.city, $0.0)]?.first }
        return .invalid(.unknownStreet, candidates: Array(similar.prefix(5)))
    }

    private func distance(_ number: Int, _ range: MSAGRange) -> Int {
        number < range.low ? range.low - number : number > range.high ? number - range.high : 0
    }

    private static func key(_ parts: String...) -> String { parts.joined(separator: "|") }

    /// How far a street is from the one asked for: 0 when only type or direction differ, else the edit
    /// distance between the whole street names (capped).
    private static func similarity(_ street: String, _ name: String, _ candidate: String) -> Int {
        if candidate.split(separator: " ").contains(where: { $0 == name }) { return 0 }
        return editDistance(Array(street), Array(candidate), cap: 3)
    }

    /// Levenshtein distance, stopping at `cap`.
    private static func editDistance(_ a: [Character], _ b: [Character], cap: Int) -> Int {
        guard abs(a.count - b.count) < cap else { return cap }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            guard current.min()! < cap else { return cap }
            previous = current
        }
        return min(previous[b.count], cap)
    }
}

// MARK: - Rows from a file

extension MSAGRange {
    /// A range from the text of an MSAG file's row, normalized as addresses are (so that they compare alike).
    ///
    /// - Throws: `AddressError` naming the column at fault.
    public init(
        state: String, community: String, preDirectional: String?, streetName: String, streetType: String?,
        postDirectional: String?, low: String, high: String, parity: String, esn: String, psap: String
    ) throws(AddressError) {
        // The street fields normalize exactly as an address's do; house number and ZIP are placeholders.
        let street: CivicAddress
        do {
            street = try AddressNormalizer.normalize(AddressDraft(
                houseNumber: "1", preDirectional: preDirectional, streetName: streetName, streetType: streetType,
                postDirectional: postDirectional, city: community, state: state, zip: "00000"
            ))
        } catch {
            throw AddressError(field: error.field == "city" ? "community" : error.field, error.reason)
        }
        guard let lowNumber = Int(low.trimmingCharacters(in: .whitespaces)), let highNumber = Int(high.trimmingCharacters(in: .whitespaces)),
            (0...9_999_999).contains(lowNumber), (lowNumber...9_999_999).contains(highNumber)
        else { throw AddressError(field: "low", "low and high must be house numbers 0 to 9999999, low <= high") }
        guard let parity = Parity(rawValue: parity.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw AddressError(field: "parity", "must be O (odd), E (even) or B (both)")
        }
        let esn = esn.trimmingCharacters(in: .whitespaces)
        guard (3...5).contains(esn.count), esn.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw AddressError(field: "esn", "must be 3 to 5 digits")
        }
        let psap = psap.trimmingCharacters(in: .whitespaces)
        guard (1...40).contains(psap.count) else { throw AddressError(field: "psap", "must be 1 to 40 characters") }
        self.init(
            state: street.state, community: street.city, preDirectional: street.preDirectional, streetName: street.streetName,
            streetType: street.streetType, postDirectional: street.postDirectional, low: lowNumber, high: highNumber,
            parity: parity, esn: esn, psap: psap
        )
    }
}
