import Accounts
import Emergency
import Foundation
import Inventory
import NetworkData
import Platform
import Store
import Telephony
import Timekeeping

/// The demo tenant set that `tandem serve --demo` starts with: a carrier, an agent, two customers with
/// trunks and numbers, a partner carrier that ports numbers away, and a synthetic NANP reference dataset.
public enum DemoData {
    public static let operatorId = "acc_operator"
    public static let agentId = "acc_northside"
    public static let acmeId = "acc_acme"
    public static let globexId = "acc_globex"
    /// Rival Telecom, a partner carrier (OCN 7Q2X) that files port-out requests with its own key.
    public static let partnerId = "acc_rival"
    public static let acmeTrunkId = "trk_acme_main"
    public static let globexTrunkId = "trk_globex_hq"
    /// Exchanges in the demo's reference data.
    public static let exchanges = 5_000
    /// Exchanges stocked with a thousands-block of available numbers each.
    public static let stockedExchanges = 12

    /// The exchanges whose first thousands-block the demo stocks: a dozen, spread over the states.
    public static let stocked: [ExchangeRecord] = Array(
        SyntheticNANP(exchanges: exchanges)
            .filter { $0.block == nil }
            .enumerated().filter { $0.offset % (exchanges / stockedExchanges) == 0 }.map(\.element)
            .prefix(stockedExchanges)
    )

    /// The demo's carriers: name, gateway port on 127.0.0.1, and how its deck prices calls.
    static let carriers: [(name: String, port: Int, deck: String)] = [
        ("Lakeshore Transit", 5081, "npanxx"),
        ("Bluegrass Voice", 5082, "nanp"),
        ("Summit Global", 5083, "world"),
    ]

    /// Where the demo's inbound calls from the network come from: a source address of its first carrier.
    public static let carrierSource = "127.0.0.3/32"

    /// Caller names (CNAM) of the customers' numbers.
    public static let callerNames = [acmeId: "Acme Dental", globexId: "Globex Logistic"]

    /// A number outside our inventory that Acme can call out to: in the fourth stocked exchange's last block.
    public static var outboundNumber: PhoneNumber? {
        let exchanges = stocked
        guard exchanges.count > 3 else { return nil }
        return try? PhoneNumber(npa: exchanges[3].npa, nxx: exchanges[3].nxx, line: 8_123)
    }

    /// Numbers in the second stocked exchange are ported away: their LRN is in the third.
    public static var portedNumbers: [(number: PhoneNumber, lrn: PhoneNumber)] {
        let exchanges = stocked
        guard exchanges.count > 2 else { return [] }
        let lrn = try? PhoneNumber(npa: exchanges[2].npa, nxx: exchanges[2].nxx, line: 9_999)
        return (UInt16(5_000)..<5_010).compactMap { line in
            guard let number = try? PhoneNumber(npa: exchanges[1].npa, nxx: exchanges[1].nxx, line: line), let lrn else {
                return nil
            }
            return (number, lrn)
        }
    }

    /// Three carriers with rate decks, a rate plan for Acme (Globex has none), and a few ported numbers.
    private static func seedCarriers(_ provisioning: Provisioning, by seeder: Principal) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-demo-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ lines: [String]) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let world = ["prefix,rate", "1,0.0090", "44,0.0150", "447,0.0600", "33,0.0180", "49,0.0160", "52,0.0250",
                     "1876,0.1200", "1809,0.0900"]
        for (index, carrier) in carriers.enumerated() {
            // A carrier left by an interrupted earlier attempt is reused.
            let created: Carrier
            if let existing = try? await provisioning.carriers.carrier(idOrName: carrier.name, by: seeder) {
                created = existing
            } else {
                // Lakeshore also hands us calls, from 127.0.0.3: the demo's inbound calls from the network.
                created = try await provisioning.carriers.create(CarrierDraft(
                    name: carrier.name, priority: 10 * (index + 1), intraMeans: index == 1 ? .intraLATA : .intrastate,
                    gateways: [CarrierGateway(address: "127.0.0.1", port: carrier.port)],
                    sourceAddresses: index == 0 ? [carrierSource] : nil
                ), by: seeder)
            }
            let lines: [String]
            switch carrier.deck {
            case "npanxx":
                // Every whole exchange of the reference data, priced by a deterministic spread.
                lines = ["npanxx,interstate,intrastate,indeterminate,initial_increment,subsequent_increment"]
                    + SyntheticNANP(exchanges: exchanges).filter { $0.block == nil }.map { exchange in
                        let spread = Int(exchange.nxx % 20)
                        return "\(exchange.npaNXX),0.00\(40 + spread),0.00\(30 + spread),0.00\(50 + spread),6,6"
                    }
            case "nanp":
                lines = ["prefix,rate,initial_increment,subsequent_increment", "1,0.0060,6,6"]
            default:
                lines = world
            }
            _ = try await provisioning.rateDecks.importDeck(owner: .carrier(id: created.id), from: try write("\(index).csv", lines))
        }
        let plan = ["prefix,rate,initial_increment,subsequent_increment", "1,0.0100,6,6", "44,0.0500,60,60",
                    "447,0.0500,60,60", "33,0.0400,60,60", "49,0.0400,60,60", "52,0.0500,60,60", "1876,0.1500,60,60"]
        _ = try await provisioning.rateDecks.importDeck(owner: .customer(accountId: acmeId), from: try write("acme.csv", plan))
        _ = try await provisioning.portedNumbers.importLRN(
            from: try write("lrn.csv", ["tn,lrn"] + portedNumbers.map { "\($0.number.e164),\($0.lrn.e164)" })
        )
    }

    /// The numbers the demo gives Acme (ordered and pointed at its trunk), in order.
    public static var acmeNumbers: [PhoneNumber] {
        guard let exchange = stocked.first else { return [] }
        return (UInt16(100)..<105).compactMap { try? PhoneNumber(npa: exchange.npa, nxx: exchange.nxx, line: $0) }
    }

    /// The keys printed for this run: every start replaces the previous run's demo keys.
    public struct Keys: Sendable {
        public var operatorKey: IssuedKey
        public var acmeKey: IssuedKey
        public var partnerKey: IssuedKey
        /// The reference SBC's: it reports CDRs and nothing else.
        public var switchKey: IssuedKey
    }

    /// Fills an empty database with the demo data; a database that already has it is left alone.
    /// Returns whether anything was added.
    @discardableResult
    public static func seed(_ provisioning: Provisioning) async throws -> Bool {
        _ = try await provisioning.accounts.bootstrapOperator(id: operatorId, name: "Tandem Demo Carrier")
        // Before the marker: a database seeded before partners existed gets it too (an existing one is left alone).
        let now = provisioning.clock.now()
        try await provisioning.accounts.insertAccount(Account(
            id: partnerId, kind: .partner, name: "Rival Telecom", agentId: nil, status: .active, ocn: "7Q2X", createdAt: now, updatedAt: now
        ))
        // The marker is written last; every step before it tolerates a previous, interrupted attempt.
        let runs = ImportRuns(store: provisioning.store, clock: provisioning.clock)
        if try await runs.hasCompleted(kind: "demo") { return false }

        if try await provisioning.reference.count() == 0 {
            _ = try await provisioning.reference.replace(with: SyntheticNANP(exchanges: exchanges))
        }
        for (id, kind, name, agent) in [
            (agentId, AccountKind.agent, "Northside Telecom Partners", nil),
            (acmeId, .customer, "Acme Dental Group", agentId),
            (globexId, .customer, "Globex Logistics", nil),
        ] {
            try await provisioning.accounts.insertAccount(Account(
                id: id, kind: kind, name: name, agentId: agent, status: .active, createdAt: now, updatedAt: now
            ))
        }
        try await provisioning.trunks.insert(Trunk(
            id: acmeTrunkId, accountId: acmeId, name: "Main office PBX",
            hosts: [TrunkHost(address: "127.0.0.1", port: 5070), TrunkHost(address: "127.0.0.1", port: 5072, priority: 20)],
            // A high limit: sipp load runs from this machine come in on this trunk.
            sourceAddresses: ["127.0.0.1/32"], maxChannels: 23, maxCallsPerSecond: 1_000,
            callerId: CallerIDPolicy(), identity: IdentityPolicy(verifiedName: "Acme Dental Group"), createdAt: now, updatedAt: now
        ))
        try await provisioning.trunks.insert(Trunk(
            id: globexTrunkId, accountId: globexId, name: "HQ SBC",
            hosts: [
                TrunkHost(address: "sbc1.globex.example", port: 5061, transport: .tls, weight: 70),
                TrunkHost(address: "sbc2.globex.example", port: 5061, transport: .tls, weight: 30),
            ],
            sourceAddresses: ["198.51.100.0/28", "2001:db8:42::/48"], maxChannels: 120, maxCallsPerSecond: 20,
            callerId: CallerIDPolicy(mode: .ownNumbers, allowed: ["+1312555"], onViolation: .flag),
            createdAt: now, updatedAt: now
        ))

        var numbers: [PhoneNumber] = []
        for exchange in stocked {
            for line in UInt16(0)..<1_000 {
                numbers.append(try PhoneNumber(npa: exchange.npa, nxx: exchange.nxx, line: line))
            }
        }
        _ = try await provisioning.numbers.add(numbers, actor: "demo")

        // Give each customer a few numbers, ordered and pointed at its trunk the way a customer would.
        let seeder = Principal(accountId: operatorId, role: .operatorAdmin, keyId: "demo-seed")
        for (account, trunk, slice) in [(acmeId, acmeTrunkId, numbers[100..<105]), (globexId, globexTrunkId, numbers[2_200..<2_203])] {
            let names = slice.map(\.e164)
            _ = try await provisioning.numbers.order(names, accountId: account, by: seeder)
            _ = try await provisioning.numbers.assign(names, trunkId: trunk, by: seeder)
            if let name = callerNames[account] {
                for number in slice {
                    _ = try await provisioning.numbers.setCallerName(of: number, to: try CallerName(normalizing: name), by: seeder)
                }
            }
        }
        try await seedCarriers(provisioning, by: seeder)
        try await seedEmergency(provisioning, acmeNumber: numbers[100], by: seeder)
        // Our switch in each LATA the demo stocks numbers in: the last number of the LATA's first stocked block,
        // so that numbers there can be ported in.
        var lrns: [String: PhoneNumber] = [:]
        for exchange in stocked where lrns[exchange.lata] == nil {
            lrns[exchange.lata] = try PhoneNumber(npa: exchange.npa, nxx: exchange.nxx, line: 999)
        }
        for (lata, lrn) in lrns { try await provisioning.networkLRNs.set(lata: lata, lrn: lrn, by: seeder) }
        try await runs.record(kind: "demo", source: "tandem serve --demo", rows: numbers.count)
        return true
    }

    /// A synthetic MSAG (a few streets of Huntsville AL and Washington DC, not real ESNs), Acme's office address,
    /// and Acme's first number bound to it; Acme's other numbers are left without one, for the report.
    private static func seedEmergency(_ provisioning: Provisioning, acmeNumber: PhoneNumber, by seeder: Principal) async throws {
        let e911 = provisioning.emergencyAddresses
        _ = try await e911.replaceMSAG(with: [
            MSAGRange(state: "AL", community: "HUNTSVILLE", streetName: "MAIN", streetType: "ST", low: 1, high: 2_999,
                      esn: "00501", psap: "HUNTSVILLE-ECC"),
            MSAGRange(state: "AL", community: "HUNTSVILLE", streetName: "CLINTON", streetType: "AVE", postDirectional: "W",
                      low: 100, high: 998, parity: .even, esn: "00502", psap: "HUNTSVILLE-ECC"),
            MSAGRange(state: "AL", community: "HUNTSVILLE", streetName: "CLINTON", streetType: "AVE", postDirectional: "W",
                      low: 101, high: 999, parity: .odd, esn: "00503", psap: "HUNTSVILLE-ECC"),
            MSAGRange(state: "AL", community: "HUNTSVILLE", streetName: "MEMORIAL", streetType: "PKWY", postDirectional: "NW",
                      low: 1, high: 9_999, esn: "00504", psap: "HUNTSVILLE-ECC"),
            MSAGRange(state: "DC", community: "WASHINGTON", preDirectional: "N", streetName: "CAPITOL", streetType: "ST",
                      low: 1, high: 2_000, esn: "00101", psap: "DC-OUC"),
            MSAGRange(state: "DC", community: "WASHINGTON", streetName: "PENNSYLVANIA", streetType: "AVE", postDirectional: "NW",
                      low: 1, high: 3_000, esn: "00102", psap: "DC-OUC"),
        ])
        let office = try await e911.create(
            AddressDraft(street: "200 Clinton Avenue West, Suite 300", floor: "3", city: "Huntsville", state: "AL", zip: "35801"),
            accountId: acmeId, by: seeder
        )
        _ = try await provisioning.emergencyBindings.bind(acmeNumber, to: office.id, by: seeder)
    }

    /// Revokes the previous run's demo keys and issues new ones for the operator, Acme, the partner carrier and the SBC.
    public static func issueKeys(_ provisioning: Provisioning) async throws -> Keys {
        try await provisioning.accounts.revokeSystemKeys(namedWith: "demo ")
        return Keys(
            operatorKey: try await provisioning.accounts.issueKeyAsSystem(
                accountId: operatorId, role: .operatorAdmin, name: "demo operator"
            ),
            acmeKey: try await provisioning.accounts.issueKeyAsSystem(
                accountId: acmeId, role: .customerAdmin, name: "demo acme admin"
            ),
            partnerKey: try await provisioning.accounts.issueKeyAsSystem(
                accountId: partnerId, role: .partner, name: "demo rival partner"
            ),
            switchKey: try await provisioning.accounts.issueKeyAsSystem(
                accountId: operatorId, role: .reportingSwitch, name: "demo sbc switch"
            )
        )
    }
}
