import Accounts
import Foundation
import Platform
import SQLKit
import Store
import Timekeeping

// MARK: - Model

/// Where an account's events are sent, as listed: never its secret.
public struct WebhookEndpoint: Sendable, Codable, Equatable {
    public var id: String
    public var accountId: String
    public var url: String
    /// The event types sent to the endpoint; `["*"]` for all.
    public var events: [String]
    public var description: String?
    public var createdAt: Date
    /// After a rotation: until when the replaced secret still signs deliveries, beside the new one.
    public var previousSecretExpiresAt: Date?
}

/// A new endpoint with the secret that signs its deliveries, shown this once.
public struct CreatedWebhookEndpoint: Sendable, Encodable, Equatable {
    public var endpoint: WebhookEndpoint
    public var secret: String

    init(endpoint: WebhookEndpoint, secret: String) {
        self.endpoint = endpoint
        self.secret = secret
    }

    /// The endpoint's members and `secret`, side by side.
    public func encode(to encoder: any Encoder) throws {
        try endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
    }

    private enum CodingKeys: String, CodingKey { case secret }
}

/// How a secret rotation goes: how long the replaced secret keeps signing deliveries beside the new one, so that
/// receivers can switch without dropping any. 24 hours when left out; 0 ends it at once.
public struct WebhookSecretRotation: Sendable, Codable, Equatable {
    public var previousSecretHours: Int?

    public init(previousSecretHours: Int? = nil) {
        self.previousSecretHours = previousSecretHours
    }
}

/// What a customer asks for: a URL, optionally the event types it wants (all by default) and a description.
public struct WebhookEndpointDraft: Sendable, Codable, Equatable {
    public var url: String
    public var events: [String]?
    public var description: String?
    /// The operator names the account; customers register their own endpoints.
    public var accountId: String?

    public init(url: String, events: [String]? = nil, description: String? = nil, accountId: String? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.accountId = accountId
    }
}

/// One delivery of an event to an endpoint: where it stands.
public struct WebhookDeliveryRecord: Sendable, Codable, Equatable {
    public var id: Int64
    public var eventId: String
    public var eventType: String
    /// `pending` (waiting for its next attempt), `delivered`, `failed` (out of attempts) or `canceled` (the
    /// endpoint was deleted first).
    public var status: String
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastAttemptAt: Date?
    /// The HTTP status of the last attempt, when the endpoint answered.
    public var lastResponseStatus: Int?
    /// Why the last attempt failed: the detail for the operator; for a customer, only its class (the endpoint's
    /// HTTP answer, or that it could not be reached, or that its host is refused), so that deliveries cannot be
    /// used to learn which internal ports answer.
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date
}

// MARK: - Endpoints

/// Accounts' webhook endpoints: where their events are sent and the secrets that sign them.
///
/// A customer manages its own endpoints; the operator manages anyone's. An endpoint's secret must sign every
/// delivery, so it is stored to be read back: sealed when a key is configured (``WebhookSecretSealer``), as it is
/// otherwise; it is returned only by ``create(_:by:)`` and rotations. Every endpoint's URL passes the
/// ``WebhookURLPolicy``.
public struct WebhookEndpoints: Sendable {
    /// Endpoints per account, at most.
    public static let maximumPerAccount = 10

    let store: Store
    let policy: WebhookURLPolicy
    /// Seals each new secret before it is stored.
    let secrets: WebhookSecretSealer
    let clock: WallClock

    public init(
        store: Store, policy: WebhookURLPolicy = WebhookURLPolicy(), secrets: WebhookSecretSealer = .plaintext, clock: WallClock
    ) {
        self.store = store
        self.policy = policy
        self.secrets = secrets
        self.clock = clock
    }

    /// Registers an endpoint; its secret is in the answer, and nowhere else ever again.
    public func create(_ draft: WebhookEndpointDraft, by principal: Principal) async throws -> CreatedWebhookEndpoint {
        try principal.requireWrite()
        try principal.refuseAgents()
        let account = try principal.targetAccount(draft.accountId)
        let url = try policy.check(draft.url)
        let events = try Self.validate(events: draft.events)
        let description = try draft.description.map { text throws(ServiceError) -> String in
            guard text.count <= 200 else { throw .invalid("description", "must be at most 200 characters") }
            return text
        }
        let endpoint = WebhookEndpoint(
            id: Identifier.make(prefix: "whk"), accountId: account, url: url.absoluteString, events: events,
            description: description, createdAt: Date(unixSeconds: clock.now().unixSeconds)
        )
        let secret = Identifier.secret(prefix: "whsec_")
        try await store.transaction { database in
            guard try await AccountDirectory.fetchAccount(account, in: database, forUpdate: true) != nil else {
                throw ServiceError.notFound("account")
            }
            let count = try await database.raw("""
                SELECT COUNT(*) AS count FROM webhook_endpoints WHERE account_id = \(bind: account) AND deleted_at IS NULL
                """).first()?.decode(column: "count", as: Int.self) ?? 0
            guard count < Self.maximumPerAccount else {
                throw ServiceError(.conflict, "an account has at most \(Self.maximumPerAccount) webhook endpoints")
            }
            try await database.raw("""
                INSERT INTO webhook_endpoints (id, account_id, url, secret, events, description, created_at, created_by)
                VALUES (\(bind: endpoint.id), \(bind: account), \(bind: endpoint.url), \(bind: try secrets.seal(secret)),
                    \(bind: events.joined(separator: ",")), \(bind: description), \(bind: endpoint.createdAt.unixSeconds),
                    \(bind: principal.actor))
                """).run()
        }
        return CreatedWebhookEndpoint(endpoint: endpoint, secret: secret)
    }

    /// One of the caller's endpoints (any, for the operator).
    public func endpoint(_ id: String, by principal: Principal) async throws -> WebhookEndpoint {
        try principal.refuseAgents()
        return try await store.read { try await Self.visible(id, principal, in: $0) }
    }

    /// The caller's endpoints (the operator: all, or one account's), by id.
    public func endpoints(accountId: String?, page: PageRequest, by principal: Principal) async throws -> Page<WebhookEndpoint> {
        try principal.refuseAgents()
        let scope = try principal.listScope(accountId)
        let after = try page.idCursor(prefix: "whk") ?? ""
        let fetched: [WebhookEndpoint] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM webhook_endpoints WHERE \(scope) AND deleted_at IS NULL AND id > \(bind: after)
                ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    /// Gives an endpoint a new secret, returned this once. The secret it replaces keeps signing deliveries beside
    /// the new one for ``WebhookSecretRotation/previousSecretHours`` (at most a week), then stops. A rotation during
    /// another's overlap keeps the secret that overlap kept (receivers may still hold it: a retried rotation whose
    /// answer was lost must not break them) and forgets the interim one; 0 hours forgets both at once.
    public func rotateSecret(
        _ id: String, _ rotation: WebhookSecretRotation, by principal: Principal
    ) async throws -> CreatedWebhookEndpoint {
        try principal.requireWrite()
        try principal.refuseAgents()
        let hours = rotation.previousSecretHours ?? 24
        guard (0...168).contains(hours) else { throw ServiceError.invalid("previous_secret_hours", "must be 0 to 168 hours") }
        let now = clock.now().unixSeconds
        let expiresAt: Int64? = hours > 0 ? now + Int64(hours) * 3_600 : nil
        let secret = Identifier.secret(prefix: "whsec_")
        let endpoint = try await store.transaction { database in
            _ = try await Self.visible(id, principal, forUpdate: true, in: database)
            // SET reads the row as it was. During an overlap the secret receivers may still hold is the previous one,
            // not the interim current one (a retried rotation whose answer was lost): that one keeps signing.
            let previous: SQLQueryString = expiresAt == nil
                ? "NULL"
                : "CASE WHEN previous_secret_expires_at > \(bind: now) THEN previous_secret ELSE secret END"
            try await database.raw("""
                UPDATE webhook_endpoints SET previous_secret = \(previous), secret = \(bind: try secrets.seal(secret)),
                    previous_secret_expires_at = \(bind: expiresAt)
                WHERE id = \(bind: id)
                """).run()
            return try await Self.visible(id, principal, in: database)
        }
        return CreatedWebhookEndpoint(endpoint: endpoint, secret: secret)
    }

    /// Deletes an endpoint: it gets no more events, and its pending deliveries are canceled.
    public func delete(_ id: String, by principal: Principal) async throws {
        try principal.requireWrite()
        try principal.refuseAgents()
        let now = clock.now()
        try await store.transaction { database in
            _ = try await Self.visible(id, principal, forUpdate: true, in: database)
            try await database.raw("UPDATE webhook_endpoints SET deleted_at = \(bind: now.unixSeconds) WHERE id = \(bind: id)").run()
            try await database.raw("""
                UPDATE webhook_deliveries SET status = 'canceled' WHERE endpoint_id = \(bind: id) AND status = 'pending'
                """).run()
        }
    }

    /// The deliveries to one of the caller's endpoints, newest first.
    public func deliveries(of id: String, page: PageRequest, by principal: Principal) async throws -> Page<WebhookDeliveryRecord> {
        try principal.refuseAgents()
        let before = try page.cursor.map { cursor throws(ServiceError) -> Int64 in
            guard let id = Int64(cursor), id > 0 else { throw .invalid("cursor", "is not a cursor from a previous page") }
            return id
        } ?? Int64.max
        let fetched: [WebhookDeliveryRecord] = try await store.read { database in
            _ = try await Self.visible(id, principal, in: database)
            return try await database.raw("""
                SELECT d.*, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                WHERE d.endpoint_id = \(bind: id) AND d.id < \(bind: before) ORDER BY d.id DESC LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decodeDelivery)
        }
        let shown = principal.isOperator ? fetched : fetched.map { record in
            var record = record
            record.lastError = record.lastError.map(Self.customerView(ofError:))
            return record
        }
        return Page(fetched: shown, limit: page.limit, cursor: { String($0.id) })
    }

    /// What a customer is told of a failed attempt: the endpoint's HTTP answer as it is (it is the customer's own
    /// server's), anything else only by its class.
    static func customerView(ofError detail: String) -> String {
        if detail.hasPrefix(WebhookDelivery.answeredPrefix) { return detail }
        if detail.hasPrefix(WebhookDelivery.requestFailedPrefix) { return "the endpoint could not be reached" }
        return "the endpoint's URL or host is refused: it must be a public host"
    }

    // MARK: Rows

    /// Whether an endpoint's stored event list takes events of `type`.
    static func takes(_ events: String, _ type: WebhookEventType) -> Bool {
        events.split(separator: ",").contains { $0 == "*" || $0 == type.rawValue }
    }

    private static func validate(events: [String]?) throws(ServiceError) -> [String] {
        guard let events else { return ["*"] }
        guard !events.isEmpty else { throw .invalid("events", "must name at least one event type, or be left out for all") }
        for (index, event) in events.enumerated() where event != "*" && WebhookEventType(rawValue: event) == nil {
            throw .invalid("events[\(index)]", "must be * or one of \(WebhookEventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return events.contains("*") ? ["*"] : Array(Set(events)).sorted()
    }

    private static func visible(
        _ id: String, _ principal: Principal, forUpdate: Bool = false, in database: any SQLDatabase
    ) async throws -> WebhookEndpoint {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        guard let row = try await database.raw("""
            SELECT * FROM webhook_endpoints WHERE id = \(bind: id) AND deleted_at IS NULL\(lock)
            """).first()
        else { throw ServiceError.notFound("webhook endpoint") }
        let endpoint = try decode(row)
        guard principal.isOperator || endpoint.accountId == principal.accountId else {
            throw ServiceError.notFound("webhook endpoint")
        }
        return endpoint
    }

    private static func decode(_ row: any SQLRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try row.decode(column: "id", as: String.self),
            accountId: try row.decode(column: "account_id", as: String.self),
            url: try row.decode(column: "url", as: String.self),
            events: try row.decode(column: "events", as: String.self).split(separator: ",").map(String.init),
            description: try row.decode(column: "description", as: String?.self),
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int64?.self).map { Date(unixSeconds: $0) }
        )
    }

    private static func decodeDelivery(_ row: any SQLRow) throws -> WebhookDeliveryRecord {
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map { Date(timeIntervalSince1970: Double($0) / 1_000) }
        }
        let status = try row.decode(column: "status", as: String.self)
        return WebhookDeliveryRecord(
            id: try row.decode(column: "id", as: Int64.self),
            eventId: try row.decode(column: "event_id", as: String.self),
            eventType: try row.decode(column: "type", as: String.self),
            status: status,
            attempts: try row.decode(column: "attempts", as: Int.self),
            nextAttemptAt: status == "pending" ? try date("next_attempt_at") : nil,
            lastAttemptAt: try date("last_attempt_at"),
            lastResponseStatus: try row.decode(column: "last_response_status", as: Int?.self),
            lastError: try row.decode(column: "last_error", as: String?.self),
            deliveredAt: try date("delivered_at"),
            createdAt: try date("created_at") ?? Date(timeIntervalSince1970: 0)
        )
    }
}
