/// Rows for a bulk insert as one JSON array of arrays, built by hand into a byte buffer: the values each followed
/// by a comma, the few kinds the tables' rows need. Binding one JSON text and expanding it in the database
/// (`json_each`, `jsonb_array_elements`) costs far less than binding every value of every row.
public struct JSONText: Sendable {
    public var bytes: [UInt8] = []

    @inlinable
    public init() {}

    @inlinable
    public mutating func number(_ value: Int64?) {
        if let value { bytes.append(contentsOf: String(value).utf8) } else { bytes.append(contentsOf: "null".utf8) }
        bytes.append(UInt8(ascii: ","))
    }

    /// A JSON string (RFC 8259 §7). NUL characters are left out: PostgreSQL stores no text with them.
    @inlinable
    public mutating func string(_ value: String?) {
        guard let value else {
            bytes.append(contentsOf: "null,".utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        self.escaped(value)
        bytes.append(contentsOf: "\",".utf8)
    }

    /// One JSON string of `items`' texts joined by commas, as `string(items.map(text).joined(separator: ","))`
    /// writes it.
    @inlinable
    public mutating func string<Item>(joining items: [Item], _ text: (Item) -> String) {
        bytes.append(UInt8(ascii: "\""))
        for index in items.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            self.escaped(text(items[index]))
        }
        bytes.append(contentsOf: "\",".utf8)
    }

    /// The text of a JSON string, without its quotes: most text needs no escape, and is copied whole.
    @usableFromInline
    mutating func escaped(_ value: String) {
        guard value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            bytes.append(contentsOf: value.utf8)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case 0:
                continue
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x01..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
    }
}
