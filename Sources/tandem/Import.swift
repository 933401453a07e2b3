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

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load reference data, rate decks, ported numbers, the MSAG and CDRs from files.",
        subcommands: [NPANXX.self, RateDeck.self, LRN.self, MSAG.self, CDRFiles.self]
    )

    struct NPANXX: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "npanxx",
            abstract: "Replace the NPA-NXX and thousands-block reference data with a CSV file (see docs/reference-data.md).",
            discussion: """
                The file's header names its columns: npa, nxx, state, lata, rate_center, ocn, company, and optionally \
                block and company_type. The import is all or nothing: a bad row (reported with its line) or an \
                interruption leaves the previous data untouched.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The CSV file.")
        var file: String

        func run() async throws {
            let summary = try await importing("npanxx", file: file, into: database) { store, progress in
                try await ReferenceData(store: store, clock: .system).importExchanges(from: file, progress: progress)
            }
            print("Imported \(summary.rows.formatted()) rows from \(file): \(summary.exchanges.formatted()) exchanges, "
                + "\(summary.blocks.formatted()) thousands-blocks.")
        }
    }
}

extension Import {
    struct RateDeck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ratedeck",
            abstract: "Replace a carrier's or a customer's rate deck with a CSV file (see docs/rate-decks.md).",
            usage: "tandem import ratedeck [--database <database>] (<carrier> | --customer <account>) <file>",
            discussion: """
                A carrier's deck holds its buy rates; a customer's (--customer) the rates the customer pays. The \
                header names the layout: prefix,rate or npanxx,interstate,intrastate,indeterminate, each with \
                optional initial_increment, subsequent_increment, effective_date and expiry_date columns. The \
                import is all or nothing: a bad row (reported with its line) or an interruption leaves the \
                previous deck untouched.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Load the sell rates of this customer account instead of a carrier's deck.")
        var customer: String?

        @Argument(help: "The carrier (its id or name), then the CSV file; only the file with --customer.")
        var arguments: [String] = []

        func validate() throws {
            let expected = customer == nil ? 2 : 1
            guard arguments.count == expected else {
                throw ValidationError(
                    customer == nil ? "give the carrier and the file" : "give only the file with --customer"
                )
            }
        }

        func run() async throws {
            let file = arguments[arguments.count - 1]
            let (summary, owner) = try await importing("ratedeck", file: file, into: database) { store, progress in
                let provisioning = Provisioning(store: store, clock: .system)
                let owner: (RateDeckOwner, String)
                if let customer {
                    owner = (.customer(accountId: customer), "customer \(customer)")
                } else {
                    let principal = try await OperatorCLI.principal(provisioning)
                    let carrier = try await provisioning.carriers.carrier(idOrName: arguments[0], by: principal)
                    owner = (.carrier(id: carrier.id), "carrier \(carrier.name) (\(carrier.id))")
                }
                let summary = try await provisioning.rateDecks.importDeck(owner: owner.0, from: file, progress: progress)
                return (summary, owner.1)
            }
            print("Imported \(summary.rows.formatted()) \(summary.layout.rawValue) rates from \(file) for \(owner) "
                + "as \(summary.deckId).")
        }
    }

    struct LRN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lrn",
            abstract: "Replace the ported numbers and their LRNs with a tn,lrn CSV file (see docs/rate-decks.md).",
            discussion: """
                Both columns hold 10-digit NANP numbers in any common spelling. The import streams in bounded \
                memory and is all or nothing: a bad or duplicate row (reported with its line) or an interruption \
                leaves the previous table untouched.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The CSV file.")
        var file: String

        func run() async throws {
            let rows = try await importing("lrn", file: file, into: database) { store, progress in
                try await PortedNumbers(store: store, clock: .system).importLRN(from: file, progress: progress)
            }
            print("Imported \(rows.formatted()) ported numbers from \(file).")
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a deterministic synthetic NANP reference dataset as an npanxx CSV file.",
        discussion: """
            Every state and DC, with real area codes and real-looking rate centers, LATAs and carriers. The same \
            options always give the same file; `tandem import npanxx` loads it.
            """
    )

    @Option(help: "How many NPA-NXX exchanges to generate.")
    var exchanges = 5_000

    @Option(help: "The share of exchanges split into ten thousands-blocks (0 to 1).")
    var pooledFraction = 0.4

    @Option(help: "The seed of the generator.")
    var seed: UInt64 = 2026

    @Option(name: .shortAndLong, help: "The file to write; '-' writes to standard output.")
    var output = "-"

    func validate() throws {
        guard exchanges > 0 else { throw ValidationError("--exchanges must be positive") }
        guard (0...1).contains(pooledFraction) else { throw ValidationError("--pooled-fraction must be 0 to 1") }
    }

    func run() async throws {
        let dataset = SyntheticNANP(exchanges: exchanges, pooledFraction: pooledFraction, seed: seed)
        let handle: FileHandle
        if output == "-" {
            handle = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("cannot write \(output)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        }
        var chunk = "npa,nxx,block,state,lata,rate_center,ocn,company,company_type\n"
        var rows = 0
        for record in dataset {
            chunk += NPANXXFile.line(record)
            rows += 1
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        if output != "-" {
            try handle.close()
            FileHandle.standardError.write(Data("Wrote \(rows.formatted()) rows to \(output).\n".utf8))
        }
    }
}

extension Import {
    struct MSAG: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "msag",
            abstract: "Replace the MSAG (the street ranges E911 addresses are validated against) with a CSV file (see docs/e911.md).",
            discussion: """
                The header names the columns: state, community, pre_directional, street_name, street_type, \
                post_directional, low, high, parity (O, E or B), esn and psap. Streets are normalized as addresses \
                are (USPS Publication 28). The import is all or nothing: a bad row (reported with its line) or an \
                interruption leaves the previous MSAG untouched.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The CSV file.")
        var file: String

        func run() async throws {
            let rows = try await importing("msag", file: file, into: database) { store, progress in
                try await Provisioning(store: store, clock: .system).emergencyAddresses.importMSAG(from: file, progress: progress)
            }
            print("Imported \(rows.formatted()) MSAG ranges from \(file).")
        }
    }
}

/// Runs one import into the database with a progress display on standard error. Bad data is reported with its
/// lines and exits 65; an unknown carrier or account exits 66.
///
/// Test hook: with `TANDEM_TEST_PAUSE_IMPORT_AFTER_ROWS=N` in the environment, the import stops for good once it
/// has written N rows, before it commits, and says so on standard error (see ``ImportPauseHook``).
private func importing<Result: Sendable>(
    _ label: String, file: String, into database: DatabaseOptions,
    _ body: @escaping (Store, @escaping (ImportProgress) -> Void) async throws -> Result
) async throws -> Result {
    let location = try DatabaseLocation(parsing: database.database)
    let display = ProgressDisplay(label: label)
    let pause = ImportPauseHook(environment: ProcessInfo.processInfo.environment)
    do {
        return try await ImportPauseHook.$current.withValue(pause) {
            try await Store.withStore(location, logger: Logger(label: "tandem.import")) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                return try await body(store, display.report)
            }
        }
    } catch let error as ImportError {
        FileHandle.standardError.write(Data("\nerror: \(file): \(error)\n".utf8))
        throw ExitCode(65)
    } catch let error as ServiceError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(error.code == .notFound ? 66 : 65)
    }
}

/// The npanxx CSV layout, as written by `tandem demo` and read by `tandem import npanxx`.
enum NPANXXFile {
    static func line(_ record: ExchangeRecord) -> String {
        let fields = [
            NANPCode.text(record.npa), NANPCode.text(record.nxx), record.block.map(String.init) ?? "",
            record.state, record.lata, record.rateCenter, record.ocn, record.company, record.companyType.rawValue,
        ]
        return fields.map(quoted).joined(separator: ",") + "\n"
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
