import Foundation
import Testing

/// Where a source file reads the time of day instead of asking the `WallClock` it was given.
struct WallClockRead: Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var text: String
    var reason: String

    var description: String { "\(file):\(line): \(reason): \(text)" }
}

/// Finds wall-clock reads in Swift source: `Date()`, `Date.now`, `timeIntervalSinceNow`, a `Date` parameter that
/// defaults to something (the call site then gets the time of day without saying so), the system clock named
/// outside the executable, and SQL that asks the database for the time. Monotonic clocks (`ContinuousClock`,
/// `NIODeadline`) measure durations and are not reads of the time of day.
enum WallClockScanner {
    /// What gives a wall-clock read away, with why.
    static var patterns: [(regex: Regex<AnyRegexOutput>, reason: String)] { [
        (try! Regex(#"\bDate\(\s*\)"#), "Date() reads the system clock"),
        (try! Regex(#"\bDate\.now\b"#), "Date.now reads the system clock"),
        (try! Regex(#"\bDate\(\s*timeIntervalSinceNow:"#), "Date(timeIntervalSinceNow:) reads the system clock"),
        (try! Regex(#"\.timeIntervalSinceNow\b"#), "timeIntervalSinceNow reads the system clock"),
        (try! Regex(#":\s*Date\??\s*=\s*(?!nil\b)\S"#), "a Date parameter with a default hides a clock read at the call site"),
        (try! Regex(#"\bgettimeofday\b|\bCLOCK_REALTIME\b|\btime\(\s*nil\s*\)"#), "a C call that reads the system clock"),
        (try! Regex(#"(?i)\bcurrent_(timestamp|date|time)\b|\blocaltimestamp\b|'now'|(^|[^.\w])now\(\s*\)"#),
         "SQL that asks the database for the time"),
    ] }

    /// The system clock may be named only where the process is wired together.
    static var systemClock: Regex<AnyRegexOutput> { try! Regex(#"\bWallClock\.system\b|WallClock\s*=\s*\.system\b"#) }

    static func reads(in source: String, file: String, mayNameSystemClock: Bool) -> [WallClockRead] {
        var found: [WallClockRead] = []
        let (patterns, systemClock) = (Self.patterns, Self.systemClock)
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // Every pattern needs one of these words; looking for them first spares most lines the regular
            // expressions, which are slow in debug builds.
            let lowered = line.lowercased()
            guard ["date", "now", "clock", "time", "current_"].contains(where: lowered.contains) else { continue }
            let code = line.trimmingCharacters(in: .whitespaces)
            if code.hasPrefix("//") { continue }
            var reason = patterns.first { code.contains($0.regex) }?.reason
            if reason == nil, !mayNameSystemClock, code.contains(systemClock) {
                reason = "only the executable chooses the system clock; take a WallClock instead"
            }
            if let reason { found.append(WallClockRead(file: file, line: index + 1, text: code, reason: reason)) }
        }
        return found
    }
}

@Suite("One source of time")
struct WallClockTests {
    /// The one file that reads the system's clock.
    static let clockFile = "Sources/Timekeeping/WallClock.swift"

    @Test("nothing in Sources/ reads the time of day but the WallClock, and only the executable names the system clock")
    func sourcesAskTheirClock() throws {
        let files = try SourceFiles.all()
        #expect(files.count > 100, "the scan found the sources")
        var reads: [WallClockRead] = []
        for file in files where file.path != Self.clockFile {
            reads += WallClockScanner.reads(in: file.text, file: file.path, mayNameSystemClock: file.module == "tandem")
        }
        #expect(reads.isEmpty, "read the time from the WallClock you were given:\n\(reads.map(\.description).joined(separator: "\n"))")
    }

    @Test("the scan catches each way of reading the wall clock", arguments: [
        "let now = Date()",
        "let started = Date.now",
        "let deadline = Date(timeIntervalSinceNow: 5)",
        "return max(0, Int(date.timeIntervalSinceNow))",
        "public func prune(now: Date = Date()) {",
        "func verify(at now: Date = .now) {",
        "func verify(at now: Date? = .distantPast) {",
        "let clock = WallClock.system",
        "init(store: Store, clock: WallClock = .system) {",
        #"try await database.raw("DELETE FROM holds WHERE expires_at < now()").run()"#,
        #"try await database.raw("UPDATE numbers SET changed_at = CURRENT_TIMESTAMP").run()"#,
        #"try await database.raw("SELECT strftime('%s', 'now')").first()"#,
        "gettimeofday(&tv, nil)",
    ])
    func catches(line: String) {
        #expect(WallClockScanner.reads(in: line, file: "x.swift", mayNameSystemClock: false).count == 1)
    }

    @Test("monotonic clocks, the injected clock and comments pass", arguments: [
        "let started = ContinuousClock.now",
        "let deadline = NIODeadline.now() + timeout",
        "let now = clock.now()",
        "let at = Date(timeIntervalSince1970: Double(seconds))",
        "let until: Date? = nil",
        "// Date() would read the system clock",
        "/// `WallClock.system` is named only in the executable",
        "expires: .now + .seconds(lifetime)",
    ])
    func passes(line: String) {
        #expect(WallClockScanner.reads(in: line, file: "x.swift", mayNameSystemClock: false).isEmpty)
    }

    @Test("the executable may name the system clock, and nothing more")
    func executable() {
        #expect(WallClockScanner.reads(in: "let clock = WallClock.system", file: "x.swift", mayNameSystemClock: true).isEmpty)
        #expect(WallClockScanner.reads(in: "let now = Date()", file: "x.swift", mayNameSystemClock: true).count == 1)
    }
}
