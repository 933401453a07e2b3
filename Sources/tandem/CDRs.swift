import ArgumentParser
import CallRecords
import Foundation
import Inventory
import Logging
import Platform
import Rating
import Schema
import Store
import Timekeeping
import Webhooks

extension Import {
    /// `tandem import cdrs`: switches' CDR files, rated and stored.
    struct CDRFiles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cdrs",
            abstract: "Rate and store switches' CDR files (docs/cdrs.md).",
            discussion: """
                Formats: kamailio (the reference SBC's cdrs_*.log, docs/sbc.md), tandem (one JSON CDR a line, as \
                POST /v1/cdrs takes them), freeswitch-json (mod_json_cdr's files, a leg each: each FILE is one document \
                of at most 1 MiB), freeswitch-csv (mod_cdr_csv's Master.csv, its default or example template, with or \
                without Tandem's three columns) and asterisk (cdr_csv's Master.csv, with or without uniqueid and \
                userfield). The CSV formats' times are the switch's local time: name its zone with --time-zone. Each \
                call is rated from the decision token Tandem's 302 gave it, and stored \
                once: a record already stored (the same format, key and start) is counted as repeated and left alone, \
                so a run that was interrupted is finished by running it again. Records are committed a batch at a \
                time. Malformed lines are named with their file, line and reason, and skipped (the exit status is \
                then 65). With --dry-run each call's rating is printed instead, and nothing is stored.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The files' format: kamailio, tandem, freeswitch-json, freeswitch-csv or asterisk.")
        var format: CallDetailRecord.Format = .kamailio

        @Option(help: "The switch's time zone (an IANA name), for the local times of freeswitch-csv and asterisk files.")
        var timeZone = "UTC"

        @Option(help: "The --secrets-key-file `tandem serve` runs with, if it runs with one: the tokens' key derives from it.")
        var secretsKeyFile: String?

        @Flag(help: "Print each call's rating, one a line, and store nothing.")
        var dryRun = false

        @Argument(help: "The CDR files.")
        var files: [String]

        /// Records per transaction.
        static let batchSize = 5_000

        func validate() throws {
            guard TimeZone(identifier: timeZone) != nil else { throw ValidationError("\(timeZone) is no IANA time zone") }
            for file in files where !FileManager.default.isReadableFile(atPath: file) {
                throw ValidationError("cannot read \(file)")
            }
        }

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            let pause = ImportPauseHook(environment: ProcessInfo.processInfo.environment)
            let summary = try await ImportPauseHook.$current.withValue(pause) { try await Store.withStore(location, logger: Logger(label: "tandem.cdrs")) { store in
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
                let gateways = try await Self.gateways(Provisioning(store: store, clock: .system))
                let rater = CDRRater(tokens: tokens, gateways: gateways)
                let records = CallDetailRecords(store: store, tokens: tokens, gateways: { gateways }, clock: .system)
                let zone = TimeZone(identifier: timeZone)!
                return try await dryRun
                    ? Self.print(files, format: format, timeZone: zone, rater: rater)
                    : Self.store(files, format: format, timeZone: zone, into: records, rater: rater)
            } }
            FileHandle.standardError.write(Data("\(summary)\n".utf8))
            if summary.malformed > 0 { throw ExitCode(65) }
            // Tokens this server did not seal (some switch's, or an old key's): stored unrated, and worth a look.
            if summary.outcome.badDecisions > 0 { throw ExitCode(1) }
        }

        /// Reads the files a batch of records at a time, naming each malformed line (or document) on standard error.
        static func read(
            _ files: [String], format: CallDetailRecord.Format, timeZone: TimeZone, summary: inout Summary,
            progress: ProgressDisplay?, _ batch: ([CallDetailRecord]) async throws -> Void
        ) async throws {
            let now = WallClock.system.unixMilliseconds()
            let started = ContinuousClock.now
            let total = files.compactMap { CDRFileLines(path: $0).size }.reduce(0, +)
            var done: Int64 = 0
            var records: [CallDetailRecord] = []
            func report(_ offset: Int64, finished: Bool = false) {
                progress?.report(ImportProgress(
                    rows: summary.read, bytesRead: done + offset, totalBytes: total, elapsed: ContinuousClock.now - started, finished: finished
                ))
            }
            /// Adds the record `parse` reads, or names `place` (a file, or its line) with why it was not read.
            func add(_ place: String, offset: Int64, _ parse: () throws(CDRLineError) -> CallDetailRecord) async throws {
                do throws(CDRLineError) {
                    let record = try parse()
                    try CallDetailRecords.checkStart(of: record, now: now)
                    records.append(record)
                    summary.read += 1
                } catch {
                    summary.malformed += 1
                    FileHandle.standardError.write(Data("\(place): \(error)\n".utf8))
                }
                if records.count >= batchSize {
                    try await batch(records)
                    records.removeAll(keepingCapacity: true)
                    report(offset)
                }
            }
            for file in files {
                let lines = CDRFileLines(path: file)
                if format == .freeswitchJSON {
                    done += lines.size ?? 0
                    try await add(file, offset: 0) { () throws(CDRLineError) in
                        try FreeSWITCHJSONCDR(document: Self.document(at: file)).record.validated()
                    }
                    continue
                }
                // Switches append their CDR logs (the SBC's, Master.csv) as calls end: a last line without its end is
                // left for the next run. A JSON-lines file is finished.
                let leftOut = try await lines.forEach(unterminatedLastLine: format == .tandem ? .read : .leave) { number, line, offset in
                    try await add("\(file):\(number)", offset: offset) { () throws(CDRLineError) in
                        try format.record(fromLine: line, timeZone: timeZone)
                    }
                }
                if leftOut {
                    summary.unterminated += 1
                    FileHandle.standardError.write(Data("\(file): the last line has no line end, and was left out (still being written?)\n".utf8))
                }
                done += lines.size ?? 0
            }
            if !records.isEmpty { try await batch(records) }
            report(0, finished: true)
        }

        /// A mod_json_cdr file's bytes, read through one past the largest document (which the parser then refuses),
        /// so that a file that is no CDR is never read whole.
        static func document(at path: String) throws(CDRLineError) -> [UInt8] {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CDRLineError("cannot open the file") }
            defer { try? handle.close() }
            do {
                return [UInt8](try handle.read(upToCount: FreeSWITCHJSONCDR.maximumDocumentBytes + 1) ?? Data())
            } catch {
                throw CDRLineError("cannot read the file: \(error.localizedDescription)")
            }
        }

        /// Rates and stores the files' records.
        static func store(
            _ files: [String], format: CallDetailRecord.Format, timeZone: TimeZone = .gmt, into records: CallDetailRecords,
            rater: CDRRater
        ) async throws -> Summary {
            var summary = Summary()
            var outcome = IngestOutcome()
            var first = true
            try await read(files, format: format, timeZone: timeZone, summary: &summary, progress: ProgressDisplay(label: "cdrs")) { batch in
                if first {
                    first = false
                    try Self.checkKey(batch, rater: rater)
                }
                outcome = outcome + (try await records.ingest(batch, rater: rater))
            }
            summary.outcome = outcome
            return summary
        }

        /// Refuses to store anything when none of the first batch's decision tokens opens: the tokens were sealed with
        /// another key (the wrong database, or a missing --secrets-key-file), and every record would be stored unrated,
        /// for good (a record is stored once).
        static func checkKey(_ batch: [CallDetailRecord], rater: CDRRater) throws {
            let signed = batch.filter { $0.decision != nil }
            guard !signed.isEmpty, signed.allSatisfy({ rater.rate($0).problem == .badDecision }) else { return }
            throw ValidationError("""
                none of the first \(signed.count) decision tokens opens with this database's key: the wrong database, or a \
                missing --secrets-key-file; nothing was stored
                """)
        }

        /// Prints each record's rating, one a line.
        static func print(
            _ files: [String], format: CallDetailRecord.Format, timeZone: TimeZone, rater: CDRRater
        ) async throws -> Summary {
            var summary = Summary()
            Swift.print(["call-id", "seconds", "kind", "account", "price", "cost", "margin", "carrier"].joined(separator: "\t"))
            var rated = 0
            try await read(files, format: format, timeZone: timeZone, summary: &summary, progress: nil) { batch in
                for record in batch {
                    let rating = rater.rate(record)
                    if rating.rating?.price.amount != nil, rating.rating?.cost.amount != nil { rated += 1 }
                    Swift.print(Self.line(record, rating))
                }
            }
            summary.outcome = IngestOutcome(stored: 0, repeated: 0, rated: rated)
            return summary
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

        static func line(_ cdr: CallDetailRecord, _ rated: RatedCDR) -> String {
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
        /// Records read well.
        var read = 0
        var malformed = 0
        /// Files whose last line had no line end, left out.
        var unterminated = 0
        var outcome = IngestOutcome()

        var description: String {
            "\(read.formatted()) CDRs read: \(outcome.stored.formatted()) stored (\(outcome.rated.formatted()) rated on both sides), "
                + "\(outcome.repeated.formatted()) already stored; \(malformed.formatted()) malformed lines"
                + (outcome.badDecisions > 0 ? "; \(outcome.badDecisions.formatted()) with a decision token this server did not seal" : "")
                + (unterminated > 0 ? "; \(unterminated.formatted()) unfinished last lines left out" : "")
        }
    }
}

extension CallDetailRecord.Format: ExpressibleByArgument {}
