import ArgumentParser
import CallRecords
import Foundation
import Inventory
import Logging
import Platform
import Rating
import Schema
import Store
import Webhooks

/// `tandem cdrs`: the SBC's call records.
struct CDRs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdrs", abstract: "The SBC's call records.", subcommands: [Rate.self]
    )

    struct Rate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rate the reference SBC's CDR files (cdrs_*.log, docs/sbc.md) from their decision tokens.",
            discussion: """
                Prints each call's price and cost at the rates Tandem routed it at, with the carrier that answered, one \
                call a line, then a summary; malformed lines are named with their file and line (the exit status is then \
                1). Nothing is stored: CDR storage and the API come next (docs/rating.md).
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The --secrets-key-file `tandem serve` runs with, if it runs with one: the tokens' key derives from it.")
        var secretsKeyFile: String?

        @Argument(help: "The CDR files.")
        var files: [String]

        func validate() throws {
            for file in files where !FileManager.default.isReadableFile(atPath: file) {
                throw ValidationError("cannot read \(file)")
            }
        }

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            let (tokens, gateways) = try await Store.withStore(location, logger: Logger(label: "tandem.cdrs")) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                let tokens: DecisionToken
                if let secretsKeyFile {
                    tokens = DecisionToken(secretsKey: try WebhookSecretSealer.key(fromFile: secretsKeyFile))
                } else if let kept = try await ServerKeys.existingKey(named: Serve.decisionKeyName, in: store) {
                    tokens = DecisionToken(storedKey: kept)
                } else {
                    throw ValidationError("""
                        \(database.database) keeps no decision key: name the database `tandem serve` runs on, or pass its \
                        --secrets-key-file
                        """)
                }
                return (tokens, try await Self.gateways(Provisioning(store: store, clock: .system)))
            }
            let rater = CDRRater(tokens: tokens, gateways: gateways)
            var summary = Summary()
            var seen: Set<String> = []
            print(["call-id", "seconds", "kind", "account", "price", "cost", "margin", "carrier"].joined(separator: "\t"))
            for file in files {
                try CDRFileLines(path: file).forEach { number, line in
                    do throws(CDRLineError) {
                        let cdr = try KamailioCDR(line: line)
                        guard seen.insert(cdr.callID).inserted else {
                            summary.repeated += 1
                            return
                        }
                        let rated = rater.rate(cdr)
                        summary.count(rated)
                        print(Self.line(cdr, rated))
                    } catch {
                        summary.malformed += 1
                        FileHandle.standardError.write(Data("\(file):\(number): \(error)\n".utf8))
                    }
                }
            }
            print(summary.description)
            // Malformed lines, and tokens this server did not seal (the wrong database or key?), need a look.
            if summary.malformed > 0 || summary.badDecisions > 0 { throw ExitCode(1) }
        }

        /// The carriers that have each gateway, by ``CDRRater/key(host:port:)``.
        static func gateways(_ provisioning: Provisioning) async throws -> [String: [String]] {
            let principal = try await OperatorCLI.principal(provisioning)
            var gateways: [String: [String]] = [:]
            var cursor: String?
            repeat {
                let page = try await provisioning.carriers.carriers(
                    page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: principal
                )
                for carrier in page.data {
                    for gateway in carrier.gateways {
                        gateways[CDRRater.key(host: gateway.address, port: gateway.port), default: []].append(carrier.id)
                    }
                }
                cursor = page.nextCursor
            } while cursor != nil
            return gateways
        }

        static func line(_ cdr: KamailioCDR, _ rated: RatedCDR) -> String {
            func side(_ rating: SideRating?) -> String {
                switch rating {
                case .charged(let charge): charge.total.description
                case .free(let reason): "free (\(reason.rawValue))"
                case .unrated(let reason): "unrated (\(reason.rawValue))"
                case nil: "unrated (\(rated.problem?.rawValue ?? "-"))"
                }
            }
            return [
                cdr.callID, String(cdr.billableSeconds), rated.decision?.kind.rawValue ?? "-", rated.decision?.accountId ?? "-",
                side(rated.rating?.price), side(rated.rating?.cost), rated.rating?.margin?.description ?? "-", rated.carrierId ?? "-",
            ].joined(separator: "\t")
        }
    }

    /// What a run came to.
    struct Summary: CustomStringConvertible {
        var rated = 0
        var unrated = 0
        var malformed = 0
        /// Lines of a Call-ID already rated in this run (a file given twice, or a copy of one), left out.
        var repeated = 0
        var badDecisions = 0

        mutating func count(_ rated: RatedCDR) {
            if rated.problem == .badDecision { badDecisions += 1 }
            if let rating = rated.rating, rating.price.amount != nil, rating.cost.amount != nil {
                self.rated += 1
            } else {
                unrated += 1
            }
        }

        var description: String {
            "\(rated + unrated) CDRs: \(rated) rated on both sides, \(unrated) not (see each line), \(malformed) malformed lines"
                + (repeated > 0 ? ", \(repeated) repeated Call-IDs left out" : "")
        }
    }
}
