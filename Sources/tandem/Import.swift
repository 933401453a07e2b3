import ArgumentParser
import Foundation
import Inventory
import Logging
import Store
import Telephony

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load reference data from files.",
        subcommands: [NPANXX.self]
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
            let logger = Logger(label: "tandem.import")
            let location = try DatabaseLocation(parsing: database.database)
            let display = ProgressDisplay(label: "npanxx")
            do {
                let summary = try await Store.withStore(location, logger: logger) { store in
                    try await store.migrate(TandemSchema.migrations)
                    return try await ReferenceData(store: store).importExchanges(from: file, progress: display.report)
                }
                print("Imported \(summary.rows.formatted()) rows from \(file): \(summary.exchanges.formatted()) exchanges, "
                    + "\(summary.blocks.formatted()) thousands-blocks.")
            } catch let error as ImportError {
                FileHandle.standardError.write(Data("\nerror: \(file): \(error)\n".utf8))
                throw ExitCode(65)
            }
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
