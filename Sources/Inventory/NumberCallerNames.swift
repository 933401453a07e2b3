import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

// MARK: - Caller names (CNAM)

extension NumberInventory {
    /// A number's caller name, if it has one. Its owner and the operator may read it.
    public func callerName(of number: PhoneNumber, by principal: Principal) async throws -> CallerName? {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            _ = try await visibleRecord(number, principal, in: database)
            return try await Self.storedCallerName(of: number, in: database)
        }
    }

    /// Sets (or, with `nil`, clears) the caller name of an assigned number. Recorded in the number's history;
    /// routing delivers it with the number's calls within a second.
    public func setCallerName(of number: PhoneNumber, to name: CallerName?, by principal: Principal) async throws -> CallerName? {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        return try await store.transaction { database in
            let record = try await visibleRecord(number, principal, forUpdate: true, in: database)
            _ = try NumberLifecycle.next(from: record.status, on: .setCallerName)
            try await Self.storeCallerName(name, of: [number], account: record.accountId, actor: principal.actor,
                                           at: clock.now(), in: database)
            return name
        }
    }

    /// Sets the caller name of assigned numbers (a port-in's, as they arrive) in the caller's transaction, each
    /// change in the number's history.
    public static func storeCallerName(
        _ name: CallerName?, of numbers: [PhoneNumber], account: String?, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        for number in numbers {
            try await database.raw("""
                UPDATE numbers SET caller_name = \(bind: name?.text), updated_at = \(bind: now.unixSeconds)
                WHERE tn = \(bind: number.national)
                """).run()
        }
        try await RoutingEpoch.bump(in: database)
        try await recordEvents(
            numbers, action: .setCallerName, from: .assigned, to: .assigned, account: account, trunk: nil, actor: actor,
            reason: name.map { "caller name '\($0.text)'" } ?? "caller name cleared", at: now, in: database
        )
    }

    /// The caller name of one of our assigned numbers, for a CNAM dip: caller names are published data, so any
    /// customer or the operator may ask (agents, who see only their referrals, may not). `nil` when the number is
    /// not ours, not in service, or has no name.
    public func lookUpCallerName(_ number: PhoneNumber, by principal: Principal) async throws -> CallerName? {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            guard let record = try await Self.fetchRecord(number, in: database), record.status == .assigned else { return nil }
            return try await Self.storedCallerName(of: number, in: database)
        }
    }

    private static func storedCallerName(of number: PhoneNumber, in database: any SQLDatabase) async throws -> CallerName? {
        let row = try await database.raw("SELECT caller_name FROM numbers WHERE tn = \(bind: number.national)").first()
        return try row?.decode(column: "caller_name", as: String?.self).flatMap { try? CallerName(normalizing: $0) }
    }
}
