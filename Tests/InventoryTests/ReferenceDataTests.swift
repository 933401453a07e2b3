import Foundation
import Inventory
import NetworkData
import Platform
import Store
import Telephony
import TestSupport
import Testing
import Timekeeping

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Reference data import", .timeLimit(.minutes(3)))
struct ReferenceDataTests {
    static let header = "npa,nxx,block,state,lata,rate_center,ocn,company,company_type\n"

    static func file(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("npanxx-\(UUID()).csv").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a well-formed file loads exchanges and thousands-blocks", arguments: TestDatabase.available)
    func imports(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let path = try Self.file(Self.header
                + "202,555,,DC,236,WASHINGTON,9206,Capital Bell,ILEC\n"
                + "973,555,,NJ,224,NEWARK,9102,\"Garden Bell, Inc.\",RBOC\n"
                + "973,555,9,NJ,224,MORRISTOWN,532F,\"Lakeside \"\"Fiber\"\"\",CLEC\r\n"
                + "\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            var reports: [ImportProgress] = []
            let summary = try await ReferenceData(store: store, clock: .system).importExchanges(from: path) { reports.append($0) }
            #expect(summary.rows == 3 && summary.exchanges == 2 && summary.blocks == 1)
            #expect(reports.last?.finished == true && reports.last?.rows == 3)
            let records = try await ReferenceData(store: store, clock: .system).exchange(npa: 973, nxx: 555)
            #expect(records.map(\.company) == ["Garden Bell, Inc.", "Lakeside \"Fiber\""])
            #expect(records.map(\.companyType) == [.ilec, .clec])
            #expect(records.last?.block == 9)
        }
    }

    @Test("bad rows are reported by line and nothing changes", arguments: TestDatabase.available)
    func badRows(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let reference = ReferenceData(store: store, clock: .system)
            let good = try Self.file(Self.header + "202,555,,DC,236,WASHINGTON,9206,Capital Bell,ILEC\n")
            let bad = try Self.file(Self.header + [
                "973,555,,NJ,224,NEWARK,9102,Garden Bell,ILEC",
                "911,555,,NJ,224,NEWARK,9102,Garden Bell,ILEC",
                "973,556,,XX,224,NEWARK,9102,Garden Bell,ILEC",
                "973,555,,NJ,224,NEWARK,9102,Garden Bell,ILEC",
                "973,557,,NJ,224,NEWARK,9102",
            ].joined(separator: "\n"))
            defer { for path in [good, bad] { try? FileManager.default.removeItem(atPath: path) } }
            _ = try await reference.importExchanges(from: good)
            do {
                _ = try await reference.importExchanges(from: bad)
                Issue.record("the import should fail")
            } catch let error as ImportError {
                #expect(error.badRows == 4)
                #expect(error.rowErrors.map(\.line) == [3, 4, 5, 6])
                #expect(error.rowErrors[0].reason.hasPrefix("npa:"))
                #expect(error.rowErrors[1].reason.hasPrefix("state:"))
                #expect(error.rowErrors[2].reason.contains("duplicates"))
                #expect(error.rowErrors[3].reason.contains("fields"))
            }
            // The earlier import is untouched.
            #expect(try await reference.count() == 1)
            #expect(try await reference.exchange(npa: 202, nxx: 555).first?.rateCenter == "WASHINGTON")
        }
    }

    @Test("a file without the required columns is refused at line 1")
    func missingColumns() async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let path = try Self.file("npa,nxx,state\n202,555,DC\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            await #expect { try await ReferenceData(store: store, clock: .system).importExchanges(from: path) } throws: { error in
                let description = (error as? ImportError)?.fileError ?? ""
                return description.contains("line 1") && description.contains("rate_center")
            }
        }
    }

    @Test("an unterminated quote is an error at its line, not an unbounded read")
    func unterminatedQuote() async throws {
        try await TestDatabase.sqlite.withStore { store async throws in
            let path = try Self.file(Self.header + "202,555,,DC,236,\"WASHINGTON,9206,Capital Bell,ILEC\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            await #expect { try await ReferenceData(store: store, clock: .system).importExchanges(from: path) } throws: { error in
                (error as? ImportError)?.rowErrors.first?.line == 2
            }
        }
    }

    @Test("a re-import replaces the data atomically", arguments: TestDatabase.available)
    func reimport(database: TestDatabase) async throws {
        try await database.withStore { store async throws in
            let reference = ReferenceData(store: store, clock: .system)
            _ = try await reference.replace(with: SyntheticNANP(exchanges: 300))
            let path = try Self.file(Self.header + "202,555,,DC,236,WASHINGTON,9206,Capital Bell,ILEC\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            _ = try await reference.importExchanges(from: path)
            #expect(try await reference.count() == 1)
        }
    }
}
