// MARK: - IPAddress

/// An IPv4 or IPv6 address, as configured for SIP trunk hosts and matched against call source addresses.
///
/// Parsing is strict so that an address means one thing: IPv4 is a dotted quad of four decimal octets without
/// leading zeros (RFC 6943 §3.1.1 warns that `010` reads as octal elsewhere); IPv6 is the RFC 4291 §2.2 text
/// form with at most one `::` and an optional embedded IPv4 tail. Brackets (RFC 3986 `[v6]`) and zone
/// identifiers (`%eth0`) are not accepted. `description` is the RFC 5952 canonical form.
public enum IPAddress: Sendable, Hashable {
    /// An IPv4 address, most significant octet first.
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves, most significant first.
    case v6(high: UInt64, low: UInt64)

    /// Parses an IPv4 dotted quad or an IPv6 address.
    ///
    /// - Throws: `AddressError` with the reason the text is not an address.
    public init(parsing text: String) throws(AddressError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw AddressError(input: text, reason: "is empty") }
        if bytes.contains(UInt8(ascii: ":")) {
            let (high, low) = try Self.parseV6(bytes[...], input: text)
            self = .v6(high: high, low: low)
        } else {
            self = .v4(try Self.parseV4(bytes[...], input: text))
        }
    }

    /// Whether this is an IPv4 address.
    public var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The length of an address in bits: 32 or 128.
    public var bitWidth: Int {
        isV4 ? 32 : 128
    }
}

// MARK: - Text

extension IPAddress: CustomStringConvertible, LosslessStringConvertible {
    /// The canonical text: dotted quad, or the RFC 5952 §4 form (lowercase, zeros suppressed, the longest run
    /// of two or more zero groups compressed, IPv4-mapped addresses with a dotted tail per §5).
    public var description: String {
        switch self {
        case .v4(let value):
            return Self.dottedQuad(value)
        case .v6(let high, let low):
            if high == 0 && low >> 32 == 0xFFFF {
                return "::ffff:" + Self.dottedQuad(UInt32(truncatingIfNeeded: low))
            }
            let groups = (0..<8).map { index -> UInt16 in
                let half = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: half >> (UInt64(3 - index % 4) * 16))
            }
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else {
                    index += 1
                    continue
                }
                let start = index
                while index < 8 && groups[index] == 0 { index += 1 }
                if index - start > bestLength {
                    bestStart = start
                    bestLength = index - start
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            guard bestStart >= 0 else { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// Parses an address; `nil` when `init(parsing:)` would throw.
    public init?(_ description: String) {
        guard let address = try? IPAddress(parsing: description) else { return nil }
        self = address
    }

    /// What a per-source limit counts as one source: an IPv4 address alone (also as a dual-stack socket gives it,
    /// IPv4-mapped: `::ffff:a.b.c.d`), an IPv6 address by its /64, the block one host (or one subscriber's LAN) is
    /// given and can draw any number of addresses from (RFC 4291 §2.5.1).
    public var sourceGroup: IPAddress {
        if case .v6(let high, let low) = self, high == 0, low >> 32 == 0xFFFF { return .v4(UInt32(truncatingIfNeeded: low)) }
        return isV4 ? self : CIDRBlock.masked(self, prefixLength: 64)
    }
}

extension IPAddress: Codable {
    /// Decodes an address from its text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try IPAddress(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the address as its canonical text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - Parsing

extension IPAddress {
    private static func dottedQuad(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    static func parseV4(_ bytes: ArraySlice<UInt8>, input: String) throws(AddressError) -> UInt32 {
        var result: UInt32 = 0
        var octets = 0
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            octets += 1
            guard octets <= 4 else { throw AddressError(input: input, reason: "an IPv4 address has 4 octets") }
            guard !part.isEmpty else { throw AddressError(input: input, reason: "an IPv4 octet is empty") }
            guard part.allSatisfy({ (48...57).contains($0) }) else {
                throw AddressError(input: input, reason: "an IPv4 octet must be decimal digits")
            }
            guard part.count == 1 || part.first != UInt8(ascii: "0") else {
                throw AddressError(input: input, reason: "an IPv4 octet has a leading zero, which is ambiguous")
            }
            var octet = 0
            for digit in part.prefix(4) { octet = octet * 10 + Int(digit - 48) }
            guard part.count <= 3, octet <= 255 else {
                throw AddressError(input: input, reason: "an IPv4 octet is greater than 255")
            }
            result = result << 8 | UInt32(octet)
        }
        guard octets == 4 else { throw AddressError(input: input, reason: "an IPv4 address has 4 octets") }
        return result
    }

    private static func parseV6(
        _ bytes: ArraySlice<UInt8>,
        input: String
    ) throws(AddressError) -> (UInt64, UInt64) {
        let colon = UInt8(ascii: ":")
        var compression: Int?
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == colon && bytes[index + 1] == colon {
                guard compression == nil else {
                    throw AddressError(input: input, reason: "'::' may appear only once in an IPv6 address")
                }
                compression = index
                index += 2
            } else {
                index += 1
            }
        }
        var groups: [UInt16]
        if let compression {
            let head = try parseGroups(bytes[..<compression], allowsV4: false, input: input)
            let tail = try parseGroups(bytes[(compression + 2)...], allowsV4: true, input: input)
            guard head.count + tail.count <= 7 else {
                throw AddressError(input: input, reason: "an IPv6 address with '::' has at most 7 groups")
            }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            groups = try parseGroups(bytes, allowsV4: true, input: input)
            guard groups.count == 8 else {
                throw AddressError(input: input, reason: "an IPv6 address has 8 groups unless '::' is used")
            }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    private static func parseGroups(
        _ bytes: ArraySlice<UInt8>,
        allowsV4: Bool,
        input: String
    ) throws(AddressError) -> [UInt16] {
        guard !bytes.isEmpty else { return [] }
        let parts = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (position, part) in parts.enumerated() {
            if part.contains(UInt8(ascii: ".")) {
                guard allowsV4, position == parts.count - 1 else {
                    throw AddressError(input: input, reason: "an embedded IPv4 address must be the last part")
                }
                let value = try parseV4(part, input: input)
                groups.append(UInt16(value >> 16))
                groups.append(UInt16(value & 0xFFFF))
                continue
            }
            guard !part.isEmpty else { throw AddressError(input: input, reason: "an IPv6 group is empty") }
            guard part.count <= 4 else {
                throw AddressError(input: input, reason: "an IPv6 group has more than 4 hex digits")
            }
            var value: UInt16 = 0
            for byte in part {
                let digit: UInt8
                switch byte {
                case 48...57: digit = byte - 48
                case 97...102: digit = byte - 87
                case 65...70: digit = byte - 55
                default:
                    if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") {
                        throw AddressError(input: input, reason: "write IPv6 addresses without brackets")
                    }
                    if byte == UInt8(ascii: "%") {
                        throw AddressError(input: input, reason: "zone identifiers are not accepted")
                    }
                    throw AddressError(input: input, reason: "an IPv6 group must be hex digits")
                }
                value = value << 4 | UInt16(digit)
            }
            groups.append(value)
        }
        return groups
    }
}

// MARK: - CIDRBlock

/// A block of addresses in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): `10.0.0.0/8`, `2001:db8::/32`.
///
/// Used for the source addresses a customer trunk may send from. A bare address is a single host (`/32` or
/// `/128`). A block with bits set after the prefix (`10.1.2.3/8`) is rejected rather than silently widened,
/// since it usually means a typo.
public struct CIDRBlock: Sendable, Hashable {
    /// The first address of the block (host bits are zero).
    public let address: IPAddress
    /// The prefix length: 0-32 for IPv4, 0-128 for IPv6.
    public let prefixLength: Int

    /// Creates a block from an address and a prefix length.
    ///
    /// - Throws: `AddressError` when the length is out of range or the address has host bits set.
    public init(address: IPAddress, prefixLength: Int) throws(AddressError) {
        let input = "\(address)/\(prefixLength)"
        guard (0...address.bitWidth).contains(prefixLength) else {
            throw AddressError(input: input, reason: "the prefix length must be 0 to \(address.bitWidth)")
        }
        let network = Self.masked(address, prefixLength: prefixLength)
        guard network == address else {
            throw AddressError(input: input, reason: "host bits set; did you mean \(network)/\(prefixLength)?")
        }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// Parses `address/length` or a bare address (one host).
    ///
    /// - Throws: `AddressError` naming the problem, for example "host bits set; did you mean 10.0.0.0/8?".
    public init(parsing text: String) throws(AddressError) {
        guard let slash = text.firstIndex(of: "/") else {
            let address = try IPAddress(parsing: text)
            self = try CIDRBlock(address: address, prefixLength: address.bitWidth)
            return
        }
        let address: IPAddress
        do {
            address = try IPAddress(parsing: String(text[..<slash]))
        } catch {
            throw AddressError(input: text, reason: error.reason)
        }
        let lengthText = text[text.index(after: slash)...]
        guard !lengthText.isEmpty, lengthText.utf8.count <= 3, lengthText.utf8.allSatisfy({ (48...57).contains($0) }),
            lengthText.utf8.count == 1 || lengthText.first != "0", let length = Int(lengthText)
        else {
            throw AddressError(input: text, reason: "the prefix length must be a decimal number without leading zeros")
        }
        do {
            try self.init(address: address, prefixLength: length)
        } catch {
            throw AddressError(input: text, reason: error.reason)
        }
    }

    /// Whether the block contains an address. IPv4 blocks contain only IPv4 addresses, IPv6 blocks only IPv6
    /// addresses (an IPv4-mapped IPv6 address is not an IPv4 address here).
    public func contains(_ other: IPAddress) -> Bool {
        guard other.isV4 == address.isV4 else { return false }
        return Self.masked(other, prefixLength: prefixLength) == address
    }

    /// The network address of `address` under a prefix of `prefixLength` bits: the address with its host bits
    /// cleared. `prefixLength` must be within the address's bit width.
    public static func masked(_ address: IPAddress, prefixLength: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << UInt32(32 - prefixLength)
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = prefixLength == 0 ? 0 : ~0 << UInt64(64 - min(prefixLength, 64))
            let lowMask: UInt64 = prefixLength <= 64 ? 0 : ~0 << UInt64(128 - prefixLength)
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }
}

extension CIDRBlock: CustomStringConvertible, LosslessStringConvertible {
    /// `address/length`, with the address in canonical form.
    public var description: String {
        "\(address)/\(prefixLength)"
    }

    /// Parses a block; `nil` when `init(parsing:)` would throw.
    public init?(_ description: String) {
        guard let block = try? CIDRBlock(parsing: description) else { return nil }
        self = block
    }
}

extension CIDRBlock: Codable {
    /// Decodes a block from its text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try CIDRBlock(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes the block as `address/length`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - HostName

/// Validation of the host part of a SIP trunk destination (RFC 3261 §25.1 `host`).
public enum HostName: Sendable {
    /// Accepts an IP address literal (IPv4, or IPv6 without brackets) or an RFC 1123 §2.1 host name.
    ///
    /// A host name has labels of 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen,
    /// at most 253 characters in all (RFC 1035 §2.3.4); one trailing dot (a fully qualified name) is allowed.
    /// A name whose last label is all digits is rejected, since it is a mistyped IPv4 address (RFC 3696 §2).
    ///
    /// - Throws: `AddressError` with the reason.
    public static func validate(_ text: String) throws(AddressError) {
        guard !text.isEmpty else { throw AddressError(input: text, reason: "is empty") }
        if text.utf8.contains(UInt8(ascii: ":")) || text.utf8.contains(UInt8(ascii: "[")) {
            do {
                _ = try IPAddress(parsing: text)
            } catch {
                let colons = text.utf8.count(where: { $0 == UInt8(ascii: ":") })
                guard colons == 1, text.utf8.contains(UInt8(ascii: ".")) else { throw error }
                throw AddressError(input: text, reason: "a host must not include a port; set the port separately")
            }
            return
        }
        var name = Substring(text)
        if name.last == "." { name.removeLast() }
        guard !name.isEmpty else { throw AddressError(input: text, reason: "is empty") }
        guard name.utf8.count <= 253 else {
            throw AddressError(input: text, reason: "a host name has at most 253 characters")
        }
        let labels = name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { throw AddressError(input: text, reason: "a host name label is empty") }
            guard label.count <= 63 else {
                throw AddressError(input: text, reason: "a host name label has at most 63 characters")
            }
            guard label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                throw AddressError(input: text, reason: "a host name has only letters, digits, '-' and '.'")
            }
            guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
                throw AddressError(input: text, reason: "a host name label must not start or end with '-'")
            }
        }
        if let last = labels.last, last.allSatisfy({ (48...57).contains($0) }) {
            do {
                _ = try IPAddress(parsing: text)
            } catch {
                throw AddressError(input: text, reason: error.reason)
            }
        }
    }

    /// Whether a host name is loopback by definition (RFC 6761 §6.3): `localhost` and names under `.localhost`,
    /// with or without the root's trailing dot, in any case.
    public static func isLoopbackName(_ name: String) -> Bool {
        var name = name.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name == "localhost" || name.hasSuffix(".localhost")
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }
}

// MARK: - AddressError

/// Why a text is not a valid address, block or host name.
public struct AddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was rejected.
    public let input: String
    /// What is wrong, as a phrase: "an IPv4 octet is greater than 255".
    public let reason: String

    /// Creates an error for an input.
    public init(input: String, reason: String) {
        self.input = input
        self.reason = reason
    }

    /// `'input' is not valid: reason`.
    public var description: String {
        "'\(input)' is not valid: \(reason)"
    }
}

// MARK: - Address classes

extension IPAddress {
    /// Ranges that do not reach the public internet, or may translate to one that does not: unspecified,
    /// loopback, private (RFC 1918, RFC 4193), shared (RFC 6598), link-local, benchmarking, documentation,
    /// multicast and reserved space, NAT64 (RFC 6052, RFC 8215), 6to4 (RFC 3056) and site-local.
    /// The IANA special-purpose blocks (RFC 6890 and its updates) that are not globally reachable, and the
    /// IPv6 forms that embed an IPv4 address a peer could use to name one of the IPv4 blocks: IPv4-compatible
    /// (`::/96`, deprecated by RFC 4291 but still parsed and routed by stacks), IPv4-translated
    /// (`::ffff:0:0:0/96`, RFC 2765), NAT64 (`64:ff9b::/96`, RFC 6052) and 6to4 (`2002::/16`, with its relay
    /// anycast `192.88.99.0/24`, RFC 7526).
    private static let nonPublicBlocks: [CIDRBlock] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/3",
        "::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { try! CIDRBlock(parsing: $0) }

    /// Whether the address is on the public internet: what a server may fetch from on a peer's say-so without
    /// opening a way into the operator's own network (server-side request forgery). An IPv4-mapped IPv6
    /// address is judged as its IPv4 address.
    public var isPubliclyRoutable: Bool {
        if case .v6(0, let low) = self, low >> 32 == 0xFFFF {
            return IPAddress.v4(UInt32(truncatingIfNeeded: low)).isPubliclyRoutable
        }
        return !Self.nonPublicBlocks.contains { $0.contains(self) }
    }
}
