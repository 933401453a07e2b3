// MARK: - ExchangeRecord

/// One row of central-office-code reference data: who holds an NPA-NXX (or one thousands-block of it).
///
/// Mirrors the LERG 6 / NANPA central-office-code and pooling files: each NPA-NXX belongs to a carrier (OCN),
/// a rate center, a LATA and a state; with thousands-block number pooling (ATIS-0300066) each NPA-NXX-X block
/// may belong to another carrier. Reference data is imported, never hard-coded; build records from import rows
/// with the validating `init(npa:nxx:block:state:lata:rateCenter:ocn:company:companyType:)` taking strings.
public struct ExchangeRecord: Sendable, Hashable, Codable {
    /// The numbering plan area (area code).
    public var npa: UInt16
    /// The central office code (exchange).
    public var nxx: UInt16
    /// The thousands-block digit 0-9, or `nil` for the record that covers the whole exchange.
    public var block: UInt8?
    /// The two-letter state, district, territory or province code (see `NANPRegion.knownStateCodes`).
    public var state: String
    /// The Local Access and Transport Area code, 3 to 5 digits.
    public var lata: String
    /// The rate center name, uppercased as in the LERG.
    public var rateCenter: String
    /// The Operating Company Number: 4 characters, digits and uppercase letters.
    public var ocn: String
    /// The operating company's name.
    public var company: String
    /// The kind of carrier that holds the code or block.
    public var companyType: CompanyType

    /// Creates a record from typed fields without validation (for data already known to be valid).
    public init(
        npa: UInt16,
        nxx: UInt16,
        block: UInt8?,
        state: String,
        lata: String,
        rateCenter: String,
        ocn: String,
        company: String,
        companyType: CompanyType
    ) {
        self.npa = npa
        self.nxx = nxx
        self.block = block
        self.state = state
        self.lata = lata
        self.rateCenter = rateCenter
        self.ocn = ocn
        self.company = company
        self.companyType = companyType
    }

    /// Creates a record from the raw text fields of an import row, validating and normalizing every field.
    ///
    /// Every field is trimmed. `npa` and `nxx` are 3 digits of the form `NXX` and not `N11` (ATIS-0300051);
    /// `block` is one digit, or empty/`nil`/`A` (the LERG's "all blocks") for the whole exchange; `state` is a
    /// known two-letter code (case-insensitive); `lata` is 3 to 5 digits; `rate_center` is uppercased, printable
    /// ASCII, 1 to 40 characters; `ocn` is 4 digits or letters (uppercased); `company` is 1 to 80 printable
    /// characters; `company_type` is parsed leniently by `CompanyType(parsing:)` and defaults to `.other` when
    /// missing or empty.
    ///
    /// - Throws: `ReferenceRecordError` naming the CSV column at fault (`npa`, `nxx`, `block`, `state`, `lata`,
    ///   `rate_center`, `ocn`, `company`, `company_type`).
    public init(
        npa: String,
        nxx: String,
        block: String?,
        state: String,
        lata: String,
        rateCenter: String,
        ocn: String,
        company: String,
        companyType: String?
    ) throws(ReferenceRecordError) {
        self.npa = try Self.code(npa, field: "npa", name: "area code")
        self.nxx = try Self.code(nxx, field: "nxx", name: "exchange")
        self.block = try Self.block(block)

        let state = Self.trim(state).uppercased()
        guard NANPRegion.knownStateCodes.contains(state) else {
            throw ReferenceRecordError(field: "state", reason: "'\(state)' is not a known two-letter state code")
        }
        self.state = state

        let lata = Self.trim(lata)
        guard (3...5).contains(lata.utf8.count), lata.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw ReferenceRecordError(field: "lata", reason: "'\(lata)' must be 3 to 5 digits")
        }
        self.lata = lata

        let rateCenter = Self.trim(rateCenter).uppercased()
        guard !rateCenter.isEmpty else { throw ReferenceRecordError(field: "rate_center", reason: "is empty") }
        guard rateCenter.count <= 40 else {
            throw ReferenceRecordError(field: "rate_center", reason: "is longer than 40 characters")
        }
        guard rateCenter.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw ReferenceRecordError(field: "rate_center", reason: "must be printable ASCII characters")
        }
        self.rateCenter = rateCenter

        let ocn = Self.trim(ocn).uppercased()
        guard ocn.utf8.count == 4,
            ocn.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) })
        else {
            throw ReferenceRecordError(field: "ocn", reason: "'\(ocn)' must be 4 digits or uppercase letters")
        }
        self.ocn = ocn

        let company = Self.trim(company)
        guard !company.isEmpty else { throw ReferenceRecordError(field: "company", reason: "is empty") }
        guard company.count <= 80 else {
            throw ReferenceRecordError(field: "company", reason: "is longer than 80 characters")
        }
        guard company.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isControlOrFormat }) else {
            throw ReferenceRecordError(field: "company", reason: "contains control characters")
        }
        self.company = company

        let typeText = Self.trim(companyType ?? "")
        if typeText.isEmpty {
            self.companyType = .other
        } else if let type = CompanyType(parsing: typeText) {
            self.companyType = type
        } else {
            throw ReferenceRecordError(
                field: "company_type",
                reason: "'\(typeText)' is not a known company type (ILEC, CLEC, WIRELESS, IPES, OTHER)"
            )
        }
    }
}

// MARK: - Keys

extension ExchangeRecord {
    /// The six digits of the central office code: `202555`.
    public var npaNXX: String {
        NANPCode.digits(UInt32(npa) * 1000 + UInt32(nxx), count: 6)
    }

    /// The record's unique key: `npaNXX` followed by the block digit when there is one (`2025550` or `202555`).
    public var key: String {
        guard let block else { return npaNXX }
        return npaNXX + String(block)
    }
}

// MARK: - Field parsing

extension ExchangeRecord {
    private static func trim(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    private static func code(_ text: String, field: String, name: String) throws(ReferenceRecordError) -> UInt16 {
        let text = trim(text)
        guard text.utf8.count == 3, text.utf8.allSatisfy({ (48...57).contains($0) }), let value = UInt16(text) else {
            throw ReferenceRecordError(field: field, reason: "'\(text)' must be 3 digits")
        }
        guard value >= 200 else {
            throw ReferenceRecordError(field: field, reason: "\(name) \(text) must start with 2-9")
        }
        guard !NANPCodes.isN11(value) else {
            throw ReferenceRecordError(field: field, reason: "\(name) \(text) is an N11 service code")
        }
        return value
    }

    private static func block(_ text: String?) throws(ReferenceRecordError) -> UInt8? {
        let text = trim(text ?? "")
        if text.isEmpty || text == "A" || text == "a" { return nil }
        guard text.utf8.count == 1, let byte = text.utf8.first, (48...57).contains(byte) else {
            throw ReferenceRecordError(field: "block", reason: "'\(text)' must be one digit 0-9, or empty")
        }
        return byte - 48
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControlOrFormat: Bool {
        switch self {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate: true
        default: false
        }
    }
}

// MARK: - CompanyType

/// The kind of carrier that holds numbering resources, as the LERG's OCN category names it.
public enum CompanyType: String, Sendable, Codable, CaseIterable {
    /// An incumbent local exchange carrier (including RBOCs and independent telephone companies).
    case ilec = "ILEC"
    /// A competitive local exchange carrier.
    case clec = "CLEC"
    /// A wireless (cellular, PCS) carrier.
    case wireless = "WIRELESS"
    /// An interconnected VoIP provider holding numbers directly (FCC 15-70, "IPES").
    case ipes = "IPES"
    /// Any other kind of holder (resellers, paging, general).
    case other = "OTHER"

    /// Parses the spellings found in LERG and NANPA files, case-insensitively.
    ///
    /// `ILEC`, `RBOC`, `ICO`, `INCUMBENT` are `.ilec`; `CLEC`, `CAP`, `ULEC`, `COMPETITIVE` are `.clec`;
    /// `WIRELESS`, `PCS`, `CELLULAR`, `CELL`, `MOBILE` are `.wireless`; `IPES`, `VOIP`, `IP` are `.ipes`;
    /// `OTHER`, `GENERAL`, `RESELLER`, `PAGING` are `.other`. Empty or unknown text is `nil`.
    public init?(parsing text: some StringProtocol) {
        var key = ""
        for character in text where !character.isWhitespace && character != "-" && character != "_" {
            key.append(contentsOf: character.uppercased())
        }
        switch key {
        case "ILEC", "RBOC", "ICO", "INCUMBENT", "INCUMBENTLEC": self = .ilec
        case "CLEC", "CAP", "ULEC", "COMPETITIVE", "COMPETITIVELEC": self = .clec
        case "WIRELESS", "PCS", "CELLULAR", "CELL", "MOBILE", "CMRS", "WIRELESSPCS": self = .wireless
        case "IPES", "VOIP", "IP", "INTERCONNECTEDVOIP": self = .ipes
        case "OTHER", "GENERAL", "RESELLER", "LRESELLER", "WRESELLER", "PAGING", "IC": self = .other
        default: return nil
        }
    }
}

// MARK: - ReferenceRecordError

/// Why a reference-data row is invalid, naming the field (CSV column) at fault.
public struct ReferenceRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CSV column name: `npa`, `nxx`, `block`, `state`, `lata`, `rate_center`, `ocn`, `company`,
    /// `company_type`.
    public let field: String
    /// What is wrong with the value, as a phrase that follows the field name.
    public let reason: String

    /// Creates an error for a field.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String {
        "\(field): \(reason)"
    }
}

// MARK: - NANPRegion

/// The regions of the North American Numbering Plan that have reference data.
public enum NANPRegion: Sendable {
    /// Two-letter codes: the 50 states, DC, the US territories in the NANP (PR, VI, GU, AS, MP) and the Canadian
    /// provinces and territories (USPS and Canada Post abbreviations).
    public static let knownStateCodes: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
        "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
        "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
        "PR", "VI", "GU", "AS", "MP",
        "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
    ]
}
