import Foundation
import Platform
import Telephony

/// A number in the inventory, as its owner (or the operator) sees it.
public struct NumberRecord: Sendable, Codable, Equatable {
    public var number: PhoneNumber
    public var status: NumberStatus
    public var accountId: String?
    public var trunkId: String?
    public var rateCenter: String
    public var state: String
    public var lata: String
    public var reservedUntil: Date?
    public var agingUntil: Date?
    public var updatedAt: Date
}

/// A number offered by a search: where it is, not who had it.
public struct AvailableNumber: Sendable, Codable, Equatable {
    public var number: PhoneNumber
    public var rateCenter: String
    public var state: String
    public var lata: String
}

/// One entry of a number's history: who did what, when, from which status to which.
public struct NumberEvent: Sendable, Codable, Equatable {
    public var id: Int64
    public var number: PhoneNumber
    public var at: Date
    public var action: NumberAction
    public var fromStatus: NumberStatus?
    public var toStatus: NumberStatus?
    public var accountId: String?
    public var trunkId: String?
    public var actor: String
    public var reason: String?
}

/// The outcome of a bulk operation for one number: one bad number never fails the rest.
public struct NumberResult: Sendable, Codable, Equatable {
    /// What went wrong for one number.
    public struct Failure: Sendable, Codable, Equatable {
        public var code: String
        public var detail: String
    }

    /// The number as the caller wrote it, or in E.164 when it parsed.
    public var number: String
    public var ok: Bool
    /// The number's status after the operation, when it succeeded.
    public var status: NumberStatus?
    public var error: Failure?

    static func success(_ number: PhoneNumber, _ status: NumberStatus?) -> NumberResult {
        NumberResult(number: number.e164, ok: true, status: status, error: nil)
    }

    public static func failure(_ number: String, _ error: ServiceError) -> NumberResult {
        NumberResult(number: number, ok: false, status: nil, error: Failure(code: error.code.rawValue, detail: error.reason))
    }
}

/// A bulk operation's report.
public struct BulkResult: Sendable, Codable, Equatable {
    public var succeeded: Int
    public var failed: Int
    public var results: [NumberResult]

    init(_ results: [NumberResult]) {
        self.results = results
        self.succeeded = results.count(where: \.ok)
        self.failed = results.count - succeeded
    }
}

/// The report of adding numbers to the inventory in bulk: counts, and each failure with its reason.
public struct InventoryAddResult: Sendable, Codable, Equatable {
    public var added: Int
    public var failed: Int
    /// The failures, at most ``NumberInventory/maximumReportedFailures`` of them.
    public var failures: [NumberResult]
}

/// What to look for among available numbers. Every criterion is optional; all given ones must match.
public struct NumberSearch: Sendable, Equatable {
    public var npa: String?
    public var npaNXX: String?
    public var rateCenter: String?
    public var state: String?
    public var lata: String?
    /// Digits (or letters, read as a phone keypad: `CALL` is `2255`) anywhere in the ten digits.
    public var contains: String?
    /// The first digits of the ten-digit number.
    public var startsWith: String?
    /// The last digits.
    public var endsWith: String?

    public init(
        npa: String? = nil, npaNXX: String? = nil, rateCenter: String? = nil, state: String? = nil,
        lata: String? = nil, contains: String? = nil, startsWith: String? = nil, endsWith: String? = nil
    ) throws(ServiceError) {
        if let npa {
            guard npa.count == 3, npa.allSatisfy(\.isASCIIDigit), npa.first! >= "2" else {
                throw .invalid("npa", "must be a three-digit area code starting with 2-9")
            }
        }
        if let npaNXX {
            guard npaNXX.count == 6, npaNXX.allSatisfy(\.isASCIIDigit) else {
                throw .invalid("npanxx", "must be six digits (area code and exchange)")
            }
        }
        if let state {
            guard state.count == 2, state.allSatisfy({ $0.isLetter && $0.isASCII }) else {
                throw .invalid("state", "must be a two-letter state or province code")
            }
        }
        if let lata {
            guard (3...5).contains(lata.count), lata.allSatisfy(\.isASCIIDigit) else {
                throw .invalid("lata", "must be 3 to 5 digits")
            }
        }
        if let rateCenter {
            guard !rateCenter.isEmpty, rateCenter.count <= 40 else {
                throw .invalid("rate_center", "must be 1 to 40 characters")
            }
        }
        self.npa = npa
        self.npaNXX = npaNXX
        self.rateCenter = rateCenter?.uppercased()
        self.state = state?.uppercased()
        self.lata = lata
        self.contains = try Self.pattern(contains, field: "contains")
        self.startsWith = try Self.pattern(startsWith, field: "starts_with")
        self.endsWith = try Self.pattern(endsWith, field: "ends_with")
    }

    private static let keypad: [Character: Character] = {
        var map: [Character: Character] = [:]
        for (digit, letters) in [("2", "ABC"), ("3", "DEF"), ("4", "GHI"), ("5", "JKL"), ("6", "MNO"),
                                 ("7", "PQRS"), ("8", "TUV"), ("9", "WXYZ")] {
            for letter in letters { map[letter] = Character(digit) }
        }
        return map
    }()

    /// Digits from a vanity pattern: digits stay, letters become their keypad digit, separators drop.
    private static func pattern(_ text: String?, field: String) throws(ServiceError) -> String? {
        guard let text else { return nil }
        var digits = ""
        for character in text.uppercased() where !"-. ".contains(character) {
            if character.isASCIIDigit {
                digits.append(character)
            } else if let digit = keypad[character] {
                digits.append(digit)
            } else {
                throw .invalid(field, "may hold only digits and letters, found '\(character)'")
            }
        }
        guard (1...10).contains(digits.count) else { throw .invalid(field, "must be 1 to 10 digits") }
        return digits
    }

    /// The prefix of the ten digits that every match shares, or `nil` when the criteria contradict each other.
    var prefix: String? {
        var prefix = ""
        for candidate in [npa, npaNXX, startsWith].compactMap({ $0 }) {
            if candidate.hasPrefix(prefix) {
                prefix = candidate
            } else if !prefix.hasPrefix(candidate) {
                return nil
            }
        }
        return prefix
    }
}

extension Character {
    /// One of the ASCII digits 0-9 (and not, say, a digit with a combining accent).
    var isASCIIDigit: Bool {
        unicodeScalars.count == 1 && ("0"..."9").contains(unicodeScalars.first!)
    }
}
