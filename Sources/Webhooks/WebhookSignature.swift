import Crypto
import Foundation

/// The signature on every webhook delivery: `Tandem-Signature: t=TIMESTAMP,v1=HEX`.
///
/// `TIMESTAMP` is when the delivery was sent, in Unix seconds; `HEX` is the lowercase hex HMAC-SHA256 (RFC 2104)
/// of `TIMESTAMP`, a period and the raw request body, keyed with the endpoint's secret (its UTF-8 bytes). A
/// receiver recomputes it over the body as received, compares in constant time, and refuses timestamps far from
/// its clock, so that a captured delivery cannot be replayed later. While a rotated secret is still valid, the
/// header carries one `v1` per secret, the newest first; a receiver accepts any that matches. See docs/webhooks.md.
public enum WebhookSignature {
    /// The header that carries the signature.
    public static let header = "Tandem-Signature"

    /// The header value for `body` sent at `timestamp`, with a signature by each of `secrets` in order.
    public static func sign(_ body: some DataProtocol, secrets: [String], timestamp: Int64) -> String {
        "t=\(timestamp)" + secrets.map { ",v1=\(hex(mac(body, secret: $0, timestamp: timestamp)))" }.joined()
    }

    /// Whether `header` is a valid signature of `body` with `secret`, made within `tolerance` seconds of `now`.
    public static func verify(
        _ header: String, body: some DataProtocol, secret: String, now: Int64, tolerance: Int64 = 300
    ) -> Bool {
        var timestamp: Int64?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now - timestamp) <= tolerance else { return false }
        let signed = message(body, timestamp)
        return signatures.contains { signature in
            guard let bytes = bytes(hex: signature) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: signed, using: key(secret))
        }
    }

    private static func mac(_ body: some DataProtocol, secret: String, timestamp: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message(body, timestamp), using: key(secret)))
    }

    private static func message(_ body: some DataProtocol, _ timestamp: Int64) -> Data {
        var message = Data("\(timestamp).".utf8)
        message.append(contentsOf: body)
        return message
    }

    private static func key(_ secret: String) -> SymmetricKey {
        SymmetricKey(data: Data(secret.utf8))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0, digits.count <= 128 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
