import Accounts
import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

// MARK: - Model

/// Whose prices a rate deck holds.
public enum RateDeckOwner: Sendable, Hashable {
    /// A carrier's buy rates: what the operator pays the carrier for a call.
    case carrier(id: String)
    /// A customer's sell rates: what the customer pays the operator for a call.
    case customer(accountId: String)

    /// The `owner_kind` column.
    var kind: String {
        switch self {
        case .carrier: "carrier"
        case .customer: "customer"
        }
    }

    /// The `owner_id` column.
    var id: String {
        switch self {
        case .carrier(let id): id
        case .customer(let accountId): accountId
        }
    }
}

/// How a rate deck keys its prices.
public enum RateDeckLayout: String, Sendable, Codable, CaseIterable {
    /// One per-minute rate per E.164 prefix (`prefix,rate`); the longest matching prefix applies.
    case prefix
    /// Jurisdictional NANP rates per NPA-NXX or NPA-NXX-X (`npanxx,interstate,intrastate,indeterminate`).
    case npanxx

    /// The columns a deck of this layout must have.
    public var requiredColumns: [String] {
        switch self {
        case .prefix: ["prefix", "rate"]
        case .npanxx: ["npanxx", "interstate", "intrastate", "indeterminate"]
        }
    }

    /// The columns either layout may add.
    public static let optionalColumns = ["initial_increment", "subsequent_increment", "effective_date", "expiry_date"]
}

/// A finished rate deck import.
public struct RateDeckSummary: Sendable, Equatable {
    /// The new deck's id (`deck_…`); every import makes a new one.
    public var deckId: String
    public var layout: RateDeckLayout
    public var rows: Int
}

/// The rate deck an owner has: what was imported, from where, when.
public struct RateDeckInfo: Sendable, Codable, Equatable {
    public var id: String
    public var layout: RateDeckLayout
    public var rows: Int
    /// The name of the file it was imported from.
    public var source: String
    public var importedAt: Date
}

// MARK: - Rate decks

/// Carriers' and customers' rate decks: per-minute prices by destination, with billing increments and dates.
///
/// Each owner has at most one deck; an import replaces it whole, atomically. Prices are stored as integer
/// micros, times as Unix seconds (an effective time of 0 means "always"; no expiry means "never").
public struct RateDecks: Sendable {
    /// The highest per-minute rate accepted: 100.000000.
    public static let maximumRate = Money(micros: 100 * Money.microsPerUnit)
    /// Billing increments allowed, in seconds.
    public static let incrementRange: ClosedRange<Int64> = 1...3_600
    /// The increments of a row that does not set them: per-minute billing.
    public static let defaultIncrement: Int64 = 60
    /// Rows per INSERT statement.
    static let batchSize = 1_000

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Replaces an owner's rate deck with the rows of a CSV file, atomically.
    ///
    /// The layout follows from the header (columns by name, in any order, case-insensitive; unknown columns are
    /// ignored): `prefix,rate` or `npanxx,interstate,intrastate,indeterminate`, each optionally with
    /// `initial_increment`, `subsequent_increment`, `effective_date` and `expiry_date` (see docs/rate-decks.md).
    /// The file streams through one transaction that deletes the old deck, inserts the new one and bumps the
    /// routing epoch: bad rows (all reported by line, naming the column), an unknown owner or an interruption
    /// leave the previous deck exactly as it was. `progress` is called every few thousand rows and at the end.
    ///
    /// - Throws: ``ImportError`` for a bad file or bad rows; ``ServiceError`` (`not-found`) for an unknown
    ///   carrier or account, or (`invalid-field`) for an account that is not a customer.
    public func importDeck(
        owner: RateDeckOwner, from path: String, progress: (ImportProgress) -> Void = { _ in }
    ) async throws -> RateDeckSummary {
        let started = ContinuousClock.now
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        var reader = try CSVReader.opening(path)
        let columns = try reader.header()
        let layout = try Self.layout(of: columns)
        let deckId = Identifier.make(prefix: "deck")
        let source = URL(fileURLWithPath: path).lastPathComponent
        return try await store.transaction { database in
            try await Self.requireOwner(owner, in: database)
            try await Self.deleteDeck(of: owner, in: database)
            let now = clock.now()
            try await database.raw("""
                INSERT INTO rate_decks (id, owner_kind, owner_id, layout, source, rows, imported_at)
                VALUES (\(bind: deckId), \(bind: owner.kind), \(bind: owner.id), \(bind: layout.rawValue),
                        \(bind: source), 0, \(bind: now.unixSeconds))
                """).run()
            var parser = RateRowParser(columns: columns, layout: layout)
            var errors: [ImportError.RowError] = []
            var badRows = 0
            var rows = 0
            var seen: Set<RateKey> = []
            var batch: [String] = []
            batch.reserveCapacity(Self.batchSize)
            func report(finished: Bool) {
                progress(ImportProgress(
                    rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                    elapsed: ContinuousClock.now - started, finished: finished
                ))
            }
            while true {
                guard let record = try reader.nextRow(badRows: &badRows, errors: &errors) else { break }
                do {
                    let row = try parser.parse(record)
                    guard seen.insert(row.key).inserted else {
                        throw ImportRowFault(
                            layout.requiredColumns[0],
                            "duplicates an earlier row for \(row.keyText) effective \(Self.dateText(row.effectiveAt))"
                        )
                    }
                    rows += 1
                    if badRows == 0 {
                        batch.append(row.values(deckId: deckId))
                        if batch.count == Self.batchSize {
                            try await Self.insert(batch, layout: layout, into: database)
                            batch.removeAll(keepingCapacity: true)
                            try await ImportPauseHook.rowsWritten(rows)
                        }
                    }
                } catch let fault as ImportRowFault {
                    badRows += 1
                    if errors.count < ImportError.maximumReportedErrors {
                        errors.append(fault.rowError(line: record.line))
                    }
                }
                if (rows + badRows) % 5_000 == 0 { report(finished: false) }
            }
            guard badRows == 0 else { throw ImportError(rowErrors: errors, badRows: badRows) }
            try await Self.insert(batch, layout: layout, into: database)
            try await ImportPauseHook.rowsWritten(rows)
            try await database.raw("UPDATE rate_decks SET rows = \(bind: rows) WHERE id = \(bind: deckId)").run()
            try await database.raw("""
                INSERT INTO import_runs (kind, source, rows, completed_at)
                VALUES (\(bind: "ratedeck:\(owner.kind):\(owner.id)"), \(bind: path), \(bind: rows),
                        \(bind: now.unixSeconds))
                """).run()
            try await RoutingEpoch.bump(in: database)
            report(finished: true)
            return RateDeckSummary(deckId: deckId, layout: layout, rows: rows)
        }
    }

    /// The owner's current deck, or `nil` when it has none.
    public func deck(owner: RateDeckOwner) async throws -> RateDeckInfo? {
        try await store.read { database in
            try await database.raw("""
                SELECT * FROM rate_decks WHERE owner_kind = \(bind: owner.kind) AND owner_id = \(bind: owner.id)
                """).first().map { row in
                RateDeckInfo(
                    id: try row.decode(column: "id", as: String.self),
                    layout: try row.decodeEnum(column: "layout"),
                    rows: try row.decode(column: "rows", as: Int.self),
                    source: try row.decode(column: "source", as: String.self),
                    importedAt: Date(unixSeconds: try row.decode(column: "imported_at", as: Int64.self))
                )
            }
        }
    }

    // MARK: Rows

    /// Deletes an owner's deck; its rows go with it (`ON DELETE CASCADE`, on in both backends).
    static func deleteDeck(of owner: RateDeckOwner, in database: any SQLDatabase) async throws {
        try await database.raw("""
            DELETE FROM rate_decks WHERE owner_kind = \(bind: owner.kind) AND owner_id = \(bind: owner.id)
            """).run()
    }

    /// Refuses an owner that does not exist; locks a carrier's row so that it is not deleted meanwhile.
    private static func requireOwner(_ owner: RateDeckOwner, in database: any SQLDatabase) async throws {
        switch owner {
        case .carrier(let id):
            let found = try await database.raw("SELECT id FROM carriers WHERE id = \(bind: id)\(database.forShare)")
                .first()
            guard found != nil else { throw ServiceError.notFound("carrier") }
        case .customer(let accountId):
            guard let account = try await AccountDirectory.fetchAccount(accountId, in: database) else {
                throw ServiceError.notFound("account")
            }
            guard account.kind == .customer else {
                throw ServiceError.invalid(
                    "account_id", "rate decks belong to customer accounts, not \(account.kind.rawValue) accounts"
                )
            }
        }
    }

    /// Inserts rows already rendered as SQL value tuples.
    ///
    /// The tuples are inlined rather than bound: every value in them was produced here from validated input
    /// (digits, integers, the deck id this type made), never copied from the file, and inlining spares the
    /// seven to nine binds per row that dominate the cost of a million-row import.
    private static func insert(
        _ values: [String], layout: RateDeckLayout, into database: any SQLDatabase
    ) async throws {
        guard !values.isEmpty else { return }
        let columns = switch layout {
        case .prefix: "deck_id, prefix, rate_micros"
        case .npanxx: "deck_id, npanxx, interstate_micros, intrastate_micros, indeterminate_micros"
        }
        let table = layout == .prefix ? "rate_prefixes" : "rate_npanxx"
        let sql = "INSERT INTO \(table) (\(columns), initial_seconds, increment_seconds, effective_at, expires_at) "
            + "VALUES " + values.joined(separator: ", ")
        try await database.raw(SQLQueryString(sql)).run()
    }

    private static func layout(of columns: CSVColumns) throws(ImportError) -> RateDeckLayout {
        switch (columns.contains("prefix"), columns.contains("npanxx")) {
        case (true, false):
            try columns.require(RateDeckLayout.prefix.requiredColumns)
            return .prefix
        case (false, true):
            try columns.require(RateDeckLayout.npanxx.requiredColumns)
            return .npanxx
        case (true, true):
            throw ImportError(
                rowErrors: [], badRows: 0,
                fileError: "line 1: the header has both prefix and npanxx columns; a deck is one layout or the other"
            )
        case (false, false):
            throw ImportError(
                rowErrors: [], badRows: 0,
                fileError: "line 1: the header names neither a prefix deck (prefix, rate) nor an NPA-NXX deck "
                    + "(npanxx, interstate, intrastate, indeterminate)"
            )
        }
    }

    static func dateText(_ seconds: Int64) -> String {
        seconds == 0 ? "always" : Date(unixSeconds: seconds).formatted(.iso8601)
    }
}

// MARK: - Parsing rows

/// The key of a deck row: its prefix or NPA-NXX(-X) and its effective time. Digits are packed with their
/// count, so `1` and `01` differ.
struct RateKey: Hashable {
    var digits: UInt64
    var effectiveAt: Int64

    init(digits text: Substring.UTF8View, effectiveAt: Int64) {
        var value: UInt64 = 0
        for byte in text { value = value &* 10 &+ UInt64(byte &- UInt8(ascii: "0")) }
        self.digits = value << 4 | UInt64(text.count)
        self.effectiveAt = effectiveAt
    }
}

/// One validated deck row.
struct RateRow {
    /// The prefix or NPA-NXX(-X), digits only.
    var keyText: Substring
    /// Micros: the one rate of a prefix row, or the interstate, intrastate and indeterminate rates.
    var rates: [Int64]
    var initialSeconds: Int64
    var incrementSeconds: Int64
    var effectiveAt: Int64
    var expiresAt: Int64?

    var key: RateKey { RateKey(digits: keyText.utf8, effectiveAt: effectiveAt) }

    /// The row as an SQL value tuple (see ``RateDecks/insert``: nothing in it comes unvalidated from the file).
    func values(deckId: String) -> String {
        let expiry = expiresAt.map(String.init) ?? "NULL"
        let prices = rates.map(String.init).joined(separator: ", ")
        return "('\(deckId)', '\(keyText)', \(prices), \(initialSeconds), \(incrementSeconds), \(effectiveAt), "
            + "\(expiry))"
    }
}

/// Validates deck rows, naming the column at fault.
struct RateRowParser {
    let columns: CSVColumns
    let layout: RateDeckLayout
    /// Dates already parsed: decks repeat the same few dates on every row.
    private var knownDates: [Substring: Int64] = [:]

    init(columns: CSVColumns, layout: RateDeckLayout) {
        self.columns = columns
        self.layout = layout
    }

    mutating func parse(_ record: CSVReader.Record) throws(ImportRowFault) -> RateRow {
        try columns.checkWidth(of: record)
        func field(_ name: String) -> Substring {
            Self.trimmed(columns.field(name, in: record) ?? "")
        }
        let key: Substring
        let rates: [Int64]
        switch layout {
        case .prefix:
            key = try Self.prefix(field("prefix"))
            rates = [try Self.rate(field("rate"), column: "rate")]
        case .npanxx:
            key = try Self.npanxx(field("npanxx"))
            rates = [
                try Self.rate(field("interstate"), column: "interstate"),
                try Self.rate(field("intrastate"), column: "intrastate"),
                try Self.rate(field("indeterminate"), column: "indeterminate"),
            ]
        }
        let initial = try Self.increment(field("initial_increment"), column: "initial_increment")
        let increment = try Self.increment(field("subsequent_increment"), column: "subsequent_increment")
        let effective = try date(field("effective_date"), column: "effective_date") ?? 0
        let expiry = try date(field("expiry_date"), column: "expiry_date")
        if let expiry, expiry <= effective {
            throw ImportRowFault(
                "expiry_date",
                "\(RateDecks.dateText(expiry)) is not after the effective date \(RateDecks.dateText(effective))"
            )
        }
        return RateRow(
            keyText: key, rates: rates, initialSeconds: initial, incrementSeconds: increment, effectiveAt: effective,
            expiresAt: expiry
        )
    }

    /// 1-15 E.164 digits, a leading `+` dropped.
    static func prefix(_ text: Substring) throws(ImportRowFault) -> Substring {
        let digits = text.first == "+" ? text.dropFirst() : text
        guard !digits.isEmpty else { throw ImportRowFault("prefix", "is empty") }
        guard digits.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw ImportRowFault("prefix", "'\(text)' must be digits, with an optional leading '+'")
        }
        guard digits.utf8.count <= 15 else {
            throw ImportRowFault("prefix", "'\(text)' has \(digits.utf8.count) digits; E.164 allows at most 15")
        }
        return digits
    }

    /// An NPA-NXX (6 digits) or NPA-NXX-X thousands-block (7 digits), `-` separators allowed, valid NANP codes.
    static func npanxx(_ text: Substring) throws(ImportRowFault) -> Substring {
        let digits = text.contains("-") ? Substring(text.filter { $0 != "-" }) : text
        guard digits.utf8.count == 6 || digits.utf8.count == 7, digits.utf8.allSatisfy({ (48...57).contains($0) }),
            let npa = UInt16(digits.prefix(3)), let nxx = UInt16(digits.dropFirst(3).prefix(3))
        else {
            throw ImportRowFault("npanxx", "'\(text)' must be 6 digits (NPA-NXX) or 7 (NPA-NXX-X)")
        }
        do {
            _ = try PhoneNumber(npa: npa, nxx: nxx, line: 0)
        } catch {
            throw ImportRowFault("npanxx", "'\(text)' is not a valid NANP code: \(error.description)")
        }
        return digits
    }

    /// A per-minute price, 0 to ``RateDecks/maximumRate``, in micros.
    static func rate(_ text: Substring, column: String) throws(ImportRowFault) -> Int64 {
        guard !text.isEmpty else { throw ImportRowFault(column, "is empty") }
        let money: Money
        do {
            money = try Money(parsing: text)
        } catch {
            throw ImportRowFault(column, "'\(text)': \(error.description)")
        }
        guard money >= .zero else { throw ImportRowFault(column, "'\(text)' is negative") }
        guard money <= RateDecks.maximumRate else {
            throw ImportRowFault(column, "'\(text)' is above the maximum rate of \(RateDecks.maximumRate)")
        }
        return money.micros
    }

    /// Billing seconds, 1 to 3600; empty means 60.
    static func increment(_ text: Substring, column: String) throws(ImportRowFault) -> Int64 {
        guard !text.isEmpty else { return RateDecks.defaultIncrement }
        guard let seconds = Int64(text), RateDecks.incrementRange.contains(seconds) else {
            throw ImportRowFault(column, "'\(text)' must be whole seconds, 1 to 3600 (commonly 1, 6, 30 or 60)")
        }
        return seconds
    }

    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time, as Unix seconds; empty is `nil`.
    mutating func date(_ text: Substring, column: String) throws(ImportRowFault) -> Int64? {
        guard !text.isEmpty else { return nil }
        if let seconds = knownDates[text] { return seconds }
        let seconds: Int64
        if let day = Self.calendarDay(text) {
            seconds = day
        } else if let date = try? Date(String(text), strategy: .iso8601) {
            seconds = date.unixSeconds
        } else {
            throw ImportRowFault(column, "'\(text)' must be a date (2026-03-01) or an ISO 8601 date-time")
        }
        guard seconds >= 0 else { throw ImportRowFault(column, "'\(text)' is before 1970") }
        if knownDates.count < 256 { knownDates[Substring(String(text))] = seconds }
        return seconds
    }

    /// Midnight UTC of a `YYYY-MM-DD` date, as Unix seconds; `nil` when the text is not a valid such date.
    static func calendarDay(_ text: Substring) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int64(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            year >= 1970, (1...12).contains(month)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...monthDays[Int(month - 1)]).contains(day) else { return nil }
        // Days since 1970-01-01: whole years (with the leap days before this year), whole months, then days.
        func leapDays(before year: Int64) -> Int64 { (year - 1) / 4 - (year - 1) / 100 + (year - 1) / 400 }
        var days = 365 * (year - 1970) + leapDays(before: year) - leapDays(before: 1970)
        for earlier in 0..<Int(month - 1) { days += monthDays[earlier] }
        days += day - 1
        return days * 86_400
    }

    static func trimmed(_ text: String) -> Substring {
        var text = Substring(text)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
