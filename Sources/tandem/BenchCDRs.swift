import ArgumentParser
import CallRecords
import Foundation
import Logging
import Platform
import Rating
import Routing
import Schema
import Store
import Timekeeping

extension Bench {
    /// Writes a file of the reference SBC's CDRs, each with a decision token this database's key sealed, then times
    /// reading and rating them in memory, and `tandem import cdrs` storing them.
    struct CDRs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cdrs",
            abstract: "Time CDR ingestion: a file of the reference SBC's CDRs read and rated, then stored.",
            discussion: """
                Writes --count CDR lines (calls over the last 20 days, each answered at one of two gateways, with a \
                signed decision token) to --file, then reads and rates them in memory, then stores them as `tandem \
                import cdrs` does (batches of 5,000 a transaction), and prints records per second for each. Run it on \
                an empty database: records already stored are counted as repeated.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "CDRs in the file.")
        var count = 1_000_000

        @Option(help: "Where the file goes (kept afterwards).")
        var file = "/tmp/tandem-bench-cdrs.log"

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            var logger = Logger(label: "tandem.bench")
            logger.logLevel = .warning
            try await Store.withStore(location, logger: logger) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                let now = WallClock.system.unixSeconds()
                let tokens = DecisionToken(storedKey: try await ServerKeys.key(named: Serve.decisionKeyName, in: store, at: now))
                let gateways = ["198.51.100.40:5060": ["car_bench_a"], "198.51.100.41:5060": ["car_bench_b"]]
                let rater = CDRRater(tokens: tokens, gateways: gateways)
                var started = ContinuousClock.now
                try Self.write(count, to: file, tokens: tokens, now: now)
                say("wrote \(count.formatted()) CDRs to \(file) in \(Self.seconds(since: started)) s")

                started = ContinuousClock.now
                var rated = 0
                try await CDRFileLines(path: file).forEach { _, line, _ in
                    let record = try CallDetailRecord.Format.kamailio.record(fromLine: line)
                    if rater.rate(record).rating?.cost.amount != nil { rated += 1 }
                }
                let readSeconds = Self.seconds(since: started)
                say("read and rated in memory: \(rated.formatted()) of \(count.formatted()) rated on both sides, "
                    + "\(Int(Double(count) / readSeconds).formatted()) CDRs/s")

                started = ContinuousClock.now
                let records = CallDetailRecords(store: store, tokens: tokens, gateways: { gateways }, clock: .system)
                let summary = try await Import.CDRFiles.store([file], format: .kamailio, into: records, rater: rater)
                let storeSeconds = Self.seconds(since: started)
                say("\(summary)")
                say("stored on \(store.location): \(Int(Double(count) / storeSeconds).formatted()) CDRs/s (\(storeSeconds) s)")
            }
        }

        /// `count` answered outbound calls, 30 to 330 s long, started over the 20 days before `now`.
        static func write(_ count: Int, to file: String, tokens: DecisionToken, now: Int64) throws {
            FileManager.default.createFile(atPath: file, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: file) else { throw ValidationError("cannot write \(file)") }
            defer { try? handle.close() }
            let carriers = [
                ChosenCarrier(id: "car_bench_a", rate: Rate(micros: 5_100, initialSeconds: 6, incrementSeconds: 6)),
                ChosenCarrier(id: "car_bench_b", rate: Rate(micros: 6_000, initialSeconds: 6, incrementSeconds: 6)),
            ]
            var chunk = ""
            for index in 0..<count {
                let start = now - 20 * 86_400 + Int64(index) * 20 * 86_400 / Int64(max(count, 1))
                let callID = "bench-\(index)@192.0.2.10"
                let token = tokens.seal(CallDecision(
                    decidedAt: start, callDigest: CallDecision.digest(ofCallID: callID), kind: .outbound, accountId: "acc_bench",
                    trunkId: "trk_bench", destination: "+19525918123", jurisdiction: .interstate,
                    price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6), carriers: carriers
                ))
                let held = 30 + index % 300
                chunk += "\(start)|\(start + Int64(held))|\(held).250000|\(callID)|\(start - 3).100000|\(start).050000|192.0.2.10|"
                    + "+12025550100|+19525918123|sip:+19525918123;npdi@198.51.100.4\(index % 2):5060;user=phone|\(token)\n"
                if chunk.utf8.count > 1 << 20 {
                    handle.write(Data(chunk.utf8))
                    chunk = ""
                }
            }
            handle.write(Data(chunk.utf8))
        }

        static func seconds(since start: ContinuousClock.Instant) -> Double {
            let elapsed = (ContinuousClock.now - start).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
    }
}
