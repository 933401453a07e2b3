import Accounts
import Emergency
import Foundation
import Inventory
import Logging
import NetworkData
import Platform
import Porting
import Schema
import SQLKit
import Store
import Telephony
import Testing
import Timekeeping

/// The databases every store-backed test runs against: SQLite always, PostgreSQL when
/// `TANDEM_TEST_POSTGRES_URL` names a server (`.ci/run` starts one).
public enum TestDatabase: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// The backends available in this run.
    public static var available: [TestDatabase] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["TANDEM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var testDescription: String { rawValue }

    /// Runs `body` with a fresh, migrated store holding the standard ``Fixture``, whose services all read `clock`.
    public func withFixture(clock: WallClock = .system, _ body: (Store, Fixture) async throws -> Void) async throws {
        try await withStore(clock: clock) { store in try await body(store, try await Fixture.make(store, clock: clock)) }
    }

    /// Runs `body` with a fresh, migrated, empty database: a new SQLite file, or a new PostgreSQL schema.
    public func withStore<Result: Sendable>(
        clock: WallClock = .system, _ body: (Store) async throws -> Result
    ) async throws -> Result {
        try await withEmptyDatabase { database in
            try await Store.withStore(try DatabaseLocation(parsing: database), logger: Self.logger) { store in
                try await store.migrate(TandemSchema.migrations, clock: clock)
                return try await body(store)
            }
        }
    }

    /// Runs `body` with a new database that nothing has opened yet, named as `tandem --database` takes it: a
    /// SQLite file's path in a new directory, or the PostgreSQL URL with a new `schema=`. Removed afterwards.
    public func withEmptyDatabase<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        let suffix = UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-test-\(suffix)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            return try await body(directory.appendingPathComponent("test.db").path)
        case .postgres:
            guard let url = Self.postgresURL else { fatalError("PostgreSQL tests need TANDEM_TEST_POSTGRES_URL") }
            let separator = url.contains("?") ? "&" : "?"
            let schema = "t_\(suffix)"
            func drop() async throws {
                try await Store.withStore(try DatabaseLocation(parsing: url), logger: Self.logger) { store in
                    try await store.transaction { try await $0.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run() }
                }
            }
            let result: Result
            do {
                result = try await body("\(url)\(separator)schema=\(schema)")
            } catch {
                try? await drop()
                throw error
            }
            try await drop()
            return result
        }
    }

    private static var logger: Logger {
        var logger = Logger.test("tandem.test")
        // PostgresNIO warns of every query that comes before its pool's run loop has started, as a fresh store's
        // first ones do: expected here, and hidden unless more is asked for.
        if ProcessInfo.processInfo.environment["TANDEM_TEST_LOG_LEVEL"] == nil { logger.logLevel = .error }
        return logger
    }
}

/// A provisioned world for tests: the operator, two customers (each with a trunk and an admin key), an agent
/// who referred the first customer, a partner carrier, reference data for two exchanges with numbers in stock, and a carrier with a
/// small prefix rate deck.
public struct Fixture: Sendable {
    /// The one clock every service of the fixture reads.
    public var clock: WallClock { provisioning.clock }
    public let provisioning: Provisioning
    public let operatorPrincipal: Principal
    public let acme: Principal
    public let acmeReader: Principal
    public let globex: Principal
    public let agent: Principal
    /// Rival Telecom (OCN 7Q2X), a partner carrier that files port-out requests for our numbers.
    public let partner: Principal
    public let operatorKey: String
    public let acmeKey: String
    public let acmeReaderKey: String
    public let globexKey: String
    public let agentKey: String
    public let partnerKey: String
    /// A switch's key on the operator's account: it reports CDRs and does nothing else.
    public let switchKey: String
    public let acmeTrunk: Trunk
    public let globexTrunk: Trunk
    public let carrier: Carrier
    /// Acme blocks calls to Cuba (+53).
    public let acmeBlock: BlockedDestination
    /// Acme's office, 1600 Main St, Washington DC: valid in the fixture's MSAG (`MSAG` below).
    public let acmeAddress: E911Address
    /// Port orders over a simulated losing carrier (Capital Bell) that holds ``Fixture/losingCarrierRecord``.
    public let porting: PortOrders

    /// Capital Bell's record of Acme's other line: 202-555-1000 and 1001 (LATA 236, where we have an LRN).
    public static let losingCarrierRecord = CustomerServiceRecord(
        accountNumber: "CB-7781", pin: "1234", businessName: "Acme Dental Group", serviceAddress: "1600 Main St",
        zip: "20001", billingNumber: PhoneNumber("+12025551000")!,
        numbers: [PhoneNumber("+12025551000")!, PhoneNumber("+12025551001")!]
    )

    /// The fixture's MSAG: Main St and N Capitol St in Washington DC, Main St in Bethesda MD.
    public static let msag = [
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAIN", streetType: "ST", low: 1, high: 1_998,
                  parity: .even, esn: "101", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", streetName: "MAIN", streetType: "ST", low: 1, high: 1_999,
                  parity: .odd, esn: "102", psap: "DC-OUC"),
        MSAGRange(state: "DC", community: "WASHINGTON", preDirectional: "N", streetName: "CAPITOL", streetType: "ST",
                  low: 1, high: 2_000, esn: "104", psap: "DC-OUC"),
        MSAGRange(state: "MD", community: "BETHESDA", streetName: "MAIN", streetType: "ST", low: 1, high: 500,
                  esn: "201", psap: "MONTGOMERY-ECC"),
    ]

    /// The exchanges with reference data: 202-555 (DC) and 973-555 (NJ, pooled in thousands-blocks).
    public static let exchanges: [ExchangeRecord] = {
        var records = [
            ExchangeRecord(npa: 202, nxx: 555, block: nil, state: "DC", lata: "236", rateCenter: "WASHINGTON",
                           ocn: "9206", company: "Capital Bell", companyType: .ilec),
            ExchangeRecord(npa: 973, nxx: 555, block: nil, state: "NJ", lata: "224", rateCenter: "NEWARK",
                           ocn: "9102", company: "Garden Bell", companyType: .ilec),
        ]
        records.append(ExchangeRecord(npa: 973, nxx: 555, block: 9, state: "NJ", lata: "224", rateCenter: "MORRISTOWN",
                                      ocn: "532F", company: "Lakeside Fiber", companyType: .clec))
        return records
    }()

    /// Numbers in stock: 202-555-0000...0199 and 973-555-9000...9099.
    public static var stock: [PhoneNumber] {
        (0..<200).map { try! PhoneNumber(npa: 202, nxx: 555, line: UInt16($0)) }
            + (9_000..<9_100).map { try! PhoneNumber(npa: 973, nxx: 555, line: UInt16($0)) }
    }

    public static func make(
        _ store: Store, configuration: NumberInventory.Configuration = .init(), clock: WallClock = .system
    ) async throws -> Fixture {
        let provisioning = Provisioning(store: store, numbers: configuration, clock: clock)
        let operatorAccount = try await provisioning.accounts.bootstrapOperator(name: "Test Carrier")
        let operatorKey = try await provisioning.accounts.issueKeyAsSystem(
            accountId: operatorAccount.id, role: .operatorAdmin, name: "test"
        )
        let operatorPrincipal = Principal(accountId: operatorAccount.id, role: .operatorAdmin, keyId: operatorKey.key.id)
        let agentAccount = try await provisioning.accounts.createAccount(
            name: "Agent Smith", kind: .agent, agentId: nil, by: operatorPrincipal
        )
        let acmeAccount = try await provisioning.accounts.createAccount(
            name: "Acme", kind: .customer, agentId: agentAccount.id, by: operatorPrincipal
        )
        let globexAccount = try await provisioning.accounts.createAccount(
            name: "Globex", kind: .customer, agentId: nil, by: operatorPrincipal
        )
        let partnerAccount = try await provisioning.accounts.createAccount(
            name: "Rival Telecom", kind: .partner, agentId: nil, ocn: "7Q2X", by: operatorPrincipal
        )
        func key(_ account: Account, _ role: Role) async throws -> (Principal, String) {
            let issued = try await provisioning.accounts.issueKey(
                accountId: account.id, role: role, name: role.rawValue, by: operatorPrincipal
            )
            return (Principal(accountId: account.id, role: role, keyId: issued.key.id), issued.secret)
        }
        let (acme, acmeKey) = try await key(acmeAccount, .customerAdmin)
        let (acmeReader, acmeReaderKey) = try await key(acmeAccount, .customerRead)
        let (globex, globexKey) = try await key(globexAccount, .customerAdmin)
        let (agent, agentKey) = try await key(agentAccount, .agent)
        let (partner, partnerKey) = try await key(partnerAccount, .partner)
        let (_, switchKey) = try await key(operatorAccount, .reportingSwitch)
        _ = try await provisioning.reference.replace(with: exchanges)
        _ = try await provisioning.numbers.add(stock, by: operatorPrincipal)
        let acmeTrunk = try await provisioning.trunks.create(
            TrunkDraft(name: "Acme PBX", hosts: [TrunkHost(address: "pbx.acme.example")], sourceAddresses: ["192.0.2.10"]),
            by: acme
        )
        let globexTrunk = try await provisioning.trunks.create(
            TrunkDraft(name: "Globex SBC", hosts: [TrunkHost(address: "sbc.globex.example", port: 5061, transport: .tls)],
                       sourceAddresses: ["198.51.100.0/28"]),
            by: globex
        )
        let carrier = try await provisioning.carriers.create(
            CarrierDraft(name: "Fixture Wholesale", gateways: [CarrierGateway(address: "198.51.100.40")]),
            by: operatorPrincipal
        )
        let deck = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-deck-\(UUID()).csv").path
        try "prefix,rate\n1,0.01\n1202,0.005\n".write(toFile: deck, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: deck) }
        _ = try await provisioning.rateDecks.importDeck(owner: .carrier(id: carrier.id), from: deck)
        let acmeBlock = try await provisioning.blockedDestinations.create(
            BlockedDestinationDraft(prefix: "+53", reason: "no traffic to Cuba"), by: acme
        )
        _ = try await provisioning.emergencyAddresses.replaceMSAG(with: msag)
        try await provisioning.networkLRNs.set(lata: "236", lrn: PhoneNumber("+12025550199")!, by: operatorPrincipal)
        let acmeAddress = try await provisioning.emergencyAddresses.create(
            AddressDraft(street: "1600 Main Street, Suite 400", floor: "4", city: "Washington", state: "DC", zip: "20001"),
            accountId: nil, by: acme
        )
        return Fixture(
            provisioning: provisioning, operatorPrincipal: operatorPrincipal, acme: acme, acmeReader: acmeReader,
            globex: globex, agent: agent, partner: partner, operatorKey: operatorKey.secret, acmeKey: acmeKey,
            acmeReaderKey: acmeReaderKey, globexKey: globexKey, agentKey: agentKey, partnerKey: partnerKey, switchKey: switchKey,
            acmeTrunk: acmeTrunk,
            globexTrunk: globexTrunk, carrier: carrier, acmeBlock: acmeBlock, acmeAddress: acmeAddress,
            porting: PortOrders(store: store, partner: SimulatedLosingCarrier(records: [losingCarrierRecord]), clock: clock)
        )
    }
}
