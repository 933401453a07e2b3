/// Random identifiers and secrets, from the system's cryptographically secure generator.
public enum Identifier {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A new identifier such as `acc_k3v9x0q2m7p1w8z4`.
    public static func make(prefix: String) -> String {
        prefix + "_" + random(16, from: alphabet)
    }

    /// `count` characters drawn uniformly from `alphabet`.
    static func random(_ count: Int, from alphabet: [Character] = secretAlphabet) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
