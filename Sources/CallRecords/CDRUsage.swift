import Foundation
import Platform
import SQLKit
import Telephony

/// Calls, minutes and charges of a day and destination class: a line of a usage summary.
public struct CDRUsage: Sendable, Codable, Equatable {
    /// The UTC day the calls started on (`2026-12-08`).
    public var day: String
    /// `outbound`, `inbound`, `emergency`; absent for calls without a decision.
    public var direction: String?
    /// `interstate`, `intrastate`, `intra-lata`, `local`, `indeterminate`; absent where none applies.
    public var jurisdiction: String?
    public var calls: Int
    public var answered: Int
    public var billableSeconds: Int64
    /// The calls' prices; unrated ones counted in ``unrated``, not here.
    public var price: Money
    /// The operator's only.
    public var cost: Money?
    /// Calls not rated (for a customer, without a price).
    public var unrated: Int
}

extension CallDetailRecords {
    /// The longest span a summary covers.
    public static let longestSummary: TimeInterval = 400 * 86_400

    /// The caller's calls that started from `filter.from` to `filter.to` (by default the 31 days to now), summed by
    /// UTC day, direction and jurisdiction, oldest first.
    public func usage(_ filter: CDRFilter, by principal: Principal) async throws -> [CDRUsage] {
        var filter = filter
        let now = clock.now()
        filter.to = filter.to ?? now
        filter.from = filter.from ?? filter.to!.addingTimeInterval(-31 * 86_400)
        guard let from = filter.from, let to = filter.to, from < to, to.timeIntervalSince(from) <= Self.longestSummary else {
            throw ServiceError.invalid("from", "must be before `to`, and at most 400 days before it")
        }
        let conditions = try Self.conditions(filter, by: principal)
        let unrated: SQLQueryString = principal.isOperator
            ? "price_rating LIKE 'unrated%' OR cost_rating LIKE 'unrated%'" : "price_rating LIKE 'unrated%'"
        let rows = try await store.read { database in
            try await database.raw("""
                SELECT started_at / 86400000 AS day, direction, jurisdiction, count(*) AS calls,
                    CAST(sum(CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS answered,
                    CAST(sum(billable_seconds) AS BIGINT) AS seconds, CAST(sum(price_micros) AS BIGINT) AS price,
                    CAST(sum(cost_micros) AS BIGINT) AS cost,
                    CAST(sum(CASE WHEN \(unrated) THEN 1 ELSE 0 END) AS BIGINT) AS unrated
                FROM cdrs WHERE \(conditions.joined(separator: " AND "))
                GROUP BY started_at / 86400000, direction, jurisdiction
                ORDER BY 1, COALESCE(direction, ''), COALESCE(jurisdiction, '')
                """).all()
        }
        return try rows.map { row in
            let day = Date(timeIntervalSince1970: Double(try row.decode(column: "day", as: Int64.self)) * 86_400)
            return CDRUsage(
                day: day.formatted(.iso8601.year().month().day()),
                direction: try row.decode(column: "direction", as: String?.self),
                jurisdiction: try row.decode(column: "jurisdiction", as: String?.self),
                calls: try row.decode(column: "calls", as: Int.self),
                answered: try row.decode(column: "answered", as: Int?.self) ?? 0,
                billableSeconds: try row.decode(column: "seconds", as: Int64?.self) ?? 0,
                price: Money(micros: try row.decode(column: "price", as: Int64?.self) ?? 0),
                cost: principal.isOperator ? Money(micros: try row.decode(column: "cost", as: Int64?.self) ?? 0) : nil,
                unrated: try row.decode(column: "unrated", as: Int?.self) ?? 0
            )
        }
    }
}
