import Foundation
import Platform
import SQLKit
import Store
import Timekeeping

/// The kinds of events an account's webhook endpoints receive.
public enum WebhookEventType: String, Sendable, Codable, CaseIterable {
    /// A port-in order moved from one state to another; the body carries the timeline entry.
    case portOrderStatusChanged = "port-order.status-changed"
    /// A port-out request against the account's numbers moved from one state to another.
    case portOutStatusChanged = "port-out.status-changed"
    /// A 911 or 933 call from one of the account's trunks (Kari's Law): the number, its address or
    /// `unlocated`, and the time.
    case emergencyCall = "emergency.call"
    /// A call that cost more than it earned, as its CDR was stored (the operator's account only): the CDR, the
    /// account, the carrier, the price, the cost and the margin.
    case cdrLoss = "cdr.loss"
}

/// A webhook event as delivered: the JSON body every endpoint receives.
public struct WebhookEvent<Payload: Encodable & Sendable>: Encodable, Sendable {
    /// `evt_...`: the same on every retry, so receivers can drop duplicates (delivery is at least once).
    public var id: String
    public var type: WebhookEventType
    public var accountId: String
    public var createdAt: Date
    public var data: Payload
}

/// The outbox of webhook events: each event is written in the same transaction as the change it tells of, with
/// a pending delivery to each of the account's endpoints that takes its type. ``WebhookDelivery`` sends them.
///
/// An event is therefore never sent for a change that rolled back, and never lost once the change committed,
/// whatever happens to the process.
public enum WebhookOutbox {
    /// JSON as the API writes it: snake_case members, ISO 8601 dates, sorted keys.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Records an event for `account` in the caller's transaction, and a delivery to each of the account's
    /// endpoints that takes `type`. Returns the event's id.
    @discardableResult
    public static func enqueue<Payload: Encodable & Sendable>(
        _ type: WebhookEventType, account: String, data: Payload, at now: Date, in database: any SQLDatabase
    ) async throws -> String {
        let event = WebhookEvent(id: Identifier.make(prefix: "evt"), type: type, accountId: account, createdAt: now, data: data)
        let payload = String(decoding: try encoder.encode(event), as: UTF8.self)
        let nowMs = Int64((now.timeIntervalSince1970 * 1_000).rounded(.down))
        try await database.raw("""
            INSERT INTO webhook_events (id, account_id, type, payload, created_at)
            VALUES (\(bind: event.id), \(bind: account), \(bind: type.rawValue), \(bind: payload), \(bind: now.unixSeconds))
            """).run()
        let endpoints = try await database.raw("""
            SELECT id, events FROM webhook_endpoints WHERE account_id = \(bind: account) AND deleted_at IS NULL
            """).all()
        for row in endpoints where WebhookEndpoints.takes(try row.decode(column: "events", as: String.self), type) {
            try await database.raw("""
                INSERT INTO webhook_deliveries (event_id, endpoint_id, status, attempts, next_attempt_at, created_at)
                VALUES (\(bind: event.id), \(bind: try row.decode(column: "id", as: String.self)), 'pending', 0,
                    \(bind: nowMs), \(bind: nowMs))
                """).run()
        }
        return event.id
    }
}
