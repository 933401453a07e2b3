import Accounts
import Foundation
import Inventory
import Logging
import NetworkData
import Platform
import Routing
import SQLKit
import ServiceLifecycle
import Store
import Synchronization
import Telephony
import Timekeeping

/// Compiles the provisioned trunks, numbers, carriers, rate decks, ported numbers and reference data into a
/// ``RoutingSnapshot``.
///
/// The large tables (rate decks, ported numbers, exchange locations) change only when re-imported: each is
/// compiled once per import and reused by later snapshots, so provisioning a number does not reload ten
/// million ported numbers.
public struct RoutingCompiler: Sendable {
    let store: Store
    let emergency: EmergencyRoute?
    /// Decides which cutover windows are over, and so left out.
    let clock: WallClock
    private let cache = Cache()

    /// Compiled tables with the import that produced them.
    private final class Cache: Sendable {
        struct Entries {
            var decks: [String: RateDeck] = [:]
            /// The carriers' decks merged, with the owner and deck ids they were merged from.
            var carrierRates: (decks: [String: String], rates: CarrierRates)?
            var ported: (marker: String, table: PortedNumberTable)?
            var locations: (marker: String, table: ExchangeLocations)?
        }

        let entries = Mutex(Entries())
    }

    public init(store: Store, emergency: EmergencyRoute?, clock: WallClock) {
        self.store = store
        self.emergency = emergency
        self.clock = clock
    }

    /// The store's current routing epoch.
    public func epoch() async throws -> Int64 {
        try await store.read { try await RoutingEpoch.read(in: $0) }
    }

    /// Reads everything routing needs and builds a snapshot with the given version.
    ///
    /// The epoch is read first: a change that lands while the tables are read makes the data newer than
    /// the epoch, never older, so the next poll rebuilds again rather than missing it.
    public func compile(version: UInt64) async throws -> RoutingSnapshot {
        try await compile(version: version, attempt: 1)
    }

    private func compile(version: UInt64, attempt: Int) async throws -> RoutingSnapshot {
        let (epoch, trunks, numbers, carriers, deckOwners, blocks, portChanges) = try await store.read { database in
            let epoch = try await RoutingEpoch.read(in: database)
            let trunks = try await database.raw("""
                SELECT t.id, t.account_id, t.configuration, a.status FROM trunks t JOIN accounts a ON a.id = t.account_id
                """).all().map(Self.trunkRoute)
            let numbers = try await Self.numberRoutes(in: database, at: clock.unixSeconds())
            let carriers = try await database.raw("SELECT * FROM carriers").all().map(Self.carrierRoute)
            let decks = try await database.raw("SELECT id, owner_kind, owner_id FROM rate_decks").all().map { row in
                (id: try row.decode(column: "id", as: String.self),
                 kind: try row.decode(column: "owner_kind", as: String.self),
                 owner: try row.decode(column: "owner_id", as: String.self))
            }
            return (
                epoch, trunks, numbers, carriers, decks, try await BlockedDestinations.compiled(in: database),
                try await PortedNumbers.changes(in: database)
            )
        }
        var carrierDeckIds: [String: String] = [:]
        var customerDecks: [String: RateDeck] = [:]
        for deck in deckOwners {
            if deck.kind == "carrier" {
                carrierDeckIds[deck.owner] = deck.id
            } else {
                customerDecks[deck.owner] = try await rateDeck(deck.id)
            }
        }
        // A deck re-imported while the rows were read would compile empty: if the decks changed meanwhile,
        // compile again (the import bumped the epoch, so a later poll would too, but not before calls fail).
        let current = try await store.read { database in
            try await database.raw("SELECT id FROM rate_decks").all().map { try $0.decode(column: "id", as: String.self) }
        }
        if Set(current) != Set(deckOwners.map(\.id)), attempt < 3 {
            return try await compile(version: version, attempt: attempt + 1)
        }
        let carrierRates = try await carrierRates(carrierDeckIds)
        cache.entries.withLock { entries in
            entries.decks = entries.decks.filter { id, _ in deckOwners.contains { $0.id == id } }
        }
        return RoutingSnapshot(
            version: version, epoch: epoch, trunks: trunks, numbers: numbers, emergency: emergency,
            carriers: carriers, carrierRates: carrierRates, customerDecks: customerDecks,
            ported: try await portedNumbers().applying(portChanges), locations: try await exchangeLocations(), blocks: blocks
        )
    }

    /// Every assigned number's route. The numbers table is read for three columns only: with a million numbers
    /// the per-column decoding is most of a rebuild, so what few numbers have (a caller name, an E911 address, a
    /// cutover, failover targets) and what every account shares (its status) are read apart and joined here.
    private static func numberRoutes(in database: any SQLDatabase, at now: Int64) async throws -> [NumberRoute] {
        let failover = try await NumberInventory.allFailoverTargets(in: database)
        var active: [String: Bool] = [:]
        for row in try await database.raw("SELECT id, status FROM accounts").all() {
            active[try row.decode(column: "id", as: String.self)] =
                try row.decode(column: "status", as: String.self) == AccountStatus.active.rawValue
        }
        var callerNames: [UInt64: String] = [:]
        for row in try await database.raw("""
            SELECT tn, caller_name FROM numbers WHERE status = 'assigned' AND caller_name IS NOT NULL
            """).all() {
            callerNames[try row.phoneNumber().digits] = try row.decode(column: "caller_name", as: String.self)
        }
        var locations: [UInt64: EmergencyLocation] = [:]
        for row in try await database.raw("""
            SELECT b.tn, a.id, a.line, a.esn, a.psap FROM number_e911 b JOIN e911_addresses a ON a.id = b.address_id
                JOIN numbers n ON n.tn = b.tn AND n.account_id = a.account_id
            WHERE n.status = 'assigned'
            """).all() {
            locations[try row.phoneNumber().digits] = EmergencyLocation(
                addressId: try row.decode(column: "id", as: String.self), line: try row.decode(column: "line", as: String.self),
                esn: try row.decode(column: "esn", as: String.self), psap: try row.decode(column: "psap", as: String.self)
            )
        }
        var cutovers: [UInt64: CutoverForward] = [:]
        for row in try await database.raw("SELECT tn, old_lrn, ends_at FROM cutover_forwards WHERE ends_at > \(bind: now)").all() {
            cutovers[try row.phoneNumber().digits] = CutoverForward(
                oldLRN: try row.decode(column: "old_lrn", as: Int64?.self).flatMap { PhoneNumber(digits: UInt64($0)) },
                until: try row.decode(column: "ends_at", as: Int64.self)
            )
        }
        var numbers: [NumberRoute] = []
        for row in try await database.raw("""
            SELECT tn, account_id, trunk_id FROM numbers WHERE status = 'assigned' AND account_id IS NOT NULL
            """).all() {
            let number = try row.phoneNumber()
            let accountId = try row.decode(column: "account_id", as: String.self)
            numbers.append(NumberRoute(
                number: number, accountId: accountId,
                trunkId: try row.decodeNil(column: "trunk_id") ? nil : try row.decode(column: "trunk_id", as: String.self),
                failover: failover[number.digits] ?? [], emergencyLocation: locations[number.digits],
                accountActive: active[accountId] ?? false, callerName: callerNames[number.digits],
                cutoverForward: cutovers[number.digits]
            ))
        }
        return numbers
    }

    // MARK: Large tables, compiled once per import

    private func rateDeck(_ id: String) async throws -> RateDeck {
        if let cached = cache.entries.withLock({ $0.decks[id] }) { return cached }
        let deck = try await store.read { database in
            var deck = RateDeck()
            for row in try await database.raw("SELECT * FROM rate_prefixes WHERE deck_id = \(bind: id)").all() {
                deck.add(prefix: try row.decode(column: "prefix", as: String.self), rate: try Self.rate(row, "rate_micros"))
            }
            for row in try await database.raw("SELECT * FROM rate_npanxx WHERE deck_id = \(bind: id)").all() {
                deck.add(npanxx: try row.decode(column: "npanxx", as: String.self), rate: JurisdictionalRate(
                    interstate: try Self.rate(row, "interstate_micros"), intrastate: try Self.rate(row, "intrastate_micros"),
                    indeterminate: try Self.rate(row, "indeterminate_micros")
                ))
            }
            return deck
        }
        cache.entries.withLock { $0.decks[id] = deck }
        return deck
    }

    /// The carriers' decks (deck ids by carrier id) merged; merged again only when one of them changed.
    private func carrierRates(_ deckIds: [String: String]) async throws -> CarrierRates {
        if let cached = cache.entries.withLock({ $0.carrierRates }), cached.decks == deckIds { return cached.rates }
        var decks: [String: RateDeck] = [:]
        for (carrier, deck) in deckIds { decks[carrier] = try await rateDeck(deck) }
        let rates = CarrierRates(decks: decks)
        cache.entries.withLock { $0.carrierRates = (deckIds, rates) }
        return rates
    }

    private func portedNumbers() async throws -> PortedNumberTable {
        let marker = try await importMarker("lrn")
        if let cached = cache.entries.withLock({ $0.ported }), cached.marker == marker { return cached.table }
        // Streamed row by row: tens of millions of rows never sit in memory as SQL rows, only as 10 bytes each.
        let builder = Mutex((table: PortedNumberTable.Builder(), failure: String?.none))
        try await store.read { database in
            try await database.raw("SELECT tn, lrn FROM ported_numbers ORDER BY tn").run { row in
                guard let tn = try? row.decode(column: "tn", as: Int64.self), tn >= 0,
                    let lrn = try? row.decode(column: "lrn", as: Int64.self), lrn >= 0
                else {
                    builder.withLock { $0.failure = "an unreadable ported-number row" }
                    return
                }
                builder.withLock { $0.table.append(number: UInt64(tn), lrn: UInt64(lrn)) }
            }
        }
        let (table, failure) = builder.withLock { ($0.table.build(), $0.failure) }
        if let failure { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: failure)) }
        cache.entries.withLock { $0.ported = (marker, table) }
        return table
    }

    private func exchangeLocations() async throws -> ExchangeLocations {
        let marker = try await importMarker("npanxx")
        if let cached = cache.entries.withLock({ $0.locations }), cached.marker == marker { return cached.table }
        let table = try await store.read { database in
            var locations = ExchangeLocations()
            // Rate centers are named per state: each (state, name) gets a number, in order of appearance.
            var rateCenters: [String: UInt32] = [:]
            for row in try await database.raw("SELECT npa, nxx, block, state, lata, rate_center FROM exchanges").all() {
                guard let npa = UInt16(try row.decode(column: "npa", as: String.self)),
                    let nxx = UInt16(try row.decode(column: "nxx", as: String.self))
                else { continue }
                let state = try row.decode(column: "state", as: String.self)
                let rateCenterKey = state + "/" + (try row.decode(column: "rate_center", as: String.self))
                let rateCenter = rateCenters[rateCenterKey] ?? UInt32(rateCenters.count + 1)
                rateCenters[rateCenterKey] = rateCenter
                locations.add(
                    npa: npa, nxx: nxx, block: UInt8(try row.decode(column: "block", as: String.self)),
                    location: NANPLocation(state: state, lata: try row.decode(column: "lata", as: String.self), rateCenter: rateCenter)
                )
            }
            return locations
        }
        cache.entries.withLock { $0.locations = (marker, table) }
        return table
    }

    /// Identifies the last import of a kind (a new import, or none, gives a new marker).
    private func importMarker(_ kind: String) async throws -> String {
        try await store.read { database in
            let row = try await database.raw("SELECT MAX(id) AS id, COUNT(*) AS n FROM import_runs WHERE kind = \(bind: kind)").first()
            return "\(try row?.decode(column: "id", as: Int64?.self) ?? 0)/\(try row?.decode(column: "n", as: Int.self) ?? 0)"
        }
    }

    // MARK: Rows

    private static func rate(_ row: any SQLRow, _ column: String) throws -> Rate {
        Rate(
            micros: try row.decode(column: column, as: Int64.self),
            initialSeconds: Int32(try row.decode(column: "initial_seconds", as: Int64.self)),
            incrementSeconds: Int32(try row.decode(column: "increment_seconds", as: Int64.self)),
            effectiveAt: try row.decode(column: "effective_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64?.self)
        )
    }

    private static func carrierRoute(_ row: any SQLRow) throws -> CarrierRoute {
        let configuration = try JSONDecoder().decode(
            CarrierConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
        )
        return CarrierRoute(
            id: try row.decode(column: "id", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            active: try row.decode(column: "status", as: String.self) == CarrierStatus.active.rawValue,
            priority: try row.decode(column: "priority", as: Int.self),
            intraMeansLATA: try row.decode(column: "intra_means", as: String.self) == IntraMeaning.intraLATA.rawValue,
            gateways: configuration.gateways.map {
                CarrierRoute.Gateway(address: $0.address, port: $0.port, transport: $0.transport.rawValue)
            },
            sources: configuration.sourceAddresses.compactMap { CIDRBlock($0) }
        )
    }

    private static func trunkRoute(_ row: any SQLRow) throws -> TrunkRoute {
        let configuration = try JSONDecoder().decode(
            TrunkConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
        )
        let id = try row.decode(column: "id", as: String.self)
        let accountId = try row.decode(column: "account_id", as: String.self)
        let identity = configuration.identity ?? IdentityPolicy()
        let mode: TrunkRoute.Signing.Mode = switch identity.signing {
        case .all: .all
        case .unsigned: .unsignedOnly
        case .never: .never
        }
        return TrunkRoute(
            id: id,
            accountId: accountId,
            accountActive: try row.decode(column: "status", as: String.self) == AccountStatus.active.rawValue,
            hosts: configuration.hosts.map {
                TrunkRoute.Host(address: $0.address, port: $0.port, transport: $0.transport.rawValue,
                                priority: $0.priority, weight: $0.weight)
            },
            sources: configuration.sourceAddresses.compactMap { CIDRBlock($0) },
            callerID: TrunkRoute.CallerIDRule(
                allowAny: configuration.callerId.mode == .any,
                allowedPrefixes: configuration.callerId.allowed.map { String($0.dropFirst()) },
                rejectViolations: configuration.callerId.onViolation == .reject
            ),
            maxCallsPerSecond: configuration.maxCallsPerSecond,
            maxChannels: configuration.maxChannels,
            signing: TrunkRoute.Signing(
                mode: mode, international: identity.signInternational, passesOnCalls: identity.passesOnCalls,
                originIdentifier: Trunk.originIdentifier(account: accountId, trunk: id), verifiedName: identity.verifiedName
            )
        )
    }
}
