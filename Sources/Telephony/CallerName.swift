/// A caller name as CNAM carries it: at most 15 characters of printable ASCII (the limit of the SS7 and SIP
/// CNAM databases, Telcordia GR-1188), spaces collapsed.
public struct CallerName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The longest name CNAM delivers.
    public static let maximumLength = 15

    public let text: String

    /// Normalizes `raw`: surrounding whitespace trimmed and inner runs of whitespace made one space.
    ///
    /// - Throws: a ``NameError`` when the result is empty, longer than 15 characters, or not printable ASCII.
    public init(normalizing raw: String, maximumLength: Int = CallerName.maximumLength) throws(NameError) {
        var text = ""
        var pendingSpace = false
        for scalar in raw.unicodeScalars {
            if scalar == " " || scalar == "\t" {
                pendingSpace = !text.isEmpty
                continue
            }
            guard scalar.value >= 0x21 && scalar.value <= 0x7E else {
                throw NameError("'\(raw)' holds a character CNAM cannot carry (printable ASCII only)")
            }
            if pendingSpace {
                text.append(" ")
                pendingSpace = false
            }
            text.unicodeScalars.append(scalar)
        }
        guard !text.isEmpty else { throw NameError("the name is empty") }
        guard text.utf8.count <= maximumLength else {
            throw NameError("'\(text)' is \(text.utf8.count) characters; at most \(maximumLength)")
        }
        self.text = text
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(normalizing: raw)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// Why a name was refused.
    public struct NameError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }
}
