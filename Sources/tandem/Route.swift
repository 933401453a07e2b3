import API
import ArgumentParser
import Foundation
import Inventory
import Logging
import Routing
import RoutingFeed
import Schema
import Store
import Timekeeping

struct Route: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect routing decisions.",
        subcommands: [Explain.self]
    )

    /// Explains a call the way the engine would route it now, from the data in the database.
    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show why a call from a trunk to a number goes where it goes: every step, every dropped candidate."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The trunk the call comes from.")
        var trunk: String

        @Option(help: "The calling number (omit for an anonymous call).")
        var from: String?

        @Option(help: "The dialed number or string.")
        var to: String

        @Option(help: "The emergency route to explain 911 calls with, as `serve` would be given it.")
        var emergencyRoute: Endpoint?

        @Flag(help: "Print the explanation as JSON, as GET /v1/routes/explain returns it.")
        var json = false

        func run() async throws {
            var logger = Logger(label: "tandem.route")
            logger.logLevel = .warning
            let location = try DatabaseLocation(parsing: database.database)
            let emergency = emergencyRoute.map { EmergencyRoute(host: $0.host, port: $0.port) }
            let clock = WallClock.system
            let explanation = try await Store.withStore(location, logger: logger) { store in
                try await store.migrate(TandemSchema.migrations, clock: clock)
                let snapshot = try await RoutingCompiler(store: store, emergency: emergency, clock: clock).compile(version: 1)
                guard let source = snapshot.sourceAddress(ofTrunk: trunk) else {
                    throw ValidationError("no trunk '\(trunk)'")
                }
                return RouteExplanation(CallRequest(source: source, dialed: to, caller: from, callID: "explain", time: clock.unixSeconds()), in: snapshot)
            }
            if json {
                say(String(decoding: try API.encoder.encode(explanation), as: UTF8.self))
                return
            }
            say("call from trunk \(trunk)\(from.map { " as \($0)" } ?? "") to \(to)")
            for (index, step) in explanation.steps.enumerated() {
                say("  \(index + 1). \(step)")
            }
            if explanation.outcome == "redirect" {
                say("→ 302 Moved Temporarily")
                for contact in explanation.contacts {
                    say("    Contact: <\(contact.uri)>   (\(contact.label))")
                }
            } else {
                say("→ \(explanation.status) \(explanation.reason ?? "")"
                    + (explanation.retryAfter.map { " (Retry-After: \($0))" } ?? ""))
            }
        }
    }
}
