import Foundation
import SQLKit

extension SQLRow {
    /// Decodes a column holding an enum's raw value; an unknown value is a corrupt database, reported as such.
    package func decodeEnum<Value: RawRepresentable>(column: String, as type: Value.Type = Value.self) throws -> Value
    where Value.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = Value(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown \(column) '\(raw)'"))
        }
        return value
    }
}

/// Field checks shared by every provisioning operation.
package enum Validate {
    /// A display name: trimmed, non-empty, printable, at most `maximum` characters.
    package static func name(_ text: String, field: String, maximum: Int) throws(ServiceError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .invalid(field, "must not be empty") }
        guard trimmed.count <= maximum else { throw .invalid(field, "must be at most \(maximum) characters") }
        guard trimmed.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalid(field, "must not contain control characters")
        }
        return trimmed
    }

    /// A carrier's Operating Company Number (NECA): 4 letters or digits, upper-cased.
    package static func ocn(_ text: String, field: String) throws(ServiceError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard trimmed.utf8.count == 4, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw .invalid(field, "must be a 4-character OCN (letters and digits)")
        }
        return trimmed
    }
}
