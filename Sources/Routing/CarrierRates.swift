/// Every carrier's rate deck merged into one table per kind of key, so that pricing a destination for all
/// carriers at once costs one hash probe per key (block, exchange, each prefix length) rather than one per
/// key and carrier: with ten carriers, a tenth of the probes and of the cache misses.
///
/// Each carrier's deck has a slot. Under each key, the rows of every slot that prices it lie together,
/// slot by slot, so a lookup walks them once. Pricing follows ``RateDeck`` exactly, carrier by carrier:
/// the NPA-NXX-X row in force, else the NPA-NXX row in force, else the longest prefix with a row in force.
///
/// Built once per set of imported decks (it is the slow part of a snapshot with a million prefixes) and
/// shared by the snapshots compiled until the next import.
public struct CarrierRates: Sendable {
    struct Entry<Row: Sendable>: Sendable {
        var slot: Int32
        var row: Row
    }

    /// Where one key's entries are in the entry array.
    struct Span: Sendable {
        var start: UInt32
        var count: UInt32
    }

    /// The owner (carrier id) of each slot's deck, in slot order.
    let owners: [String]
    private let slots: [String: Int]
    private let prefixSpans: [UInt64: Span]
    private let prefixEntries: [Entry<Rate>]
    private let exchangeSpans: [UInt32: Span]
    private let exchangeEntries: [Entry<JurisdictionalRate>]
    /// Bit `n` is set when some deck has an `n`-digit prefix.
    private let prefixLengths: UInt16

    /// Merges carriers' decks, keyed by carrier id.
    public init(decks: [String: RateDeck]) {
        let ordered = decks.sorted { $0.key < $1.key }
        owners = ordered.map(\.key)
        slots = Dictionary(uniqueKeysWithValues: owners.enumerated().map { ($0.element, $0.offset) })
        (prefixSpans, prefixEntries) = Self.merge(ordered.map(\.value.prefixRows))
        (exchangeSpans, exchangeEntries) = Self.merge(ordered.map(\.value.exchangeRows))
        prefixLengths = ordered.reduce(0) { $0 | $1.value.prefixLengths }
    }

    public static let empty = CarrierRates(decks: [:])

    /// The number of slots (carriers with a deck).
    var slotCount: Int { owners.count }

    /// The slot of a carrier's deck; `nil` when the carrier has none.
    func slot(of carrierId: String) -> Int? { slots[carrierId] }

    /// How many keys the decks price, all decks together.
    public var count: Int { prefixEntries.count + exchangeEntries.count }

    /// Prices a destination for every slot: fills `rates[slot]` with the rate in force at `time`, and leaves
    /// `nil` where the deck does not price the destination. `intraMeansLATA[slot]` selects, per carrier,
    /// which jurisdictional column a call within a state but across LATAs pays.
    func price(
        _ destination: Router.Destination, at time: Int64, intraMeansLATA: [Bool], into rates: UnsafeMutableBufferPointer<Rate?>
    ) {
        var pending = rates.count
        let digits: UInt64
        let digitCount: Int
        switch destination {
        case .nanp(_, let routed, _, _, let jurisdiction):
            let exchange = UInt32(routed.npa) * 1_000 + UInt32(routed.nxx)
            func resolve(_ key: UInt32) {
                guard let span = exchangeSpans[key] else { return }
                Self.resolve(span, in: exchangeEntries, at: time, into: rates, pending: &pending) { slot, row in
                    row.rate(for: jurisdiction, intraMeansLATA: intraMeansLATA[slot])
                }
            }
            resolve(RateDeck.blockKey(exchange: exchange, block: routed.thousandsBlock))
            if pending > 0 { resolve(exchange) }
            if pending == 0 { return }
            digits = routed.digits + 10_000_000_000
            digitCount = 11
        case .international(let value, let count):
            digits = value
            digitCount = count
        }
        var divisor: UInt64 = 1
        for length in stride(from: digitCount, through: 1, by: -1) {
            defer { divisor &*= 10 }
            guard prefixLengths & (1 << length) != 0, let span = prefixSpans[RateDeck.prefixKey(digits / divisor, length: length)]
            else { continue }
            Self.resolve(span, in: prefixEntries, at: time, into: rates, pending: &pending) { _, row in row }
            if pending == 0 { return }
        }
    }

    /// Gives each slot still without a rate the row in force under this key (the latest to take effect).
    private static func resolve<Row: TimeWindowed>(
        _ span: Span, in entries: [Entry<Row>], at time: Int64, into rates: UnsafeMutableBufferPointer<Rate?>,
        pending: inout Int, column: (Int, Row) -> Rate
    ) {
        var index = Int(span.start)
        let end = index + Int(span.count)
        while index < end {
            let slot = Int(entries[index].slot)
            var best: Row?
            while index < end, Int(entries[index].slot) == slot {
                let row = entries[index].row
                if row.applies(at: time), best.map({ row.effectiveAt > $0.effectiveAt }) ?? true { best = row }
                index += 1
            }
            if let best, rates[slot] == nil {
                rates[slot] = column(slot, best)
                pending -= 1
            }
        }
    }

    /// Lays every deck's rows out by key, slot after slot, in two passes (count, then place) without sorting.
    private static func merge<Key: Hashable, Row: Sendable>(
        _ decks: [[Key: [Row]]]
    ) -> ([Key: Span], [Entry<Row>]) {
        var spans: [Key: Span] = [:]
        for deck in decks {
            for (key, rows) in deck { spans[key, default: Span(start: 0, count: 0)].count += UInt32(rows.count) }
        }
        var total: UInt32 = 0
        var index = spans.startIndex
        while index != spans.endIndex {
            spans.values[index].start = total
            total += spans.values[index].count
            spans.formIndex(after: &index)
        }
        var cursors = spans.mapValues(\.start)
        return (spans, [Entry<Row>](unsafeUninitializedCapacity: Int(total)) { buffer, initialized in
            for (slot, deck) in decks.enumerated() {
                for (key, rows) in deck {
                    var cursor = Int(cursors[key]!)
                    for row in rows {
                        (buffer.baseAddress! + cursor).initialize(to: Entry(slot: Int32(slot), row: row))
                        cursor += 1
                    }
                    cursors[key] = UInt32(cursor)
                }
            }
            initialized = Int(total)
        })
    }
}
