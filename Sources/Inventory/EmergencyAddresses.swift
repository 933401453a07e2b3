import Accounts
import Emergency
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

/// A number's E911 binding.
public struct E911Binding: Sendable, Codable, Equatable {
    public var number: PhoneNumber
    public var address: E911Address
    public var boundAt: Date
}

/// E911: validated civic addresses, the MSAG they are validated against, and the binding of numbers to them.
///
/// An address is stored only once it is MSAG-valid; a number may be bound only to a valid address of its owner's.
/// Every binding change is recorded with who and when.
public struct EmergencyAddresses: Sendable {
    let store: Store
    let clock: WallClock

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
        return try await store.read { try await visibleAddress(id, principal, in: $0) }
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

    // MARK: Bindings

    /// Binds one of the caller's numbers to one of its owner's addresses (replacing any earlier binding).
    public func bind(_ number: PhoneNumber, to addressId: String, by principal: Principal) async throws -> E911Binding {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let now = Date(unixSeconds: clock.now().unixSeconds)
        return try await store.transaction { database in
            let owner = try await Self.owner(of: number, principal, forUpdate: true, in: database)
            let address = try await visibleAddress(addressId, principal, in: database)
            guard address.accountId == owner else {
                throw ServiceError.invalid("address_id", "the address belongs to another account than the number")
            }
            try await Self.storeBinding(number, to: addressId, actor: principal.actor, at: now, in: database)
            try await RoutingEpoch.bump(in: database)
            return E911Binding(number: number, address: address, boundAt: now)
        }
    }

    /// Binds numbers that just became the account's (a port-in's) to one of its addresses, in the caller's
    /// transaction, recording each binding with who and when.
    public static func bind(
        _ numbers: [PhoneNumber], to addressId: String, account: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        let owner = try await database.raw("SELECT account_id FROM e911_addresses WHERE id = \(bind: addressId)").first()?
            .decode(column: "account_id", as: String.self)
        guard owner == account else { throw ServiceError(.conflict, "the order's E911 address is not the account's") }
        for number in numbers {
            try await storeBinding(number, to: addressId, actor: actor, at: now, in: database)
        }
    }

    /// Removes a number's binding; the number then has no emergency address.
    public func unbind(_ number: PhoneNumber, by principal: Principal) async throws {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let now = Date(unixSeconds: clock.now().unixSeconds)
        try await store.transaction { database in
            _ = try await Self.owner(of: number, principal, forUpdate: true, in: database)
            guard let row = try await database.raw("SELECT address_id FROM number_e911 WHERE tn = \(bind: number.national)").first()
            else { throw ServiceError.notFound("E911 binding") }
            try await database.raw("DELETE FROM number_e911 WHERE tn = \(bind: number.national)").run()
            try await Self.recordEvent(
                "unbound", number: number, address: try row.decode(column: "address_id", as: String.self), actor: principal.actor,
                at: now, in: database
            )
            try await RoutingEpoch.bump(in: database)
        }
    }

    /// A number's binding.
    public func binding(of number: PhoneNumber, by principal: Principal) async throws -> E911Binding {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            let owner = try await Self.owner(of: number, principal, in: database)
            guard let row = try await database.raw("""
                SELECT b.bound_at, a.* FROM number_e911 b JOIN e911_addresses a ON a.id = b.address_id
                WHERE b.tn = \(bind: number.national) AND a.account_id = \(bind: owner)
                """).first()
            else { throw ServiceError.notFound("E911 binding") }
            return E911Binding(
                number: number, address: try Self.decode(row),
                boundAt: Date(unixSeconds: try row.decode(column: "bound_at", as: Int64.self))
            )
        }
    }

    /// The caller's assigned numbers (the operator: everyone's) that have no E911 address: numbers that
    /// reach the emergency route with no location to give.
    public func unbound(accountId: String?, page: PageRequest, by principal: Principal) async throws -> Page<NumberRecord> {
        try principal.requireCustomerOrOperator()
        let scope = try principal.listScope(accountId, column: "n.account_id")
        let after = try page.cursor.map { cursor throws(ServiceError) -> String in
            guard let number = PhoneNumber(cursor) else { throw .invalid("cursor", "is not a number from a previous page") }
            return number.national
        } ?? ""
        let fetched: [NumberRecord] = try await store.read { database in
            try await database.raw("""
                SELECT n.* FROM numbers n LEFT JOIN number_e911 b ON b.tn = n.tn
                WHERE n.status = 'assigned' AND b.tn IS NULL AND \(scope) AND n.tn > \(bind: after)
                ORDER BY n.tn LIMIT \(literal: page.limit + 1)
                """).all().map(NumberInventory.decodeRecord)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.number.e164)
    }

    // MARK: Rows

    /// The owner of a number the caller may manage; others' numbers are not found.
    private static func owner(
        of number: PhoneNumber, _ principal: Principal, forUpdate: Bool = false, in database: any SQLDatabase
    ) async throws -> String {
        guard let record = try await NumberInventory.fetchRecord(number, forUpdate: forUpdate, in: database), let owner = record.accountId,
            principal.isOperator || owner == principal.accountId
        else { throw ServiceError.notFound("number") }
        guard record.status == .assigned else {
            throw ServiceError(.conflict, "only an assigned number has an E911 address; this one is \(record.status.rawValue)")
        }
        return owner
    }

    private func visibleAddress(_ id: String, _ principal: Principal, in database: any SQLDatabase) async throws -> E911Address {
        guard let row = try await database.raw("SELECT * FROM e911_addresses WHERE id = \(bind: id)").first() else {
            throw ServiceError.notFound("address")
        }
        let address = try Self.decode(row)
        guard principal.isOperator || address.accountId == principal.accountId else { throw ServiceError.notFound("address") }
        return address
    }

    /// Binds a number to an address (replacing any earlier binding) and records it.
    private static func storeBinding(
        _ number: PhoneNumber, to addressId: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        try await database.raw("""
            INSERT INTO number_e911 (tn, address_id, bound_at) VALUES (\(bind: number.national), \(bind: addressId), \(bind: now.unixSeconds))
            ON CONFLICT (tn) DO UPDATE SET address_id = excluded.address_id, bound_at = excluded.bound_at
            """).run()
        try await recordEvent("bound", number: number, address: addressId, actor: actor, at: now, in: database)
    }

    private static func recordEvent(
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
