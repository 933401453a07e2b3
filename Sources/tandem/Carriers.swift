import ArgumentParser
import Foundation
import Inventory
import Logging
import NetworkData
import Platform
import Schema
import Store
import Telephony
import Timekeeping

struct Carriers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage upstream carriers directly in the database (without the API).",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a carrier.",
            discussion: """
                Load its rates afterwards with `tandem import ratedeck CARRIER FILE`. Change or delete carriers \
                with the API (`PATCH` and `DELETE /v1/carriers/{id}`).
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The carrier's name, unique among carriers.")
        var name: String

        @Option(help: ArgumentHelp(
            "A SIP gateway as HOST[:PORT][/udp|tcp|tls] (port 5060 and UDP by default); repeat for more, best first.",
            valueName: "host:port/transport"
        ))
        var gateway: [GatewayArgument] = []

        @Option(help: ArgumentHelp(
            "An address or CIDR block the carrier's inbound calls come from; repeat for more.", valueName: "cidr"
        ))
        var source: [String] = []

        @Option(help: "0-1000; among carriers of equal cost, the lower is preferred.")
        var priority = CarrierDirectory.defaultPriority

        @Option(help: "What the carrier's intrastate rate applies to: intrastate or intra-lata.")
        var intraMeans: IntraMeaning = .intrastate

        func validate() throws {
            guard !gateway.isEmpty else { throw ValidationError("give at least one --gateway") }
        }

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            let draft = CarrierDraft(
                name: name, priority: priority, intraMeans: intraMeans, gateways: gateway.map(\.gateway),
                sourceAddresses: source
            )
            do {
                let carrier = try await Store.withStore(location, logger: Logger(label: "tandem.carriers")) { store in
                    try await store.migrate(TandemSchema.migrations, clock: .system)
                    let provisioning = Provisioning(store: store, clock: .system)
                    return try await provisioning.carriers.create(
                        draft, by: try await OperatorCLI.principal(provisioning)
                    )
                }
                print("Added \(carrier.id) (\(carrier.name)).")
            } catch let error as ServiceError {
                throw ValidationError(error.description)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the carriers and their rate decks.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            let lines = try await Store.withStore(location, logger: Logger(label: "tandem.carriers")) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                let provisioning = Provisioning(store: store, clock: .system)
                let principal = try await OperatorCLI.principal(provisioning)
                var lines: [String] = []
                var cursor: String?
                repeat {
                    let page = try await provisioning.carriers.carriers(
                        page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: principal
                    )
                    for carrier in page.data {
                        let deck = try await provisioning.rateDecks.deck(owner: .carrier(id: carrier.id))
                        lines.append(Self.line(carrier, deck: deck))
                    }
                    cursor = page.nextCursor
                } while cursor != nil
                return lines
            }
            if lines.isEmpty {
                print("No carriers. Add one with `tandem carriers add`.")
            } else {
                print(lines.joined(separator: "\n"))
            }
        }

        static func line(_ carrier: Carrier, deck: RateDeckInfo?) -> String {
            let gateways = carrier.gateways.map { gateway in
                let host = gateway.address.contains(":") ? "[\(gateway.address)]" : gateway.address
                return "\(host):\(gateway.port)/\(gateway.transport.rawValue)"
            }
            let rates = deck.map { "\($0.rows.formatted()) \($0.layout.rawValue) rates from \($0.source)" }
                ?? "no rate deck"
            var text = "\(carrier.id)  \(carrier.name)  \(carrier.status.rawValue), priority \(carrier.priority), "
                + "intra means \(carrier.intraMeans.rawValue)\n    gateways: \(gateways.joined(separator: ", "))"
            if !carrier.sourceAddresses.isEmpty {
                text += "\n    sources:  \(carrier.sourceAddresses.joined(separator: ", "))"
            }
            return text + "\n    deck:     \(rates)"
        }
    }
}

/// A `--gateway HOST[:PORT][/TRANSPORT]` argument; IPv6 addresses go in brackets (`[2001:db8::1]:5060/tcp`).
struct GatewayArgument: ExpressibleByArgument {
    var gateway: CarrierGateway

    init?(argument: String) {
        var text = Substring(argument)
        var transport = SIPTransport.udp
        if let slash = text.lastIndex(of: "/") {
            guard let parsed = SIPTransport(rawValue: text[text.index(after: slash)...].lowercased()) else {
                return nil
            }
            transport = parsed
            text = text[..<slash]
        }
        if let endpoint = Endpoint(argument: String(text)) {
            gateway = CarrierGateway(address: endpoint.host, port: endpoint.port, transport: transport)
        } else if !text.isEmpty, !text.contains(":") || (text.hasPrefix("[") && text.hasSuffix("]")) {
            let host = text.hasPrefix("[") ? text.dropFirst().dropLast() : text
            gateway = CarrierGateway(address: String(host), transport: transport)
        } else {
            return nil
        }
    }
}

extension IntraMeaning: ExpressibleByArgument {}

/// The operator, as the command line acts: on the server, with the database's own authority.
enum OperatorCLI {
    static func principal(_ provisioning: Provisioning) async throws -> Principal {
        let operatorAccount = try await provisioning.accounts.bootstrapOperator(name: "Operator")
        return Principal(accountId: operatorAccount.id, role: .operatorAdmin, keyId: "cli")
    }
}
