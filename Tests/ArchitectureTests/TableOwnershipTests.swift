import Foundation
import Testing

/// A module's use of a table in the SQL of its sources.
struct TableUse: Hashable, CustomStringConvertible {
    enum Kind: String { case reads, writes }

    var module: String
    var kind: Kind
    var table: String
    var file: String
    var line: Int

    /// The use without its place, as the list of known exceptions names it: `Porting reads trunks`.
    var summary: String { "\(module) \(kind.rawValue) \(table)" }
    var description: String { "\(file):\(line): \(summary)" }
}

/// Finds which module owns each table (the one whose sources hold its `CREATE TABLE`) and which tables each
/// module's SQL reads (`FROM`, `JOIN`) and writes (`INSERT INTO`, `UPDATE`, `DELETE FROM`, `ALTER TABLE`).
///
/// It reads the SQL as Tandem's sources spell it: keywords in capitals, table names in lower case and written
/// out. A table name spliced in from a variable is not seen, and comment lines are skipped.
enum TableScanner {
    static var creates: Regex<AnyRegexOutput> { try! Regex(#"\bCREATE TABLE ([a-z_][a-z0-9_]*)"#) }
    static var writes: Regex<AnyRegexOutput> {
        try! Regex(#"\b(?:INSERT INTO|UPDATE|DELETE FROM|ALTER TABLE) ([a-z_][a-z0-9_]*)"#)
    }
    /// A read; the first group catches the `DELETE` of a `DELETE FROM`, which is a write.
    static var reads: Regex<AnyRegexOutput> { try! Regex(#"(DELETE )?\b(?:FROM|JOIN) ([a-z_][a-z0-9_]*)"#) }

    /// Each table, with the module that creates it.
    static func owners(of files: [SourceFiles.File]) -> [String: String] {
        var owners: [String: String] = [:]
        for file in files {
            for line in codeLines(of: file.text) {
                for match in line.text.matches(of: creates) {
                    if let table = match.output[1].substring { owners[String(table)] = file.module }
                }
            }
        }
        return owners
    }

    /// The uses of known tables in a file's SQL.
    static func uses(in file: SourceFiles.File, tables: Set<String>) -> [TableUse] {
        var found: [TableUse] = []
        for line in codeLines(of: file.text) {
            func use(_ kind: TableUse.Kind, _ table: Substring?) {
                guard let table = table.map(String.init), tables.contains(table) else { return }
                found.append(TableUse(module: file.module, kind: kind, table: table, file: file.path, line: line.number))
            }
            for match in line.text.matches(of: writes) { use(.writes, match.output[1].substring) }
            for match in line.text.matches(of: reads) where match.output[1].substring == nil {
                use(.reads, match.output[2].substring)
            }
        }
        return found
    }

    /// The uses that break ownership: writes by anyone but the owner, reads by anyone but the owner and the
    /// read model's modules.
    static func violations(in files: [SourceFiles.File], readModel: Set<String>) -> [TableUse] {
        let owners = owners(of: files)
        return files.flatMap { uses(in: $0, tables: Set(owners.keys)) }.filter { use in
            guard owners[use.table] != use.module else { return false }
            return use.kind == .writes || !readModel.contains(use.module)
        }
    }

    /// The lines that may hold SQL naming a table: not comments, and with a keyword in them (checked before any
    /// regular expression runs, which keeps the scan of every source quick).
    private static func codeLines(of text: String) -> [(number: Int, text: Substring)] {
        let keywords = ["FROM ", "JOIN ", "INSERT INTO ", "UPDATE ", "ALTER TABLE ", "CREATE TABLE "]
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset + 1, $0.element) }
            .filter { line in
                keywords.contains { line.1.contains($0) } && !line.1.trimmingCharacters(in: .whitespaces).hasPrefix("//")
            }
    }
}

@Suite("Each table has one owner")
struct TableOwnershipTests {
    /// The routing feed's read model: the one module that reads every owner's tables, read-only, to compile the
    /// routing snapshot and to scope routing records to a tenant (docs/architecture.md lists its queries).
    static let readModel: Set<String> = ["RoutingFeed"]

    @Test("no module writes another's tables, and only the routing feed's read model reads them")
    func tablesHaveOneOwner() throws {
        let files = try SourceFiles.all()
        let owners = TableScanner.owners(of: files)
        #expect(owners.count > 30, "the scan found the tables")
        #expect(owners["numbers"] == "Inventory")
        #expect(owners["port_orders"] == "Porting")
        let violations = TableScanner.violations(in: files, readModel: Self.readModel)
        #expect(violations.isEmpty, """
            a module uses a table it does not own; go through the owner's functions instead (in the caller's \
            transaction where it needs one), or hand the owner's work in as Inventory's TrunkHolder does:
            \(violations.map(\.description).joined(separator: "\n"))
            """)
    }

    @Test("the scan catches a module writing or reading another's table, and passes the owner and the read model")
    func scanCatchesViolations() {
        let owner = SourceFiles.File(path: "Sources/Inventory/Tables.swift", module: "Inventory", text: """
            "CREATE TABLE numbers (tn TEXT PRIMARY KEY, status TEXT NOT NULL)",
            try await db.raw("UPDATE numbers SET status = 'assigned' WHERE tn = \\(bind: tn)").run()
            """)
        let intruder = SourceFiles.File(path: "Sources/Webhooks/Sneaky.swift", module: "Webhooks", text: """
            // UPDATE numbers in a comment is only words.
            try await db.raw("UPDATE numbers SET status = 'aging'").run()
            try await db.raw("DELETE FROM numbers WHERE tn = \\(bind: tn)").run()
            let rows = try await db.raw("SELECT n.tn FROM accounts a JOIN numbers n ON n.account_id = a.id").all()
            """)
        let feed = SourceFiles.File(path: "Sources/RoutingFeed/ReadModel.swift", module: "RoutingFeed", text: """
            let rows = try await db.raw("SELECT tn, status FROM numbers").all()
            """)
        let violations = TableScanner.violations(in: [owner, intruder, feed], readModel: [feed.module])
        #expect(violations.map(\.description) == [
            "Sources/Webhooks/Sneaky.swift:2: Webhooks writes numbers",
            "Sources/Webhooks/Sneaky.swift:3: Webhooks writes numbers",
            "Sources/Webhooks/Sneaky.swift:4: Webhooks reads numbers",
        ])
        let feedWriting = SourceFiles.File(path: feed.path, module: "RoutingFeed", text: "INSERT INTO numbers (tn) VALUES ('1')")
        #expect(TableScanner.violations(in: [owner, feedWriting], readModel: [feed.module]).map(\.summary) == [
            "RoutingFeed writes numbers",
        ])
    }
}
