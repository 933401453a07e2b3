// MARK: - SIPParserConfiguration

/// Limits on every size a peer controls while a SIP message is parsed or framed.
///
/// RFC 3261 §18.1.1 lets a message grow up to the size of a UDP datagram (and beyond on TCP); a server facing
/// untrusted peers bounds each dimension so that no input makes it allocate without limit. Going over any
/// limit is reported as ``SIPParseError/Code/limitExceeded(_:)`` naming the limit, never as a crash.
///
/// The defaults suit a redirect server in front of carriers' SBCs: generous for real traffic (RFC 4475's
/// torture messages all fit), tight enough that a hostile peer cannot make a connection buffer more than
/// ``maximumMessageBytes``.
public struct SIPParserConfiguration: Sendable, Hashable {
    /// The largest message, start line through body, in bytes. Default 65,535: the largest UDP payload
    /// (RFC 3261 §18.1.1). A TCP connection never buffers more than this while it waits for a message to end.
    public var maximumMessageBytes: Int

    /// The largest number of header fields (lines, after unfolding) in one message. Default 100.
    public var maximumHeaderCount: Int

    /// The longest start line or header field, after unfolding continuation lines (RFC 3261 §7.3.1), in
    /// bytes. Default 4,096.
    public var maximumHeaderLineBytes: Int

    /// The largest number of Via values (RFC 3261 §20.42), over all Via header fields. Default 70.
    ///
    /// 70 is the initial Max-Forwards RFC 3261 §8.1.1.6 recommends, so a request that followed the rules
    /// carries at most about that many Vias. (RFC 4475 §3.1.1.2's valid `longreq` message carries 34.)
    public var maximumViaCount: Int

    /// The largest number of Contact values (RFC 3261 §20.10), over all Contact header fields. Default 32.
    public var maximumContactCount: Int

    /// The largest message body, in bytes (RFC 3261 §7.4). Default 16,384.
    public var maximumBodyBytes: Int

    /// Creates a configuration; every argument defaults to the documented default.
    public init(
        maximumMessageBytes: Int = 65_535,
        maximumHeaderCount: Int = 100,
        maximumHeaderLineBytes: Int = 4_096,
        maximumViaCount: Int = 70,
        maximumContactCount: Int = 32,
        maximumBodyBytes: Int = 16_384
    ) {
        precondition(maximumMessageBytes > 0 && maximumHeaderCount > 0 && maximumHeaderLineBytes > 0)
        precondition(maximumViaCount > 0 && maximumContactCount > 0 && maximumBodyBytes >= 0)
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumHeaderLineBytes = maximumHeaderLineBytes
        self.maximumViaCount = maximumViaCount
        self.maximumContactCount = maximumContactCount
        self.maximumBodyBytes = maximumBodyBytes
    }
}
