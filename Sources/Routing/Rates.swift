import Telephony

// MARK: - Jurisdiction

/// Where a NANP number is, as far as rating is concerned.
public struct NANPLocation: Sendable, Hashable {
    /// The two-letter state or province, packed in two bytes.
    public var state: UInt16
    public var lata: UInt32
    /// The rate center, as a number that is the same for every exchange of that rate center and state (0 when
    /// unknown).
    public var rateCenter: UInt32

    public init(state: String, lata: String, rateCenter: UInt32 = 0) {
        let bytes = Array(state.utf8.prefix(2)) + [0, 0]
        self.state = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        self.lata = UInt32(lata) ?? 0
        self.rateCenter = rateCenter
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
    /// Within one state and one LATA, between rate centers.
    case intraLATA = "intra-lata"
    /// Within one rate center: a local call. Rated at the intrastate (intra-LATA) column, which NPA-NXX decks
    /// use for local traffic.
    case local
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
        } else if origin.lata == 0 || origin.lata != destination.lata {
            self = .intrastate
        } else {
            self = origin.rateCenter != 0 && origin.rateCenter == destination.rateCenter ? .local : .intraLATA
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

    /// The column a call pays: `intraMeansLATA` says whether the owner's "intrastate" column applies only
    /// within a LATA; across LATAs within a state it then pays the interstate rate.
    func rate(for jurisdiction: Jurisdiction, intraMeansLATA: Bool) -> Rate {
        switch jurisdiction {
        case .interstate: interstate
        case .intraLATA, .local: intrastate
        case .intrastate: intraMeansLATA ? interstate : intrastate
        case .indeterminate: indeterminate
        }
    }

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
    private(set) var prefixRows: [UInt64: [Rate]] = [:]
    private(set) var exchangeRows: [UInt32: [JurisdictionalRate]] = [:]
    /// Bit `n` is set when the deck has an `n`-digit prefix.
    private(set) var prefixLengths: UInt16 = 0

    public init() {}

    /// Adds a prefix row (1 to 15 E.164 digits).
    public mutating func add(prefix: String, rate: Rate) {
        let length = prefix.utf8.count
        guard (1...15).contains(length), let value = UInt64(prefix) else { return }
        prefixRows[Self.prefixKey(value, length: length), default: []].append(rate)
        prefixLengths |= 1 << length
    }

    /// Adds an NPA-NXX row (6 digits) or NPA-NXX-X row (7 digits).
    public mutating func add(npanxx: String, rate: JurisdictionalRate) {
        guard let value = UInt32(npanxx) else { return }
        switch npanxx.utf8.count {
        case 6: exchangeRows[value, default: []].append(rate)
        case 7: exchangeRows[Self.blockKey(exchange: value / 10, block: UInt8(value % 10)), default: []].append(rate)
        default: return
        }
    }

    /// The number of keys the deck prices.
    public var count: Int { prefixRows.count + exchangeRows.count }

    /// The rate for a NANP number under a jurisdiction, or `nil` when the deck does not price it.
    ///
    /// `intraMeansLATA` says whether the owner's "intrastate" column applies only within a LATA; across
    /// LATAs within a state it then pays the interstate rate.
    public func rate(for number: PhoneNumber, jurisdiction: Jurisdiction, intraMeansLATA: Bool, at now: Int64) -> Rate? {
        let exchange = UInt32(number.npa) * 1_000 + UInt32(number.nxx)
        // A block row applies only while in force; otherwise the exchange row does (a block's future rate must
        // not hide the exchange's current one).
        let block = Self.current(exchangeRows[Self.blockKey(exchange: exchange, block: number.thousandsBlock)], at: now)
        if let row = block ?? Self.current(exchangeRows[exchange], at: now) {
            return row.rate(for: jurisdiction, intraMeansLATA: intraMeansLATA)
        }
        return rate(forE164: number.digits + 10_000_000_000, digitCount: 11, at: now)
    }

    /// The rate for an E.164 number (digits without `+`) by longest prefix.
    public func rate(forE164 digits: UInt64, digitCount: Int, at now: Int64) -> Rate? {
        var divisor: UInt64 = 1
        for length in stride(from: digitCount, through: 1, by: -1) {
            defer { divisor &*= 10 }
            guard prefixLengths & (1 << length) != 0 else { continue }
            if let rate = Self.current(prefixRows[Self.prefixKey(digits / divisor, length: length)], at: now) {
                return rate
            }
        }
        return nil
    }

    /// The row in force at `now`: of those whose window holds `now`, the latest to take effect. No allocation.
    static func current<Row: TimeWindowed>(_ rows: [Row]?, at now: Int64) -> Row? {
        guard let rows else { return nil }
        var best: Row?
        for row in rows where row.applies(at: now) && (best == nil || row.effectiveAt > best!.effectiveAt) {
            best = row
        }
        return best
    }

    /// The key of an `length`-digit prefix: the length in the top byte, so that `1` and `01` differ.
    static func prefixKey(_ prefix: UInt64, length: Int) -> UInt64 {
        UInt64(length) << 56 | prefix
    }

    /// The key of an NPA-NXX-X thousands-block row, apart from the NPA-NXX keys (below 1,000,000).
    static func blockKey(exchange: UInt32, block: UInt8) -> UInt32 {
        10_000_000 + exchange * 10 + UInt32(block)
    }
}

// MARK: - Ported numbers

/// Ported numbers and their LRNs, 10 bytes a number: for each exchange (NPA-NXX), the sorted line numbers
/// of its ported numbers (2 bytes each) beside their LRNs (8 bytes each), found through a directory of one
/// offset per possible exchange (4 MB, whatever the count). A dip reads two adjacent offsets and binary-
/// searches one exchange's lines (at most 10,000, usually a few): no hashing, no allocation, and a few
/// cache misses where a search over the whole table would take two dozen.
///
/// Ports we take part in (a number ported in or out) change the table between imports of the national feed: they
/// are kept beside it as a small set of changes that a dip reads first, so the ten million rows are not rebuilt.
public struct PortedNumberTable: Sendable {
    /// `offsets[e]..<offsets[e + 1]` are exchange `e`'s entries in `lines` and `lrns`, where `e` is
    /// NPA × 1000 + NXX. Empty when the table is.
    private let offsets: [UInt32]
    private let lines: [UInt16]
    private let lrns: [UInt64]
    /// Changes since the table was imported, by ten-digit number: the new LRN, or 0 for a number ported away to an
    /// LRN not known here.
    private var changes: [UInt64: UInt64] = [:]

    private static let exchangeCount = 1_000_000

    /// Builds the table from (number, LRN) pairs as ten-digit values, in any order; a later duplicate wins.
    public init(_ pairs: [(number: UInt64, lrn: UInt64)]) {
        let sorted = pairs.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        var builder = Builder()
        for (_, pair) in sorted { builder.append(number: pair.number, lrn: pair.lrn) }
        self = builder.build()
    }

    fileprivate init(offsets: [UInt32], lines: [UInt16], lrns: [UInt64]) {
        self.offsets = offsets
        self.lines = lines
        self.lrns = lrns
    }

    /// Builds a table from numbers given in ascending order (as the store returns them), in constant
    /// memory beyond the table itself.
    public struct Builder: Sendable {
        private var counts: [UInt32] = []
        private var lines: [UInt16] = []
        private var lrns: [UInt64] = []
        private var last: UInt64?

        public init(expectedCount: Int = 0) {
            lines.reserveCapacity(expectedCount)
            lrns.reserveCapacity(expectedCount)
        }

        /// Adds a ported number (ten digits) and its LRN. Numbers must come in ascending order; a repeated
        /// number replaces the previous LRN. Values that are not ten-digit numbers are ignored.
        public mutating func append(number: UInt64, lrn: UInt64) {
            guard number < 10_000_000_000 else { return }
            if last == number {
                lrns[lrns.count - 1] = lrn
                return
            }
            precondition(last.map { $0 < number } ?? true, "ported numbers must be appended in ascending order")
            if counts.isEmpty { counts = [UInt32](repeating: 0, count: PortedNumberTable.exchangeCount) }
            counts[Int(number / 10_000)] += 1
            lines.append(UInt16(number % 10_000))
            lrns.append(lrn)
            last = number
        }

        public func build() -> PortedNumberTable {
            guard !counts.isEmpty else { return PortedNumberTable(offsets: [], lines: [], lrns: []) }
            var offsets = [UInt32](repeating: 0, count: counts.count + 1)
            var total: UInt32 = 0
            for (exchange, count) in counts.enumerated() {
                offsets[exchange] = total
                total += count
            }
            offsets[counts.count] = total
            return PortedNumberTable(offsets: offsets, lines: lines, lrns: lrns)
        }
    }

    /// What a dip tells of a number.
    public enum Dip: Sendable, Equatable {
        case notPorted
        case ported(lrn: PhoneNumber)
        /// Ported away from us to a carrier whose LRN is not known here (until the next import of the feed): a call
        /// to it must leave undipped (no `npdi`), so that the next carrier dips it.
        case portedToUnknownLRN
    }

    /// The table with later changes applied over it: each number's new LRN, or `nil` for a number ported away to
    /// an LRN not known here. The imported rows are shared, not copied.
    public func applying(_ changes: [PhoneNumber: PhoneNumber?]) -> PortedNumberTable {
        var table = self
        for (number, lrn) in changes { table.changes[number.digits] = lrn?.digits ?? 0 }
        return table
    }

    /// Whether and where a number was ported.
    public func dip(_ number: PhoneNumber) -> Dip {
        if !changes.isEmpty, let changed = changes[number.digits] {
            return PhoneNumber(digits: changed).map { .ported(lrn: $0) } ?? .portedToUnknownLRN
        }
        let exchange = Int(number.npa) * 1_000 + Int(number.nxx)
        guard exchange + 1 < offsets.count else { return .notPorted }
        var low = Int(offsets[exchange])
        var high = Int(offsets[exchange + 1])
        let end = high
        while low < high {
            let middle = (low + high) / 2
            if lines[middle] < number.line { low = middle + 1 } else { high = middle }
        }
        guard low < end, lines[low] == number.line, let lrn = PhoneNumber(digits: lrns[low]) else { return .notPorted }
        return .ported(lrn: lrn)
    }

    /// The imported rows, without the changes applied over them.
    public var count: Int { lines.count }

    /// Bytes the table holds: the per-number columns and the fixed exchange directory.
    public var byteCount: Int { lines.count * 2 + lrns.count * 8 + offsets.count * 4 }
}
