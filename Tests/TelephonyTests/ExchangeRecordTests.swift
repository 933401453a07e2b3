import Foundation
import Testing
import Telephony

// MARK: - Helpers

/// The raw fields of one import row, valid unless a test changes a field.
private struct Row: Sendable {
    var npa = "202"
    var nxx = "555"
    var block: String? = nil
    var state = "DC"
    var lata = "236"
    var rateCenter = "WASHINGTON"
    var ocn = "9206"
    var company = "Capital District Bell Telephone Co"
    var companyType: String? = "ILEC"

    func record() throws(ReferenceRecordError) -> ExchangeRecord {
        try ExchangeRecord(
            npa: npa,
            nxx: nxx,
            block: block,
            state: state,
            lata: lata,
            rateCenter: rateCenter,
            ocn: ocn,
            company: company,
            companyType: companyType
        )
    }
}

/// A change to a valid row and the CSV column the error must name.
struct BadRow: Sendable, CustomTestStringConvertible {
    let label: String
    let field: String
    fileprivate let change: @Sendable (inout Row) -> Void

    fileprivate init(_ label: String, field: String, _ change: @escaping @Sendable (inout Row) -> Void) {
        self.label = label
        self.field = field
        self.change = change
    }

    var testDescription: String { "\(label) -> \(field)" }
}

private let badRows: [BadRow] = [
    BadRow("2-digit npa", field: "npa") { $0.npa = "20" },
    BadRow("npa with letter", field: "npa") { $0.npa = "2O2" },
    BadRow("npa starting with 1", field: "npa") { $0.npa = "123" },
    BadRow("N11 npa", field: "npa") { $0.npa = "911" },
    BadRow("empty npa", field: "npa") { $0.npa = " " },
    BadRow("nxx starting with 0", field: "nxx") { $0.nxx = "055" },
    BadRow("N11 nxx", field: "nxx") { $0.nxx = "411" },
    BadRow("4-digit nxx", field: "nxx") { $0.nxx = "5555" },
    BadRow("two-digit block", field: "block") { $0.block = "10" },
    BadRow("letter block", field: "block") { $0.block = "x" },
    BadRow("unknown state", field: "state") { $0.state = "ZZ" },
    BadRow("empty state", field: "state") { $0.state = "" },
    BadRow("state name", field: "state") { $0.state = "Texas" },
    BadRow("short lata", field: "lata") { $0.lata = "12" },
    BadRow("long lata", field: "lata") { $0.lata = "123456" },
    BadRow("lata with letter", field: "lata") { $0.lata = "12a4" },
    BadRow("empty rate center", field: "rate_center") { $0.rateCenter = "  " },
    BadRow("long rate center", field: "rate_center") { $0.rateCenter = String(repeating: "A", count: 41) },
    BadRow("rate center with tab", field: "rate_center") { $0.rateCenter = "NEW\tYORK" },
    BadRow("rate center with accent", field: "rate_center") { $0.rateCenter = "MONTRÉAL" },
    BadRow("5-char ocn", field: "ocn") { $0.ocn = "12345" },
    BadRow("ocn with hyphen", field: "ocn") { $0.ocn = "12-4" },
    BadRow("empty ocn", field: "ocn") { $0.ocn = "" },
    BadRow("empty company", field: "company") { $0.company = "" },
    BadRow("long company", field: "company") { $0.company = String(repeating: "x", count: 81) },
    BadRow("company with newline", field: "company") { $0.company = "Acme\nTelco" },
    BadRow("unknown company type", field: "company_type") { $0.companyType = "BANANA" },
]

// MARK: - Tests

@Suite("ExchangeRecord")
struct ExchangeRecordTests {
    @Test("a valid row is trimmed and normalized")
    func normalizes() throws {
        let row = Row(
            npa: " 202", nxx: "555 ", block: " 7 ", state: "dc", lata: " 236 ", rateCenter: " washington ",
            ocn: "532f", company: "  Quillfeather Networks LLC ", companyType: " rboc "
        )
        let record = try row.record()
        #expect(record.npa == 202)
        #expect(record.nxx == 555)
        #expect(record.block == 7)
        #expect(record.state == "DC")
        #expect(record.lata == "236")
        #expect(record.rateCenter == "WASHINGTON")
        #expect(record.ocn == "532F")
        #expect(record.company == "Quillfeather Networks LLC")
        #expect(record.companyType == .ilec)
        #expect(record.npaNXX == "202555")
        #expect(record.key == "2025557")
    }

    @Test("a missing block, 'A' block and missing company type have defaults")
    func defaults() throws {
        var row = Row()
        row.block = nil
        row.companyType = nil
        let record = try row.record()
        #expect(record.block == nil)
        #expect(record.companyType == .other)
        #expect(record.key == "202555")
        row.block = "A"
        row.companyType = ""
        #expect(try row.record().block == nil)
        #expect(try row.record().companyType == .other)
        row.block = "0"
        #expect(try row.record().key == "2025550")
    }

    @Test("limits are inclusive: 40-character rate center, 80-character company, 5-digit LATA")
    func limits() throws {
        var row = Row()
        row.rateCenter = String(repeating: "B", count: 40)
        row.company = String(repeating: "c", count: 80)
        row.lata = "12345"
        row.state = "on"
        let record = try row.record()
        #expect(record.rateCenter.count == 40)
        #expect(record.company.count == 80)
        #expect(record.state == "ON")
    }

    @Test("a bad field is named by its CSV column", arguments: badRows)
    func badField(_ bad: BadRow) {
        var row = Row()
        bad.change(&row)
        do {
            _ = try row.record()
            Issue.record("accepted \(bad.label)")
        } catch {
            #expect(error.field == bad.field)
            #expect(!error.reason.isEmpty)
            #expect(error.description.hasPrefix(bad.field + ": "))
        }
    }

    @Test("the typed initializer and Codable round-trip")
    func codable() throws {
        let record = try Row().record()
        let data = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(ExchangeRecord.self, from: data) == record)
        let typed = ExchangeRecord(
            npa: 202, nxx: 555, block: nil, state: "DC", lata: "236", rateCenter: "WASHINGTON", ocn: "9206",
            company: "Capital District Bell Telephone Co", companyType: .ilec
        )
        #expect(typed == record)
    }

    @Test("state codes cover the states, DC, territories and Canada")
    func stateCodes() {
        #expect(NANPRegion.knownStateCodes.count == 51 + 5 + 13)
        for code in ["TX", "DC", "PR", "VI", "GU", "AS", "MP", "ON", "QC", "BC", "NU"] {
            #expect(NANPRegion.knownStateCodes.contains(code))
        }
        #expect(!NANPRegion.knownStateCodes.contains("ZZ"))
    }
}

@Suite("CompanyType")
struct CompanyTypeTests {
    @Test(
        "parses LERG spellings case-insensitively",
        arguments: [
            ("ILEC", CompanyType.ilec), ("rboc", .ilec), ("ICO", .ilec), ("Incumbent", .ilec),
            ("CLEC", .clec), ("cap", .clec), ("ULEC", .clec),
            ("WIRELESS", .wireless), ("pcs", .wireless), ("Cellular", .wireless), ("CELL", .wireless),
            ("IPES", .ipes), ("VoIP", .ipes),
            ("OTHER", .other), ("General", .other), ("L RESELLER", .other), (" ilec ", .ilec),
        ] as [(String, CompanyType)]
    )
    func parses(text: String, expected: CompanyType) {
        #expect(CompanyType(parsing: text) == expected)
    }

    @Test("rejects empty and unknown text", arguments: ["", "  ", "BANANA", "TELCO"])
    func rejects(text: String) {
        #expect(CompanyType(parsing: text) == nil)
    }

    @Test("raw values are the canonical names")
    func rawValues() {
        #expect(CompanyType.allCases.map(\.rawValue) == ["ILEC", "CLEC", "WIRELESS", "IPES", "OTHER"])
        for type in CompanyType.allCases {
            #expect(CompanyType(parsing: type.rawValue) == type)
        }
    }
}
