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

    /// `count` characters drawn uniformly from `alphabet`.
    package static func random(_ count: Int, from alphabet: [Character] = secretAlphabet) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
