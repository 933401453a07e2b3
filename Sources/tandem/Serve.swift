import API
import ArgumentParser
import Foundation
import Hummingbird
import Inventory
import Logging
import Store

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Tandem servers: the REST API (and, once it lands, the SIP routing engine)."
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Fill the database with demo data on first start and print demo API keys.")
    var demo = false

    @Option(help: "Where the HTTP API listens.")
    var http = Endpoint(host: "127.0.0.1", port: 8080)

    @Option(help: "Where the SIP routing engine will listen (reserved; the engine is not in this build).")
    var sip = Endpoint(host: "127.0.0.1", port: 5060)

    @Option(help: "Minutes a reservation holds a number.")
    var reservationMinutes = 15

    @Option(help: "Days a released number ages before it is available again.")
    var agingDays = 90

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...10_080).contains(reservationMinutes) else {
            throw ValidationError("--reservation-minutes must be 1 to 10080")
        }
        guard (0...3_650).contains(agingDays) else { throw ValidationError("--aging-days must be 0 to 3650") }
    }

    func run() async throws {
        var logger = Logger(label: "tandem")
        logger.logLevel = logLevel
        let location = try DatabaseLocation(parsing: database.database)
        let store = try await Store.open(location, logger: logger)
        let provisioning = Provisioning(
            store: store,
            numbers: .init(reservationTime: .seconds(reservationMinutes * 60), agingDays: agingDays)
        )
        var app = buildApplication(
            provisioning: provisioning,
            configuration: .init(host: http.host, port: http.port),
            services: [store, LifecycleSweeper(numbers: provisioning.numbers, logger: logger)],
            logger: logger,
            onServerRunning: { [http, sip, demo] _ in
                Self.printReady(http: http, sip: sip, demo: demo, location: location)
            }
        )
        app.beforeServerStarts { [demo] in
            try await store.migrate(TandemSchema.migrations)
            if demo {
                if try await DemoData.seed(provisioning) {
                    say("Seeded demo data: 2 customers, an agent, trunks and \(DemoData.stockedExchanges * 1_000) numbers.")
                }
                Self.printKeys(try await DemoData.issueKeys(provisioning))
            } else {
                let operatorAccount = try await provisioning.accounts.bootstrapOperator(name: "Operator")
                if try await !Self.hasOperatorKey(store) {
                    let issued = try await provisioning.accounts.issueKeyAsSystem(
                        accountId: operatorAccount.id, role: .operatorAdmin, name: "bootstrap operator"
                    )
                    say("""
                        Created the first operator API key. It is shown only this once; store it now:
                          export TANDEM_KEY=\(issued.secret)
                        (Lost it? `tandem keys create --role operator-admin` issues another.)
                        """)
                }
            }
        }
        try await app.runService()
    }

    private static func hasOperatorKey(_ store: Store) async throws -> Bool {
        try await store.read { database in
            try await database.raw("SELECT id FROM api_keys WHERE role = 'operator-admin' AND revoked_at IS NULL").first() != nil
        }
    }

    private static func printKeys(_ keys: DemoData.Keys) {
        say("""
            Demo API keys for this run (earlier runs' demo keys are revoked):
              export TANDEM_KEY=\(keys.operatorKey.secret)        # operator-admin
              export ACME_KEY=\(keys.acmeKey.secret)          # customer-admin of Acme Dental Group (\(DemoData.acmeId))
            """)
    }

    private static func printReady(http: Endpoint, sip: Endpoint, demo: Bool, location: DatabaseLocation) {
        var lines = [
            "Tandem is up.",
            "  database:  \(location)",
            "  HTTP API:  http://\(http)/v1   (OpenAPI: http://\(http)/openapi.json, health: http://\(http)/health)",
            "  SIP:       \(sip) is reserved for the routing engine, which is not part of this build yet",
        ]
        if demo, let exchange = DemoData.stocked.first {
            lines += [
                "Try it:",
                "  curl -s -H \"Authorization: Bearer $TANDEM_KEY\" 'http://\(http)/v1/numbers/available?npanxx=\(exchange.npaNXX)&limit=3'",
                "  The demo customer Acme (\(DemoData.acmeId)) has trunk \(DemoData.acmeTrunkId), which accepts calls from 127.0.0.1.",
            ]
        }
        say(lines.joined(separator: "\n"))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
