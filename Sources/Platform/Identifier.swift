#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random identifiers and secrets, from the system's cryptographically secure generator.
public enum Identifier {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A new identifier such as `acc_k3v9x0q2m7p1w8z4`.
    public static func make(prefix: String) -> String {
        prefix + "_" + random(16, from: alphabet)
    }

    /// A new secret such as `whsec_` followed by 32 letters and digits.
    public static func secret(prefix: String, length: Int = 32) -> String {
        prefix + random(length)
    }

    /// Whether two secrets (or their hashes) are equal, in time that does not depend on where they differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `count` characters drawn uniformly from `alphabet`: random bytes below the largest multiple of the alphabet's
    /// size each pick a character, the others are drawn again.
    ///
    /// The bytes come from the system's generator in one call for the whole identifier (`getentropy`), not one per
    /// character: storing a CDR makes an identifier, and a system call per character was a tenth of ingestion's time.
    package static func random(_ count: Int, from alphabet: [Character] = secretAlphabet) -> String {
        let usable = 256 - 256 % alphabet.count
        var picked: [Character] = []
        picked.reserveCapacity(count)
        while picked.count < count {
            for byte in randomBytes(min(count + count / 2 + 8, 256)) where Int(byte) < usable && picked.count < count {
                picked.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(picked)
    }

    /// `count` (at most 256) bytes from the system's cryptographically secure generator.
    private static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let filled = bytes.withUnsafeMutableBytes { getentropy($0.baseAddress, count) } == 0
        if !filled {
            var generator = SystemRandomNumberGenerator()
            for index in bytes.indices { bytes[index] = generator.next() }
        }
        return bytes
    }
}
