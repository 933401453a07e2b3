/// Base64url without padding (RFC 4648 §5), as JSON Web Signatures and PASSporTs use it (RFC 7515 §2).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each alphabet byte; 0xFF for bytes outside it.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// `bytes` encoded, without padding.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(encodedLength(bytes.underestimatedCount))
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// How many characters `count` bytes encode to, without padding.
    package static func encodedLength(_ count: Int) -> Int {
        (count * 4 + 2) / 3
    }

    /// Appends `bytes`, encoded without padding, to `output`: the signer builds a whole token in one buffer.
    package static func append<Bytes: Sequence>(_ bytes: Bytes, to output: inout [UInt8]) where Bytes.Element == UInt8 {
        var input = bytes.makeIterator()
        while let first = input.next() {
            let second = input.next()
            let third = second == nil ? nil : input.next()
            let chunk = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            guard second != nil else { return }
            output.append(alphabet[Int(chunk >> 6 & 63)])
            guard third != nil else { return }
            output.append(alphabet[Int(chunk & 63)])
        }
    }

    /// The bytes `text` encodes, or `nil` when it is not unpadded base64url: a byte outside the alphabet,
    /// a length no encoding has (4n + 1), or unused bits that are not zero (so each value has one encoding).
    public static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let input = text.utf8
        if input.count % 4 == 1 { return nil }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            let value = values[Int(byte)]
            if value == 0xFF { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        if accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return output
    }
}
