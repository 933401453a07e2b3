import Crypto
import Foundation
import Routing
import Telephony

/// What the redirect server decided about a call, as far as rating the call needs it: whose call it is, where
/// it went, and the rates it was routed at. The 302 carries it to the SBC (``DecisionToken``), and the SBC's record
/// of the call brings it back, so that a call is rated at the rates it was routed at even when its routing record
/// was never written.
public struct CallDecision: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// From a customer's trunk out through the carriers.
        case outbound = "o"
        /// To one of our numbers (and any legs it forwards on).
        case inbound = "i"
        /// 911 or 933.
        case emergency = "e"
    }

    /// Unix seconds.
    public var decidedAt: Int64
    /// The call's Call-ID, digested (``digest(ofCallID:)``): a record whose Call-ID does not match is not this call's,
    /// so a token cannot be moved onto another call.
    public var callDigest: String
    public var kind: Kind
    /// The customer the call is for.
    public var accountId: String?
    /// The calling trunk (outbound, emergency) or the called number's trunk (inbound).
    public var trunkId: String?
    /// The number called, as routing normalized it (E.164).
    public var destination: String?
    public var jurisdiction: Jurisdiction?
    /// The customer's rate (its effective date is not carried).
    public var price: Rate?
    /// The carriers the call was offered to, in the 302's order, with their rates.
    public var carriers: [ChosenCarrier]

    public init(
        decidedAt: Int64, callDigest: String, kind: Kind, accountId: String?, trunkId: String?, destination: String?,
        jurisdiction: Jurisdiction?, price: Rate?, carriers: [ChosenCarrier]
    ) {
        self.decidedAt = decidedAt
        self.callDigest = callDigest
        self.kind = kind
        self.accountId = accountId
        self.trunkId = trunkId
        self.destination = destination
        self.jurisdiction = jurisdiction
        self.price = price
        self.carriers = carriers
    }
}

extension CallDecision {
    /// What rating needs of a redirect's decision for the call `callID`, made at `time` (Unix seconds).
    public init(_ decision: RoutingDecision, callID: String, at time: Int64) {
        let kind: Kind = decision.emergency != nil ? .emergency : decision.toOurNumber ? .inbound : .outbound
        self.init(
            decidedAt: time, callDigest: Self.digest(ofCallID: callID), kind: kind,
            accountId: decision.accountId ?? decision.emergency?.accountId,
            trunkId: kind == .inbound ? decision.destinationTrunk : decision.sourceTrunk, destination: decision.normalized,
            jurisdiction: decision.jurisdiction, price: decision.priceRate, carriers: decision.carriers
        )
    }

    /// A Call-ID as a token carries it: the first 72 bits of its SHA-256, base64url (12 characters).
    public static func digest(ofCallID callID: String) -> String {
        Base64URL.encode(SHA256.hash(data: Data(callID.utf8)).prefix(9))
    }
}

/// Why a decision token does not open.
public enum DecisionTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a token of a version this server reads, or not in its shape.
    case malformed(String)
    /// The token's signature does not match: altered, or sealed under another key.
    case forged

    public var description: String {
        switch self {
        case .malformed(let reason): "the decision token is malformed: \(reason)"
        case .forged: "the decision token's signature does not match"
        }
    }
}

/// Seals a ``CallDecision`` into the `X-Tandem-Decision` header of a 302, and opens it again from a CDR.
///
/// The token is readable text, one field after another, then an HMAC-SHA256 of them truncated to 128 bits, so that
/// a switch can carry it (it has no `|`, `,`, quote or space: it survives flat files and CSV) but cannot change a
/// rate without the key:
///
/// `1.<decided at>.<call>.<kind>.<account>.<trunk>.<destination>.<jurisdiction>.<price>.<carriers>.<signature>`
///
/// where `call` is the Call-ID's digest, a rate is `micros:initial:increment` (its effective date is not carried),
/// carriers are `id:rate` joined by `~`, an absent value is `-`, and the signature is base64url. A field that holds
/// anything but letters, digits, `_`, `+` and `-` is sealed as `-`.
///
/// A token proves what Tandem decided for a call with this Call-ID: a record that carries it must be of that Call-ID
/// (``CallDecision/digest(ofCallID:)``), and whoever rates records must rate each call once.
public struct DecisionToken: Sendable {
    /// The SIP header the 302 carries it in.
    public static let header: StaticString = "X-Tandem-Decision"

    /// The HMAC with the key already absorbed: each token copies it, so that the key's two blocks are hashed once.
    private let keyed: HMAC<SHA256>

    /// A sealer with a 256-bit key.
    public init(key: SymmetricKey) {
        precondition(key.bitCount == 256, "a decision key is 256 bits")
        self.keyed = HMAC<SHA256>(key: key)
    }

    /// A sealer whose key is derived from the server's secrets key (`--secrets-key-file`), so that only a holder of
    /// that file can seal a token (HKDF-SHA256, its own info string: the key seals nothing else).
    public init(secretsKey: SymmetricKey) {
        self.init(key: HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secretsKey, info: Data("tandem decision token v1".utf8), outputByteCount: 32
        ))
    }

    /// A sealer with 32 random bytes kept for it (``Platform/ServerKeys``), where there is no secrets key.
    public init(storedKey: [UInt8]) {
        self.init(key: SymmetricKey(data: storedKey))
    }

    /// The token of `decision`.
    ///
    /// Made for every 302 to a trusted SBC, so written byte by byte into one buffer: one allocation for the buffer and
    /// one for the string.
    public func seal(_ decision: CallDecision) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + 48 * decision.carriers.count)
        bytes.append(UInt8(ascii: "1"))
        Self.append(number: decision.decidedAt, to: &bytes)
        Self.append(field: decision.callDigest, to: &bytes)
        Self.append(field: decision.kind.rawValue, to: &bytes)
        Self.append(field: decision.accountId, to: &bytes)
        Self.append(field: decision.trunkId, to: &bytes)
        Self.append(field: decision.destination, to: &bytes)
        Self.append(field: decision.jurisdiction?.rawValue, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        if let price = decision.price { Self.append(rate: price, to: &bytes) } else { bytes.append(UInt8(ascii: "-")) }
        bytes.append(UInt8(ascii: "."))
        if decision.carriers.isEmpty { bytes.append(UInt8(ascii: "-")) }
        for (index, carrier) in decision.carriers.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: "~")) }
            Self.append(safe: carrier.id, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            Self.append(rate: carrier.rate, to: &bytes)
        }
        let signature = signature(of: bytes)
        bytes.append(UInt8(ascii: "."))
        Base64URL.append(signature, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The decision `token` holds, if its signature is this server's.
    public func open(_ token: String) throws(DecisionTokenError) -> CallDecision {
        guard token.utf8.count <= 4_096 else { throw .malformed("longer than 4096 bytes") }
        guard let dot = token.lastIndex(of: ".") else { throw .malformed("no signature") }
        let text = String(token[..<dot])
        guard let presented = Base64URL.decode(token[token.index(after: dot)...]), presented.count == 16 else {
            throw .malformed("the signature is not 16 base64url bytes")
        }
        guard Self.constantTimeEqual(presented, signature(of: Array(text.utf8))) else { throw .forged }
        // Split as bytes: the token is ASCII, and splitting the String by Characters was most of opening one.
        let fields = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count == 10, fields[0] == "1" else { throw .malformed("not a version 1 token of 10 fields") }
        guard let decidedAt = Int64(fields[1]) else { throw .malformed("the decision time is not a number") }
        guard let callDigest = Self.optional(fields[2]) else { throw .malformed("no Call-ID digest") }
        guard let kind = CallDecision.Kind(rawValue: fields[3]) else { throw .malformed("unknown kind '\(fields[3])'") }
        let jurisdiction = try Self.optional(fields[7]).map { text throws(DecisionTokenError) in
            guard let value = Jurisdiction(rawValue: text) else { throw .malformed("unknown jurisdiction '\(text)'") }
            return value
        }
        let price = try Self.optional(fields[8]).map(Self.rate(parsing:))
        var carriers: [ChosenCarrier] = []
        if let list = Self.optional(fields[9]) {
            for entry in list.split(separator: "~", omittingEmptySubsequences: false) {
                guard let colon = entry.firstIndex(of: ":"), colon > entry.startIndex, entry[..<colon] != "-" else {
                    throw .malformed("a carrier has no id")
                }
                carriers.append(ChosenCarrier(
                    id: String(entry[..<colon]), rate: try Self.rate(parsing: String(entry[entry.index(after: colon)...]))
                ))
            }
        }
        return CallDecision(
            decidedAt: decidedAt, callDigest: callDigest, kind: kind, accountId: Self.optional(fields[4]),
            trunkId: Self.optional(fields[5]), destination: Self.optional(fields[6]), jurisdiction: jurisdiction, price: price,
            carriers: carriers
        )
    }

    // MARK: Fields

    /// The first 128 bits of the HMAC-SHA256 of `bytes`.
    private func signature<Bytes: DataProtocol>(of bytes: Bytes) -> [UInt8] {
        var hmac = keyed
        hmac.update(data: bytes)
        return Array(hmac.finalize().prefix(16))
    }

    /// Appends `.` and a field: the value when it is made of the token's safe characters, else `-`.
    private static func append(field value: String?, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "."))
        append(safe: value, to: &bytes)
    }

    /// Appends the value when it is made of the token's safe characters (letters, digits, `_`, `+`, `-`; not `-`
    /// alone), else `-`.
    private static func append(safe value: String?, to bytes: inout [UInt8]) {
        guard let value, !value.isEmpty, value != "-", value.utf8.allSatisfy(isSafe) else {
            bytes.append(UInt8(ascii: "-"))
            return
        }
        bytes.append(contentsOf: value.utf8)
    }

    /// Whether a byte may stand in a field: an ASCII letter or digit, `_`, `+` or `-`.
    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Appends `.` and a decimal number.
    private static func append(number: Int64, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "."))
        append(decimal: number, to: &bytes)
    }

    /// Appends `micros:initial:increment`.
    private static func append(rate: Rate, to bytes: inout [UInt8]) {
        append(decimal: rate.micros, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(decimal: Int64(rate.initialSeconds), to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        append(decimal: Int64(rate.incrementSeconds), to: &bytes)
    }

    /// Appends `value` in decimal, without a String in between.
    private static func append(decimal value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    private static func optional(_ field: String) -> String? {
        field == "-" ? nil : field
    }

    private static func rate(parsing text: String) throws(DecisionTokenError) -> Rate {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let micros = Int64(parts[0]), micros >= 0, let initial = Int32(parts[1]), initial > 0,
            let increment = Int32(parts[2]), increment > 0
        else { throw .malformed("'\(text)' is not a rate (micros:initial:increment)") }
        return Rate(micros: micros, initialSeconds: initial, incrementSeconds: increment)
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
