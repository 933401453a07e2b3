import Accounts
import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

/// A validated E911 address of an account's, as stored and listed.
public struct E911Address: Sendable, Codable, Equatable {
    public var id: String
    public var accountId: String
    public var address: CivicAddress
    /// The address on one line, as a dispatcher reads it.
    public var line: String
    /// The Emergency Service Number and PSAP of the MSAG range the address is in.
    public var esn: String
    public var psap: String
    public var createdAt: Date
}

/// What the MSAG says of an address that is not valid: why, and what it may have meant.
public struct AddressRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: MSAGProblem
    /// The MSAG ranges nearest to the address, as `100-198 even MAIN ST, WASHINGTON DC`.
    public var candidates: [String]
    /// The address as normalized before the MSAG was consulted.
    public var normalized: String

    public var description: String {
        "\(normalized): \(problem)" + (candidates.isEmpty ? "" : "; did you mean \(candidates.joined(separator: " or "))?")
    }
}

/// E911 addresses: the MSAG, and the validated civic addresses of each account's that numbers are bound to
/// (bindings are the numbers' side, in Inventory's `EmergencyBindings`).
///
/// An address is stored only once it is MSAG-valid. Every change is recorded with who and when.
public struct EmergencyAddresses: Sendable {
    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    // MARK: MSAG

    /// Replaces the MSAG with the given ranges (demo data, tests), atomically.
    public func replaceMSAG(with ranges: some Sequence<MSAGRange>) async throws -> Int {
        try await store.transaction { database in
            try await database.raw("DELETE FROM msag_ranges").run()
            var count = 0
            for range in ranges {
                try await Self.insert(range, into: database)
                count += 1
            }
            return count
        }
    }

    /// The columns of an MSAG file (see docs/e911.md), in any order, named in its header.
    public static let msagColumns = [
        "state", "community", "pre_directional", "street_name", "street_type", "post_directional", "low", "high", "parity",
        "esn", "psap",
    ]

    /// Replaces the MSAG with the ranges of a CSV file: streamed in one transaction, all or nothing; bad rows
    /// are reported by line and column. Returns the number of ranges.
    public func importMSAG(from path: String, progress: (ImportProgress) -> Void = { _ in }) async throws -> Int {
        let started = ContinuousClock.now
        let totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        var reader = try CSVReader.opening(path)
        let columns = try reader.header()
        try columns.require(Self.msagColumns)
        return try await store.transaction { database in
            try await database.raw("DELETE FROM msag_ranges").run()
            var errors: [ImportError.RowError] = []
            var badRows = 0
            var rows = 0
            while let record = try reader.nextRow(badRows: &badRows, errors: &errors) {
                do {
                    try columns.checkWidth(of: record)
                    func field(_ name: String) -> String { columns.field(name, in: record) ?? "" }
                    func optional(_ name: String) -> String? { field(name).isEmpty ? nil : field(name) }
                    let range = try Self.range(
                        state: field("state"), community: field("community"), preDirectional: optional("pre_directional"),
                        streetName: field("street_name"), streetType: optional("street_type"),
                        postDirectional: optional("post_directional"), low: field("low"), high: field("high"),
                        parity: field("parity"), esn: field("esn"), psap: field("psap")
                    )
                    rows += 1
                    if badRows == 0 {
                        try await Self.insert(range, into: database)
                        try await ImportPauseHook.rowsWritten(rows)
                    }
                } catch let fault as ImportRowFault {
                    badRows += 1
                    if errors.count < ImportError.maximumReportedErrors { errors.append(fault.rowError(line: record.line)) }
                }
                if (rows + badRows) % 5_000 == 0 {
                    progress(ImportProgress(rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                                            elapsed: ContinuousClock.now - started, finished: false))
                }
            }
            guard badRows == 0 else { throw ImportError(rowErrors: errors, badRows: badRows) }
            progress(ImportProgress(rows: rows, bytesRead: reader.bytesRead, totalBytes: totalBytes,
                                    elapsed: ContinuousClock.now - started, finished: true))
            return rows
        }
    }

    /// A range from a file's fields, with a bad field as the row's fault.
    private static func range(
        state: String, community: String, preDirectional: String?, streetName: String, streetType: String?,
        postDirectional: String?, low: String, high: String, parity: String, esn: String, psap: String
    ) throws(ImportRowFault) -> MSAGRange {
        do {
            return try MSAGRange(
                state: state, community: community, preDirectional: preDirectional, streetName: streetName,
                streetType: streetType, postDirectional: postDirectional, low: low, high: high, parity: parity, esn: esn, psap: psap
            )
        } catch {
            throw ImportRowFault(error.field, error.reason)
        }
    }

    private static func insert(_ range: MSAGRange, into database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO msag_ranges (state, community, street, street_name, low, high, parity, esn, psap, range)
            VALUES (\(bind: range.state), \(bind: range.community), \(bind: range.street), \(bind: range.streetName),
                \(bind: range.low), \(bind: range.high), \(bind: range.parity.rawValue), \(bind: range.esn),
                \(bind: range.psap), \(bind: try json(range)))
            """).run()
    }

    /// Normalizes and checks an address against the MSAG, without storing anything.
    public func validate(_ draft: AddressDraft) async throws -> (CivicAddress, MSAGVerdict) {
        let address: CivicAddress
        do {
            address = try AddressNormalizer.normalize(draft)
        } catch {
            throw ServiceError.invalid(error.field, error.reason)
        }
        // The ranges that can match or be offered instead: the community's, and the street's across the state.
        let ranges = try await store.read { database in
            try await database.raw("""
                SELECT range FROM msag_ranges
                WHERE (state = \(bind: address.state) AND community = \(bind: address.city))
                    OR (state = \(bind: address.state) AND street_name = \(bind: address.streetName))
                """).all().map { try JSONDecoder().decode(MSAGRange.self, from: Data(try $0.decode(column: "range", as: String.self).utf8)) }
        }
        return (address, MSAG(ranges).validate(address))
    }

    // MARK: Addresses

    /// Validates an address and stores it for an account (the caller's, or the one the operator names).
    ///
    /// - Throws: ``AddressRefusal`` when the MSAG does not know the address; `ServiceError` for a malformed one.
    public func create(_ draft: AddressDraft, accountId: String?, by principal: Principal) async throws -> E911Address {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let account = try principal.targetAccount(accountId)
        let (address, verdict) = try await validate(draft)
        guard case .valid(let range) = verdict else {
            if case .invalid(let problem, let candidates) = verdict {
                throw AddressRefusal(problem: problem, candidates: candidates.map(\.summary), normalized: address.line)
            }
            preconditionFailure("a verdict is valid or invalid")
        }
        let stored = E911Address(
            id: Identifier.make(prefix: "adr"), accountId: account, address: address, line: address.line,
            esn: range.esn, psap: range.psap, createdAt: Date(unixSeconds: clock.now().unixSeconds)
        )
        try await store.transaction { database in
            guard try await AccountDirectory.fetchAccount(account, in: database) != nil else { throw ServiceError.notFound("account") }
            try await database.raw("""
                INSERT INTO e911_addresses (id, account_id, address, line, esn, psap, created_at)
                VALUES (\(bind: stored.id), \(bind: account), \(bind: try Self.json(address)), \(bind: stored.line),
                    \(bind: stored.esn), \(bind: stored.psap), \(bind: stored.createdAt.unixSeconds))
                """).run()
            try await Self.recordEvent(
                "address-created", number: nil, address: stored.id, actor: principal.actor, at: stored.createdAt, in: database
            )
        }
        return stored
    }

    /// One of the caller's addresses (any, for the operator).
    public func address(_ id: String, by principal: Principal) async throws -> E911Address {
        try principal.requireCustomerOrOperator()
        return try await store.read { try await Self.visibleAddress(id, principal, in: $0) }
    }

    /// The caller's addresses (the operator: all, or one account's), by id.
    public func addresses(accountId: String?, page: PageRequest, by principal: Principal) async throws -> Page<E911Address> {
        try principal.requireCustomerOrOperator()
        let scope = try principal.listScope(accountId)
        let after = try page.idCursor(prefix: "adr") ?? ""
        let fetched: [E911Address] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM e911_addresses WHERE \(scope) AND id > \(bind: after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// The account an address belongs to, in the caller's transaction; `nil` when there is no such address.
    package static func owner(ofAddress id: String, in database: any SQLDatabase) async throws -> String? {
        try await database.raw("SELECT account_id FROM e911_addresses WHERE id = \(bind: id)").first()?
            .decode(column: "account_id", as: String.self)
    }

    // MARK: Rows

    /// An address, in the caller's transaction; `nil` when there is no such address.
    package static func address(_ id: String, in database: any SQLDatabase) async throws -> E911Address? {
        try await database.raw("SELECT * FROM e911_addresses WHERE id = \(bind: id)").first().map(decode)
    }

    /// An address the caller may see, in the caller's transaction; others' addresses are not found.
    package static func visibleAddress(_ id: String, _ principal: Principal, in database: any SQLDatabase) async throws -> E911Address {
        guard let address = try await address(id, in: database) else { throw ServiceError.notFound("address") }
        guard principal.isOperator || address.accountId == principal.accountId else { throw ServiceError.notFound("address") }
        return address
    }

    /// Records a change to an address or a number's binding to one, with who and when, in the caller's transaction.
    package static func recordEvent(
        _ action: String, number: PhoneNumber?, address: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        try await database.raw("""
            INSERT INTO e911_events (at, tn, address_id, action, actor)
            VALUES (\(bind: now.unixSeconds), \(bind: number?.national), \(bind: address), \(bind: action), \(bind: actor))
            """).run()
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private static func decode(_ row: any SQLRow) throws -> E911Address {
        E911Address(
            id: try row.decode(column: "id", as: String.self),
            accountId: try row.decode(column: "account_id", as: String.self),
            address: try JSONDecoder().decode(CivicAddress.self, from: Data(try row.decode(column: "address", as: String.self).utf8)),
            line: try row.decode(column: "line", as: String.self),
            esn: try row.decode(column: "esn", as: String.self),
            psap: try row.decode(column: "psap", as: String.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self))
        )
    }
}
