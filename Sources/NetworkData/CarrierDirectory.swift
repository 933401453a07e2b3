import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

// MARK: - Model

/// One of an upstream carrier's SIP gateways: where outbound calls routed to the carrier are sent.
public struct CarrierGateway: Sendable, Codable, Equatable {
    /// A host name, IPv4 or IPv6 address, without a port.
    public var address: String
    public var port: Int
    public var transport: SIPTransport

    public init(address: String, port: Int = 5060, transport: SIPTransport = .udp) {
        self.address = address
        self.port = port
        self.transport = transport
    }

    /// Decodes a gateway; `port` defaults to 5060 and `transport` to UDP.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decode(String.self, forKey: .address)
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 5060
        transport = try container.decodeIfPresent(SIPTransport.self, forKey: .transport) ?? .udp
    }
}

/// Whether routing may send calls to a carrier.
public enum CarrierStatus: String, Sendable, Codable, CaseIterable {
    /// In service: a routing candidate.
    case active
    /// Out of service (an outage, a dispute): never a candidate, its rate deck kept.
    case down
}

/// What a carrier's "intra" rate applies to: calls within a state, or within a LATA.
///
/// Carriers' NPA-NXX decks have an interstate and an intrastate column; some carriers bill the intrastate rate
/// for calls within one state, others only for calls within one LATA (and interstate rates for the rest).
public enum IntraMeaning: String, Sendable, Codable, CaseIterable {
    /// Calls whose two ends are in the same state.
    case intrastate
    /// Calls whose two ends are in the same LATA.
    case intraLATA = "intra-lata"
}

/// An upstream carrier: where outbound calls can be sent, and where its inbound calls come from.
public struct Carrier: Sendable, Codable, Equatable {
    public var id: String
    /// Unique among carriers.
    public var name: String
    public var status: CarrierStatus
    /// 0-1000; among carriers of equal cost, the lower is preferred.
    public var priority: Int
    public var intraMeans: IntraMeaning
    /// Where calls to the carrier go, best first (1-16).
    public var gateways: [CarrierGateway]
    /// Addresses or CIDR blocks the carrier's inbound calls come from (0-64), normalized.
    public var sourceAddresses: [String]
    public var createdAt: Date
    public var updatedAt: Date
}

/// The fields of a carrier a caller sets; any may be omitted in an update, which keeps the current value.
public struct CarrierDraft: Sendable, Codable, Equatable {
    public var name: String?
    public var status: CarrierStatus?
    public var priority: Int?
    public var intraMeans: IntraMeaning?
    public var gateways: [CarrierGateway]?
    public var sourceAddresses: [String]?

    public init(
        name: String? = nil, status: CarrierStatus? = nil, priority: Int? = nil, intraMeans: IntraMeaning? = nil,
        gateways: [CarrierGateway]? = nil, sourceAddresses: [String]? = nil
    ) {
        self.name = name
        self.status = status
        self.priority = priority
        self.intraMeans = intraMeans
        self.gateways = gateways
        self.sourceAddresses = sourceAddresses
    }
}

/// The stored configuration of a carrier (the columns that are not keys), as JSON. The routing compiler
/// decodes it: keep these names.
package struct CarrierConfiguration: Codable {
    package var gateways: [CarrierGateway]
    package var sourceAddresses: [String]
}

// MARK: - Directory

/// Upstream carriers. Only the operator sees or changes them: carriers are the operator's business, not any
/// tenant's, so every operation refuses other roles with ``ServiceError/Code/forbidden``.
public struct CarrierDirectory: Sendable {
    /// Limits on the lists a carrier holds.
    public static let maximumGateways = 16
    public static let maximumSourceAddresses = 64
    /// Allowed priorities; lower is preferred.
    public static let priorityRange = 0...1000
    /// The priority of a carrier created without one.
    public static let defaultPriority = 100

    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Creates a carrier. `name` and `gateways` are required; the rest default (active, priority 100,
    /// intrastate, no source addresses).
    public func create(_ draft: CarrierDraft, by principal: Principal) async throws -> Carrier {
        try principal.requireOperator()
        guard let name = draft.name else { throw ServiceError.invalid("name", "is required") }
        guard let gateways = draft.gateways else { throw ServiceError.invalid("gateways", "is required") }
        // Whole seconds, as stored, so that what this returns equals what a read returns.
        let now = Date(unixSeconds: clock.now().unixSeconds)
        let carrier = try Self.validated(Carrier(
            id: Identifier.make(prefix: "car"), name: name, status: draft.status ?? .active,
            priority: draft.priority ?? Self.defaultPriority, intraMeans: draft.intraMeans ?? .intrastate,
            gateways: gateways, sourceAddresses: draft.sourceAddresses ?? [], createdAt: now, updatedAt: now
        ))
        return try await store.transaction { database in
            try await ensureNameFree(carrier, in: database)
            // A concurrent create of the same name may pass the check above; the unique key settles it.
            let inserted = try await database.raw("""
                INSERT INTO carriers (id, name, status, priority, intra_means, configuration, created_at, updated_at)
                VALUES (\(bind: carrier.id), \(bind: carrier.name), \(bind: carrier.status.rawValue),
                        \(bind: carrier.priority), \(bind: carrier.intraMeans.rawValue),
                        \(bind: try Self.encode(carrier)), \(bind: now.unixSeconds), \(bind: now.unixSeconds))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """).first()
            guard inserted != nil else { throw Self.nameTaken(carrier.name) }
            try await RoutingEpoch.bump(in: database)
            return carrier
        }
    }

    /// Changes the fields the draft sets; the others keep their values. Lists are replaced whole.
    public func update(_ id: String, with draft: CarrierDraft, by principal: Principal) async throws -> Carrier {
        try principal.requireOperator()
        return try await store.transaction { database in
            guard var carrier = try await Self.fetch(id, forUpdate: true, in: database) else {
                throw ServiceError.notFound("carrier")
            }
            carrier.name = draft.name ?? carrier.name
            carrier.status = draft.status ?? carrier.status
            carrier.priority = draft.priority ?? carrier.priority
            carrier.intraMeans = draft.intraMeans ?? carrier.intraMeans
            carrier.gateways = draft.gateways ?? carrier.gateways
            carrier.sourceAddresses = draft.sourceAddresses ?? carrier.sourceAddresses
            carrier.updatedAt = Date(unixSeconds: clock.now().unixSeconds)
            carrier = try Self.validated(carrier)
            try await ensureNameFree(carrier, in: database)
            try await database.raw("""
                UPDATE carriers SET name = \(bind: carrier.name), status = \(bind: carrier.status.rawValue),
                    priority = \(bind: carrier.priority), intra_means = \(bind: carrier.intraMeans.rawValue),
                    configuration = \(bind: try Self.encode(carrier)),
                    updated_at = \(bind: carrier.updatedAt.unixSeconds)
                WHERE id = \(bind: id)
                """).run()
            try await RoutingEpoch.bump(in: database)
            return carrier
        }
    }

    /// Deletes a carrier and its rate deck (the deck's rows go with it).
    public func delete(_ id: String, by principal: Principal) async throws {
        try principal.requireOperator()
        try await store.transaction { database in
            guard try await Self.fetch(id, forUpdate: true, in: database) != nil else {
                throw ServiceError.notFound("carrier")
            }
            try await RateDecks.deleteDeck(of: .carrier(id: id), in: database)
            try await database.raw("DELETE FROM carriers WHERE id = \(bind: id)").run()
            try await RoutingEpoch.bump(in: database)
        }
    }

    /// One carrier.
    public func carrier(_ id: String, by principal: Principal) async throws -> Carrier {
        try principal.requireOperator()
        guard let carrier = try await store.read({ try await Self.fetch(id, forUpdate: false, in: $0) }) else {
            throw ServiceError.notFound("carrier")
        }
        return carrier
    }

    /// The carrier with this id or, failing that, this name (for the command line).
    public func carrier(idOrName: String, by principal: Principal) async throws -> Carrier {
        try principal.requireOperator()
        let found = try await store.read { database -> Carrier? in
            if let carrier = try await Self.fetch(idOrName, forUpdate: false, in: database) { return carrier }
            return try await database.raw("SELECT * FROM carriers WHERE name = \(bind: idOrName)").first()
                .map(Self.decode)
        }
        guard let found else { throw ServiceError.notFound("carrier") }
        return found
    }

    /// All carriers, ordered by id.
    public func carriers(page: PageRequest, by principal: Principal) async throws -> Page<Carrier> {
        try principal.requireOperator()
        let after = try page.idCursor(prefix: "car") ?? ""
        let fetched: [Carrier] = try await store.read { database in
            try await database.raw("""
                SELECT * FROM carriers WHERE id > \(bind: after) ORDER BY id LIMIT \(literal: page.limit + 1)
                """).all().map(Self.decode)
        }
        return Page(fetched: fetched, limit: page.limit, cursor: \.id)
    }

    // MARK: Rows

    static func fetch(_ id: String, forUpdate: Bool, in database: any SQLDatabase) async throws -> Carrier? {
        let lock: SQLQueryString = forUpdate ? database.forUpdate : ""
        return try await database.raw("SELECT * FROM carriers WHERE id = \(bind: id)\(lock)").first().map(Self.decode)
    }

    private func ensureNameFree(_ carrier: Carrier, in database: any SQLDatabase) async throws {
        let clash = try await database.raw("""
            SELECT id FROM carriers WHERE name = \(bind: carrier.name) AND id <> \(bind: carrier.id)
            """).first()
        if clash != nil { throw Self.nameTaken(carrier.name) }
    }

    /// Every carrier's source addresses: a trunk may not claim them (a customer's PBX must not pass for a carrier).
    package static func sourceAddresses(in database: any SQLDatabase) async throws -> [CIDRBlock] {
        try await database.raw("SELECT configuration FROM carriers").all().flatMap { row in
            try JSONDecoder().decode(
                CarrierConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
            ).sourceAddresses.compactMap { CIDRBlock($0) }
        }
    }

    private static func nameTaken(_ name: String) -> ServiceError {
        ServiceError(.conflict, field: "name", "a carrier named '\(name)' already exists")
    }

    private static func encode(_ carrier: Carrier) throws -> String {
        let configuration = CarrierConfiguration(gateways: carrier.gateways, sourceAddresses: carrier.sourceAddresses)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(configuration), as: UTF8.self)
    }

    private static func decode(_ row: any SQLRow) throws -> Carrier {
        let configuration = try JSONDecoder().decode(
            CarrierConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
        )
        return Carrier(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            status: try row.decodeEnum(column: "status"),
            priority: try row.decode(column: "priority", as: Int.self),
            intraMeans: try row.decodeEnum(column: "intra_means"),
            gateways: configuration.gateways,
            sourceAddresses: configuration.sourceAddresses,
            createdAt: Date(unixSeconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(unixSeconds: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    // MARK: Validation

    /// Checks every field, normalizing where there is one right spelling (CIDRs).
    static func validated(_ carrier: Carrier) throws(ServiceError) -> Carrier {
        var carrier = carrier
        carrier.name = try Validate.name(carrier.name, field: "name", maximum: 64)
        guard priorityRange.contains(carrier.priority) else {
            throw .invalid("priority", "must be \(priorityRange.lowerBound) to \(priorityRange.upperBound)")
        }
        guard (1...maximumGateways).contains(carrier.gateways.count) else {
            throw .invalid("gateways", "must list 1 to \(maximumGateways) gateways")
        }
        for (index, gateway) in carrier.gateways.enumerated() {
            do {
                try HostName.validate(gateway.address)
            } catch {
                throw .invalid("gateways[\(index)].address", error.description)
            }
            guard (1...65_535).contains(gateway.port) else {
                throw .invalid("gateways[\(index)].port", "must be 1 to 65535")
            }
        }
        guard carrier.sourceAddresses.count <= maximumSourceAddresses else {
            throw .invalid("source_addresses", "must list at most \(maximumSourceAddresses) addresses or CIDR blocks")
        }
        for (index, text) in carrier.sourceAddresses.enumerated() {
            do {
                carrier.sourceAddresses[index] = try CIDRBlock(parsing: text).description
            } catch {
                throw .invalid("source_addresses[\(index)]", error.description)
            }
        }
        return carrier
    }
}
