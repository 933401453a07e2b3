import Telephony

// MARK: - Jurisdiction

/// Where a NANP number is, as far as rating is concerned.
public struct NANPLocation: Sendable, Hashable {
    /// The two-letter state or province, packed in two bytes.
    public var state: UInt16
    public var lata: UInt32

    public init(state: String, lata: String) {
        let bytes = Array(state.utf8.prefix(2)) + [0, 0]
        self.state = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        self.lata = UInt32(lata) ?? 0
    }

    /// The state code as text.
    public var stateCode: String {
        String(decoding: [UInt8(state >> 8), UInt8(state & 0xFF)], as: UTF8.self)
    }
}

/// The regulatory jurisdiction of a call between two NANP points, which selects the rate column.
public enum Jurisdiction: String, Sendable, Hashable {
    /// Between two states (or a state and a province).
    case interstate
    /// Within one state, across LATAs.
    case intrastate
    /// Within one state and one LATA.
    case intraLATA = "intra-lata"
    /// Unknown: no calling number, a non-NANP one, or an origin or destination without reference data.
    case indeterminate

    /// The jurisdiction of a call from `origin` to `destination`.
    public init(from origin: NANPLocation?, to destination: NANPLocation?) {
        guard let origin, let destination else {
            self = .indeterminate
            return
        }
        if origin.state != destination.state {
            self = .interstate
        } else {
            self = origin.lata == destination.lata && origin.lata != 0 ? .intraLATA : .intrastate
        }
    }
}

/// The NPA-NXX (and thousands-block) locations routing needs for jurisdiction.
public struct ExchangeLocations: Sendable {
    private var exchanges: [UInt32: NANPLocation] = [:]
    private var blocks: [UInt32: NANPLocation] = [:]

    public init() {}

    /// Records where an exchange (block `nil`) or a thousands-block is.
    public mutating func add(npa: UInt16, nxx: UInt16, block: UInt8?, location: NANPLocation) {
        let key = UInt32(npa) * 1_000 + UInt32(nxx)
        if let block {
            blocks[key * 10 + UInt32(block)] = location
        } else {
            exchanges[key] = location
        }
    }

    /// Where a number is: its thousands-block's record when there is one, else its exchange's.
    public func location(of number: PhoneNumber) -> NANPLocation? {
        let key = UInt32(number.npa) * 1_000 + UInt32(number.nxx)
        return blocks[key * 10 + UInt32(number.thousandsBlock)] ?? exchanges[key]
    }

    public var count: Int { exchanges.count + blocks.count }
}

// MARK: - Rates

/// A per-minute price with its billing increments, valid for a time window.
public struct Rate: Sendable, Hashable {
    public var micros: Int64
    /// Seconds billed for the first increment, then per increment (e.g. 6/6, 60/60).
    public var initialSeconds: Int32
    public var incrementSeconds: Int32
    /// Unix seconds; the rate applies from `effectiveAt` until `expiresAt` (exclusive), if any.
    public var effectiveAt: Int64
    public var expiresAt: Int64?

    public init(micros: Int64, initialSeconds: Int32 = 60, incrementSeconds: Int32 = 60, effectiveAt: Int64 = 0,
                expiresAt: Int64? = nil) {
        self.micros = micros
        self.initialSeconds = initialSeconds
        self.incrementSeconds = incrementSeconds
        self.effectiveAt = effectiveAt
        self.expiresAt = expiresAt
    }

    func applies(at now: Int64) -> Bool {
        effectiveAt <= now && expiresAt.map { now < $0 } ?? true
    }

    /// The price as money per minute, for explanations.
    public var perMinute: Money { Money(micros: micros) }
}

/// The three jurisdictional columns of an NPA-NXX rate-deck row.
public struct JurisdictionalRate: Sendable, Hashable {
    public var interstate: Rate
    public var intrastate: Rate
    public var indeterminate: Rate

    public init(interstate: Rate, intrastate: Rate, indeterminate: Rate) {
        self.interstate = interstate
        self.intrastate = intrastate
        self.indeterminate = indeterminate
    }

    var effectiveAt: Int64 { interstate.effectiveAt }

    func applies(at now: Int64) -> Bool { interstate.applies(at: now) }
}

/// A deck row with a validity window.
protocol TimeWindowed {
    var effectiveAt: Int64 { get }
    func applies(at now: Int64) -> Bool
}

extension Rate: TimeWindowed {}
extension JurisdictionalRate: TimeWindowed {}

/// One owner's rate deck (a carrier's buy rates or a customer's sell rates), compiled for lookups.
///
/// NANP destinations are priced from NPA-NXX-X rows, then NPA-NXX rows, by jurisdiction; anything else (and
/// NANP numbers a jurisdictional deck lacks) from prefix rows by longest match on the E.164 digits. Each
/// key may hold rows for successive time windows; the row in force at the call's time applies.
public struct RateDeck: Sendable {
    private var prefixes: [UInt64: [Rate]] = [:]
    private var exchanges: [UInt32: [JurisdictionalRate]] = [:]
    private var longestPrefix = 0

    public init() {}

    /// Adds a prefix row (1 to 15 E.164 digits).
    public mutating func add(prefix: String, rate: Rate) {
        guard let key = Self.prefixKey(prefix) else { return }
        prefixes[key, default: []].append(rate)
        longestPrefix = max(longestPrefix, prefix.utf8.count)
    }

    /// Adds an NPA-NXX row (6 digits) or NPA-NXX-X row (7 digits).
    public mutating func add(npanxx: String, rate: JurisdictionalRate) {
        guard let key = Self.exchangeKey(npanxx) else { return }
        exchanges[key, default: []].append(rate)
    }

    /// The number of keys the deck prices.
    public var count: Int { prefixes.count + exchanges.count }

    /// The rate for a NANP number under a jurisdiction, or `nil` when the deck does not price it.
    ///
    /// `intraMeansLATA` says whether the owner's "intrastate" column applies only within a LATA; across
    /// LATAs within a state it then pays the interstate rate.
    public func rate(for number: PhoneNumber, jurisdiction: Jurisdiction, intraMeansLATA: Bool, at now: Int64) -> Rate? {
        let exchange = UInt32(number.npa) * 1_000 + UInt32(number.nxx)
        // A block row applies only while in force; otherwise the exchange row does (a block's future rate must
        // not hide the exchange's current one).
        let block = Self.current(exchanges[10_000_000 + exchange * 10 + UInt32(number.thousandsBlock)], at: now)
        if let row = block ?? Self.current(exchanges[exchange], at: now) {
            switch jurisdiction {
            case .interstate: return row.interstate
            case .intraLATA: return row.intrastate
            case .intrastate: return intraMeansLATA ? row.interstate : row.intrastate
            case .indeterminate: return row.indeterminate
            }
        }
        return rate(forE164: number.digits + 10_000_000_000, digitCount: 11, at: now)
    }

    /// The rate for an E.164 number (digits without `+`) by longest prefix.
    public func rate(forE164 digits: UInt64, digitCount: Int, at now: Int64) -> Rate? {
        var length = min(longestPrefix, digitCount)
        var divisor: UInt64 = 1
        for _ in 0..<(digitCount - length) { divisor *= 10 }
        while length > 0 {
            let prefix = digits / divisor
            if let rate = Self.current(prefixes[UInt64(length) << 56 | prefix], at: now) {
                return rate
            }
            length -= 1
            divisor *= 10
        }
        return nil
    }

    /// The row in force at `now`: of those whose window holds `now`, the latest to take effect. No allocation.
    private static func current<Row: TimeWindowed>(_ rows: [Row]?, at now: Int64) -> Row? {
        guard let rows else { return nil }
        var best: Row?
        for row in rows where row.applies(at: now) && (best == nil || row.effectiveAt > best!.effectiveAt) {
            best = row
        }
        return best
    }

    private static func prefixKey(_ prefix: String) -> UInt64? {
        guard (1...15).contains(prefix.utf8.count), let value = UInt64(prefix) else { return nil }
        return UInt64(prefix.utf8.count) << 56 | value
    }

    private static func exchangeKey(_ npanxx: String) -> UInt32? {
        guard let value = UInt32(npanxx) else { return nil }
        switch npanxx.utf8.count {
        case 6: return value
        case 7: return 10_000_000 + value
        default: return nil
        }
    }
}

// MARK: - Ported numbers

/// Ported numbers and their LRNs: two sorted arrays of 64-bit digits, 16 bytes a number, searched in
/// O(log n) without hashing or allocation.
public struct PortedNumberTable: Sendable {
    private let numbers: [UInt64]
    private let lrns: [UInt64]

    /// Builds the table from (number, LRN) pairs as ten-digit values, in any order; a later duplicate wins.
    public init(_ pairs: [(number: UInt64, lrn: UInt64)]) {
        let sorted = pairs.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        var numbers: [UInt64] = []
        var lrns: [UInt64] = []
        numbers.reserveCapacity(sorted.count)
        lrns.reserveCapacity(sorted.count)
        for (_, pair) in sorted {
            if numbers.last == pair.number {
                let last = lrns.count - 1
                lrns[last] = pair.lrn
            } else {
                numbers.append(pair.number)
                lrns.append(pair.lrn)
            }
        }
        self.numbers = numbers
        self.lrns = lrns
    }

    /// Builds the table from arrays already sorted by number without duplicates (as the store returns them).
    public init(sortedNumbers: [UInt64], lrns: [UInt64]) {
        precondition(sortedNumbers.count == lrns.count, "every ported number needs its LRN")
        self.numbers = sortedNumbers
        self.lrns = lrns
    }

    /// The LRN a number was ported to, or `nil` when it was not ported.
    public func lrn(for number: PhoneNumber) -> PhoneNumber? {
        let key = number.digits
        var low = 0
        var high = numbers.count
        while low < high {
            let middle = (low + high) / 2
            if numbers[middle] < key { low = middle + 1 } else { high = middle }
        }
        guard low < numbers.count, numbers[low] == key else { return nil }
        return PhoneNumber(digits: lrns[low])
    }

    public var count: Int { numbers.count }
}
