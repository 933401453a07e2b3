import Foundation
import NetworkData
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

extension NumberInventory {
    /// Records numbers a submitted port-in order brings as porting-in for its account.
    ///
    /// - Throws: a conflict when a number became ours (or another order's) since the order was made.
    public static func startPortIn(
        _ sources: [PhoneNumber: PortSource], account: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        for (number, source) in sources.sorted(by: { $0.key < $1.key }) {
            try await database.raw("DELETE FROM numbers WHERE tn = \(bind: number.national) AND status = 'ported-out'").run()
            let inserted = try await database.raw("""
                INSERT INTO numbers (tn, reversed_tn, rate_center, state, lata, status, account_id, updated_at)
                VALUES (\(bind: number.national), \(bind: String(number.national.reversed())), \(bind: source.rateCenter),
                    \(bind: source.state), \(bind: source.lata), 'porting-in', \(bind: account), \(bind: now.unixSeconds))
                ON CONFLICT (tn) DO NOTHING RETURNING tn
                """).first()
            guard inserted != nil else { throw ServiceError(.conflict, "\(number.e164) is no longer portable: it is in the inventory") }
        }
        try await recordEvents(
            sources.keys.sorted(), action: .portInStart, from: nil, to: .portingIn, account: account, trunk: nil, actor: actor,
            reason: nil, at: now, in: database
        )
    }

    /// Takes back the porting-in numbers of a canceled port-in order.
    public static func cancelPortIn(
        _ numbers: [PhoneNumber], account: String, actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        let removed = try await database.raw("""
            DELETE FROM numbers WHERE tn IN (\(numbers.map { "\(bind: $0.national)" as SQLQueryString }.joined(separator: ", ")))
                AND status = 'porting-in' AND account_id = \(bind: account)
            RETURNING tn
            """).all().map { try $0.phoneNumber() }
        try await recordEvents(
            removed.sorted(), action: .portInCancel, from: .portingIn, to: nil, account: account, trunk: nil, actor: actor,
            reason: nil, at: now, in: database
        )
    }

    /// Makes ported-in numbers ours: assigned to the account on its trunk, and in the ported-number table with
    /// our LRN. Routing follows within a second. With a `cutover`, each number's calls go to its old path (the
    /// LRN it had before, or its own exchange) until `cutover.endsAt`, before the trunk; a number whose old path is
    /// not known, or leads to one of our own switches' blocks, is not forwarded: the call would only come back.
    public static func completePortIn(
        _ sources: [PhoneNumber: PortSource], account: String, trunk: String?, cutover: (orderId: String, endsAt: Date)? = nil,
        actor: String, at now: Date, in database: any SQLDatabase
    ) async throws {
        let numbers = sources.keys.sorted()
        let list = numbers.map { "\(bind: $0.national)" as SQLQueryString }.joined(separator: ", ")
        let moved = try await database.raw("""
            UPDATE numbers SET status = 'assigned', trunk_id = \(bind: trunk), updated_at = \(bind: now.unixSeconds)
            WHERE tn IN (\(list)) AND status = 'porting-in' AND account_id = \(bind: account)
            RETURNING tn
            """).all().count
        guard moved == numbers.count else {
            throw ServiceError(.conflict, "\(numbers.count - moved) of the order's numbers are no longer porting in")
        }
        // Our switches' thousands-blocks (NPA-NXX-X), where each of our LRNs is: no old path may lead there.
        let ourBlocks = cutover == nil ? [] : Set(try await NetworkLRNs.all(in: database).values.map { $0.digits / 1_000 })
        for (number, source) in sources.sorted(by: { $0.key < $1.key }) {
            let previous = try await PortedNumbers.change(number, to: source.lrn, at: now, in: database)
            let oldLRN: PhoneNumber?
            switch previous {
            case .ported(let lrn): oldLRN = lrn
            case .notPorted: oldLRN = nil
            case .portedToUnknownLRN: continue
            }
            guard let cutover, !ourBlocks.contains((oldLRN ?? number).digits / 1_000) else { continue }
            try await database.raw("""
                INSERT INTO cutover_forwards (tn, order_id, old_lrn, ends_at)
                VALUES (\(bind: number.national), \(bind: cutover.orderId), \(bind: oldLRN.map { Int64($0.digits) }),
                    \(bind: cutover.endsAt.unixSeconds))
                ON CONFLICT (tn) DO UPDATE SET order_id = excluded.order_id, old_lrn = excluded.old_lrn, ends_at = excluded.ends_at
                """).run()
        }
        try await recordEvents(
            numbers, action: .portInComplete, from: .portingIn, to: .assigned, account: account, trunk: trunk, actor: actor,
            reason: nil, at: now, in: database
        )
        try await RoutingEpoch.bump(in: database)
    }

    /// When a port-in order's cutover forwarding ends (the latest end among its numbers still forwarded), in the
    /// caller's transaction; `nil` when none of its numbers is.
    package static func cutoverEnd(orderId: String, in database: any SQLDatabase) async throws -> Date? {
        try await database.raw("SELECT MAX(ends_at) AS ends_at FROM cutover_forwards WHERE order_id = \(bind: orderId)").first()?
            .decode(column: "ends_at", as: Int64?.self).map { Date(unixSeconds: $0) }
    }

    /// Ends a port-in order's cutover forwarding that is still running; returns how many numbers it covered.
    public static func endCutover(orderId: String, at now: Date, in database: any SQLDatabase) async throws -> Int {
        let ended = try await database.raw("""
            DELETE FROM cutover_forwards WHERE order_id = \(bind: orderId) AND ends_at > \(bind: now.unixSeconds) RETURNING tn
            """).all().count
        if ended > 0 { try await RoutingEpoch.bump(in: database) }
        return ended
    }
}
