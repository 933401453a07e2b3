import Foundation
import Platform
import Schema
import SQLKit
import Store
import TestSupport
import Testing

/// `tandem import cdrs` commits a batch at a time: killed midway, it keeps every batch it committed and none of the
/// one it was writing, and running it again stores the rest, each record once.
@Suite("An interrupted CDR import loses nothing", .timeLimit(.minutes(3)))
struct CDRImportInterruptionTests {
    /// The file's good lines: two batches of 5,000 and some.
    static let calls = 12_000

    @Test("killed in its second batch, it keeps the first; run again, it stores the rest once", arguments: TestDatabase.available)
    func killedMidway(database: TestDatabase) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TandemProcess.executable.path))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cdrs-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cdrs_1.log").path
        let start = Int(Date().timeIntervalSince1970) - 86_400
        var lines = (0..<Self.calls).map { index in
            "\(start + index)|\(start + index + 30)|30.5|call-\(index)@192.0.2.10|\(start + index - 3).5|\(start + index).25|192.0.2.10|"
                + "+12025550100|+19525918123|sip:+19525918123@198.51.100.40|"
        }
        lines.insert("a malformed line", at: 7_000)
        lines.insert("\(start)|\(start - 1)|0|backwards@x|1.0|2.0|ip|a|b|sip:x@y|", at: 9_000)
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

        try await database.withEmptyDatabase { database in
            try await DatabaseContents.withStore(database) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                // The key `tandem serve` would have made: the import refuses a database without one.
                _ = try await ServerKeys.key(named: "decision-token", in: store, at: Int64(start))
            }
            let arguments = ["import", "cdrs", "--database", database, file]
            let importer = try TandemProcess(arguments, pauseAfterRows: 7_000)
            defer { importer.killIfRunning() }
            let paused = try await importer.waitForOutput(containing: "import paused after")
            try #require(paused, "the import did not pause; it wrote:\n\(importer.output)")
            kill(importer.identifier, SIGKILL)
            #expect(try await importer.waitForExit())
            #expect(try await Self.stored(in: database) == 5_000, "the first batch, committed; none of the second")

            let again = try TandemProcess(arguments)
            defer { again.killIfRunning() }
            #expect(try await again.waitForExit(timeout: .seconds(60)))
            #expect(again.terminationStatus == 65, "malformed lines: \(again.output)")
            #expect(again.output.contains("cdrs_1.log:7001: 1 columns, not 12"), "\(again.output)")
            #expect(again.output.contains("cdrs_1.log:9001: end_time is before start_time"), "\(again.output)")
            #expect(again.output.contains("12,000 CDRs read: 7,000 stored (0 rated on both sides), 5,000 already stored; 2 malformed lines"),
                    "\(again.output)")
            #expect(try await Self.stored(in: database) == Self.calls)
            let distinct = try await DatabaseContents.withStore(database) { store in
                try await store.read { try await $0.raw("SELECT count(DISTINCT call_id) AS n FROM cdrs").first()?.decode(column: "n", as: Int.self) }
            }
            #expect(distinct == Self.calls)
        }
    }

    @Test("tokens none of which opens with the database's key: the wrong database or key, and nothing is stored")
    func wrongKey() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: TandemProcess.executable.path))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-cdrs-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let start = Int(Date().timeIntervalSince1970) - 3_600
        let line = "\(start)|\(start + 30)|30.5|c1@192.0.2.10|\(start - 3).5|\(start).25|192.0.2.10|+12025550100|+19525918123|"
            + "sip:+19525918123@198.51.100.40|1.\(start).AAAAAAAAAAAA.o.acc.trk.+19525918123.interstate.10000:6:6.-.c2lnbmVkIGVsc2V3aGVyZQ|tag1\n"
        try line.write(toFile: file, atomically: true, encoding: .utf8)
        try await TestDatabase.sqlite.withEmptyDatabase { database in
            try await DatabaseContents.withStore(database) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                _ = try await ServerKeys.key(named: "decision-token", in: store, at: Int64(start))
            }
            let run = try TandemProcess(["import", "cdrs", "--database", database, file])
            defer { run.killIfRunning() }
            #expect(try await run.waitForExit())
            #expect(run.terminationStatus != 0 && run.output.contains("none of the first 1 decision tokens opens"), "\(run.output)")
            #expect(try await Self.stored(in: database) == 0)
        }
    }

    static func stored(in database: String) async throws -> Int {
        try await DatabaseContents.withStore(database) { store in
            try await store.read { try await $0.raw("SELECT count(*) AS n FROM cdrs").first()?.decode(column: "n", as: Int.self) ?? -1 }
        }
    }
}
