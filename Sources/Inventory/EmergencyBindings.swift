import Emergency
import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

/// A number's E911 binding.
public struct E911Binding: Sendable, Codable, Equatable {
    public var number: PhoneNumber
    public var address: E911Address
    public var boundAt: Date
}

/// The numbers' side of E911: which validated address (``EmergencyAddresses``) each number is bound to.
///
/// A number may be bound only to a valid address of its owner's. Every binding change is recorded with who and
/// when, in the address book's event log.
public struct EmergencyBindings: Sendable {
    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    // MARK: Bindings

    /// Binds one of the caller's numbers to one of its owner's addresses (replacing any earlier binding).
    public func bind(_ number: PhoneNumber, to addressId: String, by principal: Principal) async throws -> E911Binding {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        let now = Date(unixSeconds: clock.now().unixSeconds)
        return try await store.transaction { database in
            let owner = try await Self.owner(of: number, principal, forUpdate: true, in: database)
            let address = try await EmergencyAddresses.visibleAddress(addressId, principal, in: database)
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
        guard try await EmergencyAddresses.owner(ofAddress: addressId, in: database) == account else {
            throw ServiceError(.conflict, "the order's E911 address is not the account's")
        }
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
            try await EmergencyAddresses.recordEvent(
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
            guard let row = try await database.raw("SELECT address_id, bound_at FROM number_e911 WHERE tn = \(bind: number.national)").first(),
                let address = try await EmergencyAddresses.address(try row.decode(column: "address_id", as: String.self), in: database),
                address.accountId == owner
            else { throw ServiceError.notFound("E911 binding") }
            return E911Binding(
                number: number, address: address, boundAt: Date(unixSeconds: try row.decode(column: "bound_at", as: Int64.self))
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

    /// Binds a number to an address (replacing any earlier binding) and records it.
    private static func storeBinding(
        _ number: PhoneNumber, to addressId: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        try await database.raw("""
            INSERT INTO number_e911 (tn, address_id, bound_at) VALUES (\(bind: number.national), \(bind: addressId), \(bind: now.unixSeconds))
            ON CONFLICT (tn) DO UPDATE SET address_id = excluded.address_id, bound_at = excluded.bound_at
            """).run()
        try await EmergencyAddresses.recordEvent("bound", number: number, address: addressId, actor: actor, at: now, in: database)
    }
}
