/// Destination prefixes outbound calls may not reach: network-wide, and per account. A destination is blocked
/// when any prefix of its E.164 digits is, in either list; a lookup costs one hash probe per prefix length in use.
public struct DestinationBlocks: Sendable {
    private var network = PrefixSet()
    private var accounts: [String: PrefixSet] = [:]

    public init() {}

    /// Blocks a prefix (E.164 digits, with or without `+`) for an account, or for everyone when `account` is `nil`.
    /// Text that is not 1 to 15 digits is ignored.
    public mutating func add(prefix: String, account: String?) {
        let digits = prefix.hasPrefix("+") ? prefix.dropFirst() : Substring(prefix)
        guard (1...15).contains(digits.utf8.count), let value = UInt64(digits) else { return }
        if let account {
            accounts[account, default: PrefixSet()].insert(value, length: digits.utf8.count)
        } else {
            network.insert(value, length: digits.utf8.count)
        }
    }

    public var isEmpty: Bool { network.isEmpty && accounts.isEmpty }

    /// The blocked prefix (`+` and digits) that covers a destination for an account, if any.
    func blocked(_ digits: UInt64, count: Int, account: String) -> String? {
        guard !isEmpty else { return nil }
        let length = network.longestMatch(digits, count: count) ?? accounts[account]?.longestMatch(digits, count: count)
        return length.map { length in
            var divisor: UInt64 = 1
            for _ in 0..<(count - length) { divisor *= 10 }
            return "+\(digits / divisor)"
        }
    }
}

/// Digit prefixes of up to 15 digits, keyed like rate-deck prefixes.
private struct PrefixSet: Sendable {
    private var keys: Set<UInt64> = []
    /// Bit `n` is set when some prefix has `n` digits.
    private var lengths: UInt16 = 0

    var isEmpty: Bool { keys.isEmpty }

    mutating func insert(_ prefix: UInt64, length: Int) {
        keys.insert(RateDeck.prefixKey(prefix, length: length))
        lengths |= 1 << length
    }

    /// The length of the longest prefix of `digits` (which has `count` digits) in the set.
    func longestMatch(_ digits: UInt64, count: Int) -> Int? {
        var divisor: UInt64 = 1
        for length in stride(from: count, through: 1, by: -1) {
            defer { divisor &*= 10 }
            if lengths & (1 << length) != 0, keys.contains(RateDeck.prefixKey(digits / divisor, length: length)) { return length }
        }
        return nil
    }
}
