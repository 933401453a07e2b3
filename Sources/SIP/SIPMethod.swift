// MARK: - SIPMethod

/// A SIP request method (RFC 3261 §7.1, §27.4).
///
/// Methods are case-sensitive tokens: `invite` is not `INVITE` (RFC 3261 §7.1). Any token is a method;
/// the static constants name the ones Tandem meets.
public struct SIPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The method token exactly as written.
    public var rawValue: String

    /// Wraps a method token. The caller ensures it is a `token` (RFC 3261 §25.1); parsers check this.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Wraps a method token.
    public init(_ token: String) {
        self.rawValue = token
    }

    /// Creates a method from a literal, such as `"INVITE"`.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The token.
    public var description: String { self.rawValue }

    /// Whether `token` is a valid method: a non-empty `token` (RFC 3261 §25.1).
    static func isValid(_ token: some Collection<UInt8>) -> Bool {
        !token.isEmpty && token.allSatisfy(\.isTokenCharacter)
    }

    /// `INVITE` (RFC 3261 §13).
    public static let invite = SIPMethod("INVITE")
    /// `ACK` (RFC 3261 §13.2.2.4, §17.1.1.3).
    public static let ack = SIPMethod("ACK")
    /// `BYE` (RFC 3261 §15).
    public static let bye = SIPMethod("BYE")
    /// `CANCEL` (RFC 3261 §9).
    public static let cancel = SIPMethod("CANCEL")
    /// `OPTIONS` (RFC 3261 §11).
    public static let options = SIPMethod("OPTIONS")
    /// `REGISTER` (RFC 3261 §10).
    public static let register = SIPMethod("REGISTER")
    /// `INFO` (RFC 6086).
    public static let info = SIPMethod("INFO")
    /// `PRACK` (RFC 3262).
    public static let prack = SIPMethod("PRACK")
    /// `UPDATE` (RFC 3311).
    public static let update = SIPMethod("UPDATE")
    /// `SUBSCRIBE` (RFC 6665).
    public static let subscribe = SIPMethod("SUBSCRIBE")
    /// `NOTIFY` (RFC 6665).
    public static let notify = SIPMethod("NOTIFY")
    /// `REFER` (RFC 3515).
    public static let refer = SIPMethod("REFER")
    /// `MESSAGE` (RFC 3428).
    public static let message = SIPMethod("MESSAGE")
    /// `PUBLISH` (RFC 3903).
    public static let publish = SIPMethod("PUBLISH")
}

// MARK: - SIPVersion

/// A protocol version such as `SIP/2.0` (RFC 3261 §7.1).
///
/// The parser accepts any `SIP/<digits>.<digits>` so that a server can answer `505 Version Not Supported`
/// (RFC 3261 §21.5.26); ``SIPRequest/validate(requiringMaxForwards:)`` rejects anything but 2.0.
public struct SIPVersion: Sendable, Hashable, CustomStringConvertible {
    /// The major version.
    public var major: Int
    /// The minor version.
    public var minor: Int

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// `SIP/2.0`, the only version RFC 3261 defines.
    public static let sip2 = SIPVersion(major: 2, minor: 0)

    /// `SIP/<major>.<minor>`.
    public var description: String { "SIP/\(self.major).\(self.minor)" }

    /// Parses `SIP/x.y` (the literal is case-insensitive, RFC 3261 §25.1); at most 4 digits per number.
    init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count >= 7, equalsIgnoringASCIICase(bytes.prefix(4), "SIP/".utf8) else { return nil }
        let numbers = bytes.dropFirst(4)
        guard let dot = numbers.firstIndex(of: ASCII.dot) else { return nil }
        let majorDigits = numbers[..<dot]
        let minorDigits = numbers[numbers.index(after: dot)...]
        guard (1...4).contains(majorDigits.count), (1...4).contains(minorDigits.count),
            majorDigits.allSatisfy(\.isASCIIDigit), minorDigits.allSatisfy(\.isASCIIDigit)
        else { return nil }
        self.major = majorDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        self.minor = minorDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
