import Foundation
import Inventory
import Logging
import NetworkData
import Platform
import Schema
import SQLKit
import Store
import Synchronization
import TestSupport
import Testing

/// Every file import of `tandem`, stopped by a signal with rows written in its open transaction, leaves the
/// database exactly as the import before it left it, and the next import runs normally: "imports either complete
/// or change nothing" (docs/DESIGN.md).
///
/// The imports run as the built `tandem` executable. The test hook `TANDEM_TEST_PAUSE_IMPORT_AFTER_ROWS`
/// (``ImportPauseHook``) stops each one once it has written some rows and before it commits, and says so; only
/// then does the signal go, so that it never races the commit.
@Suite("Interrupted imports change nothing", .timeLimit(.minutes(3)))
struct ImportInterruptionTests {
    /// The rows an interrupted import writes before the hook stops it.
    static let pauseAfterRows = 50

    @Test(
        "an import stopped with rows written in its open transaction leaves the earlier data exactly as it was",
        arguments: ImportKind.allCases, Interruption.all
    )
    func interrupted(kind: ImportKind, interruption: Interruption) async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: TandemProcess.executable.path),
            "the tandem executable is not built next to the tests at \(TandemProcess.executable.path)"
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-interrupt-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let earlier = directory.appendingPathComponent("earlier.csv").path
        let later = directory.appendingPathComponent("later.csv").path
        try kind.contents(of: .earlier).write(toFile: earlier, atomically: true, encoding: .utf8)
        try kind.contents(of: .later).write(toFile: later, atomically: true, encoding: .utf8)

        try await interruption.database.withEmptyDatabase { database in
            // The earlier data: a complete import of a small file.
            let owner = try await kind.prepareOwner(in: database)
            try await TandemProcess.requireSuccess(kind.arguments(database: database, owner: owner, file: earlier))
            let before = try await DatabaseContents(database)
            #expect(try await kind.rows(from: .earlier, in: database) == kind.rowCount(of: .earlier))

            // The later import, stopped with its transaction open, then signalled.
            let importer = try TandemProcess(
                kind.arguments(database: database, owner: owner, file: later), pauseAfterRows: Self.pauseAfterRows
            )
            defer { importer.killIfRunning() }
            let paused = try await importer.waitForOutput(containing: "import paused after")
            try #require(paused, "the import did not pause; it wrote:\n\(importer.output)")
            let written = Self.rowsWritten(reportedIn: importer.output)
            #expect(written.map { $0 >= Self.pauseAfterRows } == true, "\(importer.output)")
            kill(importer.identifier, interruption.signal.number)
            let exited = try await importer.waitForExit()
            #expect(exited, "the import did not exit on \(interruption.signal)")
            importer.killIfRunning()
            #expect(importer.terminationReason == .uncaughtSignal, "\(importer.output)")
            #expect(importer.terminationStatus == interruption.signal.number, "\(importer.output)")

            // Nothing changed: every table an import writes holds exactly what it held.
            if interruption.database == .sqlite {
                #expect(try await DatabaseContents.integrityCheck(database) == ["ok"])
            }
            let after = try await DatabaseContents(database)
            for change in after.changes(since: before) { Issue.record("\(change)") }
            #expect(try await kind.rows(from: .earlier, in: database) == kind.rowCount(of: .earlier))
            #expect(try await kind.rows(from: .later, in: database) == 0)

            // The same import, run again without the hook, completes: no lock or half-written table is left.
            try await TandemProcess.requireSuccess(kind.arguments(database: database, owner: owner, file: later))
            #expect(try await kind.rows(from: .later, in: database) == kind.rowCount(of: .later))
            #expect(try await kind.rows(from: .earlier, in: database) == 0)
        }
    }

    /// The row count of the hook's `import paused after N rows` line.
    static func rowsWritten(reportedIn output: String) -> Int? {
        output.split(separator: "\n").lazy.compactMap { line in
            line.wholeMatch(of: /import paused after (\d+) rows/).flatMap { Int($0.1) }
        }.first
    }

    @Test("the hook's marker line is the one the tests wait for")
    func marker() {
        #expect(Self.rowsWritten(reportedIn: "lrn: 0 rows\n" + ImportPauseHook.marker(rows: 2_000) + "\n") == 2_000)
    }
}

// MARK: - Imports and their files

/// The two files of a test: an earlier one, imported completely, and a later one, interrupted.
enum ImportFile {
    case earlier
    case later
}

/// A file import of `tandem import`.
enum ImportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case npanxx
    case carrierRateDeck
    case customerRateDeck
    case lrn
    case msag

    var testDescription: String {
        switch self {
        case .npanxx: "import npanxx"
        case .carrierRateDeck: "import ratedeck CARRIER"
        case .customerRateDeck: "import ratedeck --customer"
        case .lrn: "import lrn"
        case .msag: "import msag"
        }
    }

    static let carrierName = "Interrupted Wholesale"

    /// The rows of a file. A later file is somewhat larger than the import's first INSERT batch (500, 1,000,
    /// 2,000 and 1 rows), so that the import stops midway through it.
    func rowCount(of file: ImportFile) -> Int {
        guard file == .later else { return 20 }
        return switch self {
        case .npanxx: 600
        case .carrierRateDeck, .customerRateDeck: 1_200
        case .lrn: 2_100
        case .msag: 300
        }
    }

    /// Creates what a rate deck belongs to; returns the account id of a customer.
    func prepareOwner(in database: String) async throws -> String? {
        guard self == .carrierRateDeck || self == .customerRateDeck else { return nil }
        return try await DatabaseContents.withStore(database) { store in
            try await store.migrate(TandemSchema.migrations, clock: .system)
            let provisioning = Provisioning(store: store, clock: .system)
            let operatorAccount = try await provisioning.accounts.bootstrapOperator(name: "Operator")
            let principal = Principal(accountId: operatorAccount.id, role: .operatorAdmin, keyId: "test")
            if self == .carrierRateDeck {
                _ = try await provisioning.carriers.create(
                    CarrierDraft(name: Self.carrierName, gateways: [CarrierGateway(address: "198.51.100.40")]),
                    by: principal
                )
                return nil
            }
            return try await provisioning.accounts.createAccount(
                name: "Interrupted Customer", kind: .customer, agentId: nil, by: principal
            ).id
        }
    }

    func arguments(database: String, owner: String?, file: String) -> [String] {
        switch self {
        case .npanxx: ["import", "npanxx", "--database", database, file]
        case .carrierRateDeck: ["import", "ratedeck", "--database", database, Self.carrierName, file]
        case .customerRateDeck: ["import", "ratedeck", "--database", database, "--customer", owner ?? "", file]
        case .lrn: ["import", "lrn", "--database", database, file]
        case .msag: ["import", "msag", "--database", database, file]
        }
    }

    /// A file of ``rowCount(of:)`` rows; each file's rows carry a value of their own (a rate center, rate, LRN
    /// or PSAP) by which ``rows(from:in:)`` tells them apart.
    func contents(of file: ImportFile) -> String {
        let earlier = file == .earlier
        let indexes = 0..<rowCount(of: file)
        let lines: [String]
        switch self {
        case .npanxx:
            // Exchanges 200-999 but the N11 service codes: 792, enough for either file.
            let exchanges = (200...999).filter { $0 % 100 != 11 }
            let (npa, rateCenter) = earlier ? ("202", "EARLIER") : ("973", "LATER")
            lines = ["npa,nxx,block,state,lata,rate_center,ocn,company,company_type"]
                + indexes.map { "\(npa),\(exchanges[$0]),,NJ,224,\(rateCenter),9102,Garden Bell,ILEC" }
        case .carrierRateDeck, .customerRateDeck:
            let (prefix, rate) = earlier ? (1_202_100_000, "0.0100") : (1_973_100_000, "0.0200")
            lines = ["prefix,rate"] + indexes.map { "\(prefix + $0),\(rate)" }
        case .lrn:
            let (first, lrn) = earlier ? (2_022_000_000, 2_022_009_999) : (9_732_000_000, 9_732_009_999)
            lines = ["tn,lrn"] + indexes.map { "\(first + $0),\(lrn)" }
        case .msag:
            let (place, psap) = earlier ? ("DC,WASHINGTON", "EARLIER-PSAP") : ("MD,BETHESDA", "LATER-PSAP")
            lines = ["state,community,pre_directional,street_name,street_type,post_directional,low,high,parity,esn,psap"]
                + indexes.map { "\(place),,MAIN,ST,,\($0 * 100 + 1),\($0 * 100 + 99),B,101,\(psap)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How many of a file's rows the database holds.
    func rows(from file: ImportFile, in database: String) async throws -> Int {
        let earlier = file == .earlier
        let query: SQLQueryString = switch self {
        case .npanxx:
            "SELECT COUNT(*) AS n FROM exchanges WHERE rate_center = \(bind: earlier ? "EARLIER" : "LATER")"
        case .carrierRateDeck, .customerRateDeck:
            """
            SELECT COUNT(*) AS n FROM rate_prefixes p JOIN rate_decks d ON d.id = p.deck_id
            WHERE d.source = \(bind: earlier ? "earlier.csv" : "later.csv")
                AND p.rate_micros = \(bind: earlier ? 10_000 : 20_000)
            """
        case .lrn:
            "SELECT COUNT(*) AS n FROM ported_numbers WHERE lrn = \(bind: earlier ? 2_022_009_999 : 9_732_009_999)"
        case .msag:
            "SELECT COUNT(*) AS n FROM msag_ranges WHERE psap = \(bind: earlier ? "EARLIER-PSAP" : "LATER-PSAP")"
        }
        return try await DatabaseContents.withStore(database) { store in
            try await store.read { try await $0.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0 }
        }
    }
}

/// A database and the signal that interrupts an import in it.
struct Interruption: Sendable, CustomTestStringConvertible {
    enum Signal: Sendable, CaseIterable, CustomStringConvertible {
        case kill
        case interrupt

        var number: Int32 {
            switch self {
            case .kill: SIGKILL
            case .interrupt: SIGINT
            }
        }

        var description: String {
            switch self {
            case .kill: "SIGKILL"
            case .interrupt: "SIGINT"
            }
        }
    }

    var database: TestDatabase
    var signal: Signal

    static var all: [Interruption] {
        TestDatabase.available.flatMap { database in Signal.allCases.map { Interruption(database: database, signal: $0) } }
    }

    var testDescription: String { "\(database.rawValue), \(signal)" }
}

// MARK: - The database as the imports leave it

/// Every row of every table a file import writes, each row as text, sorted.
struct DatabaseContents: Equatable {
    static let tables = [
        "exchanges", "rate_decks", "rate_prefixes", "rate_npanxx", "ported_numbers", "lnp_changes", "msag_ranges",
        "import_runs", "routing_epoch",
    ]

    var rows: [String: [String]] = [:]

    init(_ database: String) async throws {
        rows = try await Self.withStore(database) { store in
            try await store.read { database in
                var rows: [String: [String]] = [:]
                for table in Self.tables {
                    rows[table] = try await database.raw("SELECT * FROM \(ident: table)").all()
                        .map { row in row.allColumns.map { Self.text(row, $0) }.joined(separator: "|") }
                        .sorted()
                }
                return rows
            }
        }
    }

    /// How each table that differs from `earlier` differs: its row counts and a few rows gone and added.
    func changes(since earlier: DatabaseContents) -> [String] {
        Self.tables.compactMap { table in
            let (now, then) = (rows[table] ?? [], earlier.rows[table] ?? [])
            guard now != then else { return nil }
            let gone = then.filter { !now.contains($0) }.prefix(3)
            let added = now.filter { !then.contains($0) }.prefix(3)
            return "\(table) changed from \(then.count) to \(now.count) rows; gone: \(gone), added: \(added)"
        }
    }

    /// A column's value as text, whichever type it has.
    private static func text(_ row: any SQLRow, _ column: String) -> String {
        if let number = try? row.decode(column: column, as: Int64.self) { return String(number) }
        if let text = try? row.decode(column: column, as: String.self) { return text }
        return "NULL"
    }

    /// What SQLite's `PRAGMA integrity_check` finds: `["ok"]` for a sound file.
    static func integrityCheck(_ database: String) async throws -> [String] {
        try await withStore(database) { store in
            try await store.read { database in
                try await database.raw("PRAGMA integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) }
            }
        }
    }

    static func withStore<Result: Sendable>(_ database: String, _ body: (Store) async throws -> Result) async throws -> Result {
        var logger = Logger.test("tandem.test")
        if ProcessInfo.processInfo.environment["TANDEM_TEST_LOG_LEVEL"] == nil { logger.logLevel = .error }
        return try await Store.withStore(try DatabaseLocation(parsing: database), logger: logger, body)
    }
}

// MARK: - The tandem executable

/// A run of the built `tandem` executable, its standard output and error collected as they come.
///
/// Started with `posix_spawn`, not Foundation's `Process`: on Linux `Process.run()` has crashed (a bad pointer
/// in a `memmove`, copying entries of the process's descriptor table) when the test process held some 1,400 open
/// descriptors, as it does while the whole suite runs on PostgreSQL.
final class TandemProcess: @unchecked Sendable {
    /// The executable, built next to the tests.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("tandem")

    struct SpawnFailure: Error, CustomStringConvertible {
        var call: String
        var code: Int32
        var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Glibc module does not
    /// import: every descriptor from the given one up closes in the child.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed: posix_spawn_file_actions_addclosefrom_np is missing")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// The child's process id.
    let identifier: pid_t
    private let collected = Collected()

    private final class Collected: Sendable {
        let data = Mutex(Data())
    }
    /// The wait status once the child is reaped.
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `tandem` with `arguments`; with `pauseAfterRows`, the import test hook is on.
    init(_ arguments: [String], pauseAfterRows: Int? = nil) throws {
        var environment = ProcessInfo.processInfo.environment
        environment[ImportPauseHook.environmentVariable] = pauseAfterRows.map(String.init)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SpawnFailure(call: "pipe", code: errno) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Output and error into the pipe; every other descriptor closes in the child. Inherited, the suite's
        // PostgreSQL sockets would stay open in a paused child after the tests closed them, and use up the
        // server's connections.
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO)
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDERR_FILENO)
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw SpawnFailure(call: "posix_spawn_file_actions_addclosefrom_np", code: errno) }
        let argv = ([Self.executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Self.executable.path, &actions, nil, argv, envp)
        close(ends[1])
        guard spawned == 0 else {
            close(ends[0])
            throw SpawnFailure(call: "posix_spawn", code: spawned)
        }
        identifier = pid
        // A thread of its own reads the pipe to its end, so that no blocking read waits on the test's executor.
        let (reader, collected) = (ends[0], collected)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let count = read(reader, &buffer, buffer.count)
                if count > 0 {
                    collected.data.withLock { $0.append(contentsOf: buffer[0..<count]) }
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(reader)
        }
    }

    /// Whether the child still runs; reaps it once it has ended.
    var isRunning: Bool {
        exitStatus.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(identifier, &raw, WNOHANG) == identifier else { return true }
            status = raw
            return false
        }
    }

    /// How the child ended: by exiting or by a signal (only meaningful once it is not running).
    var terminationReason: Process.TerminationReason {
        let raw = exitStatus.withLock { $0 } ?? 0
        return raw & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    /// The exit status, or the number of the signal that ended the child.
    var terminationStatus: Int32 {
        let raw = exitStatus.withLock { $0 } ?? 0
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    var output: String { collected.data.withLock { String(decoding: $0, as: UTF8.self) } }

    /// How long a run may take to start working or to finish: long, because on PostgreSQL every run migrates,
    /// and migrations queue on one lock with those of every other test running at the time.
    static let patience = Duration.seconds(120)

    /// Runs `tandem` to its end, and requires it to succeed.
    static func requireSuccess(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let run = try TandemProcess(arguments)
        defer { run.killIfRunning() }
        let exited = try await run.waitForExit(timeout: patience)
        try #require(
            exited && run.terminationReason == .exit && run.terminationStatus == 0,
            "tandem \(arguments.joined(separator: " ")) \(exited ? "failed" : "did not finish"):\n\(run.output)",
            sourceLocation: sourceLocation
        )
    }

    /// Waits until the output contains `text`: `false` when the process ends or the time is up first.
    func waitForOutput(containing text: some StringProtocol, timeout: Duration = patience) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(text) {
            guard isRunning, ContinuousClock.now < deadline else { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits until the process has exited: `false` when it is still running once the time is up.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Kills the process if it is still running, and reaps it.
    func killIfRunning() {
        guard isRunning else { return }
        kill(identifier, SIGKILL)
        exitStatus.withLock { status in
            var raw: Int32 = 0
            while waitpid(identifier, &raw, 0) == -1 && errno == EINTR {}
            status = raw
        }
    }
}
