import NIOCore
import Routing
import SIP

/// The response-encoding layer: how decisions and refusals are written as SIP responses, byte for byte.
struct RedirectEncoder: Sendable {
    /// The Server header's value, and the agent named in Warning headers (in lower case).
    let serverName: String
    /// Where emergency calls' locations are published: a location's URL is this, `/`, and its address id.
    let emergencyLocations: String

    /// A `302 Moved Temporarily` with a Contact per target, best first, q-values from 1.0 down by tenths.
    func redirect(_ request: SIPRequest, to targets: [RouteTarget]) -> SIPEncodedResponse {
        var response = SIPEncodedResponse(replyingTo: request, status: 302, reason: "Moved Temporarily", toTag: Self.tag(request))
        for (index, target) in targets.enumerated() {
            response.addHeader("Contact") { Self.writeContact(target, q: max(10 - index, 1), into: &$0) }
        }
        return response
    }

    /// A routing or admission refusal: its status, a Reason header (RFC 3326), and Retry-After when temporary.
    func refusal(_ request: SIPRequest, _ refusal: Refusal) -> SIPEncodedResponse {
        var response = self.refusal(request, status: refusal.status, reason: Self.phrase(refusal.status), warning: nil)
        response.addHeader("Reason", "SIP ;cause=\(refusal.status) ;text=\"\(Self.quoted(refusal.reason))\"")
        if let retryAfter = refusal.retryAfter {
            response.addHeader("Retry-After", String(retryAfter))
        }
        return response
    }

    /// A protocol refusal (`400`, `405`, `416`, `420`, `483`, `505`, ...), with a Warning saying why when given.
    func refusal(_ request: SIPRequest, status: Int, reason: String, warning: String?) -> SIPEncodedResponse {
        var response = SIPEncodedResponse(replyingTo: request, status: status, reason: reason, toTag: Self.tag(request))
        if let warning {
            response.addHeader("Warning", "399 \(serverName.lowercased()) \"\(Self.quoted(warning))\"")
        }
        response.addHeader("Server", serverName)
        return response
    }

    /// What the emergency provider needs beside the route: the callback number (RFC 3325) and the caller's
    /// location by reference (RFC 6442). A caller without a validated address gets a Warning instead; returns
    /// whether the call had a location.
    func addEmergencyHeaders(_ emergency: EmergencyCall, to response: inout SIPEncodedResponse, host: String) -> Bool {
        if let callback = emergency.callback {
            response.addHeader("P-Asserted-Identity", "<sip:\(callback.e164)@\(host);user=phone>")
        }
        guard let location = emergency.location else {
            response.addHeader("Warning", "399 \(serverName.lowercased()) \"no validated address for the calling number\"")
            return false
        }
        response.addHeader("Geolocation", "<\(emergencyLocations)/\(location.addressId)>")
        response.addHeader("Geolocation-Routing", "no")
        return true
    }

    /// Writes a Contact value for a redirect target: `<sip:user@host:port;transport=...;user=phone>;q=0.9`, its
    /// q-value given in tenths (RFC 3261 §20.10). An IPv6 host goes in brackets; TLS targets are `sips`.
    static func writeContact(_ target: RouteTarget, q tenths: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(target.transport == "tls" ? "<sips:" : "<sip:")
        buffer.writeString(target.user)
        buffer.writeInteger(UInt8(ascii: "@"))
        let bracketed = target.host.utf8.contains(UInt8(ascii: ":")) && target.host.utf8.first != UInt8(ascii: "[")
        if bracketed { buffer.writeInteger(UInt8(ascii: "[")) }
        buffer.writeString(target.host)
        if bracketed { buffer.writeInteger(UInt8(ascii: "]")) }
        buffer.writeInteger(UInt8(ascii: ":"))
        buffer.writeString(String(target.port))
        if target.transport != "udp" {
            buffer.writeStaticString(";transport=")
            buffer.writeString(target.transport)
        }
        // Telephone numbers in SIP URIs carry user=phone (RFC 3261 §19.1.1), as do their rn/npdi parameters.
        if target.user.utf8.first == UInt8(ascii: "+") { buffer.writeStaticString(";user=phone") }
        if tenths == 10 {
            buffer.writeStaticString(">;q=1.0")
        } else {
            buffer.writeStaticString(">;q=0.")
            buffer.writeInteger(UInt8(ascii: "0") + UInt8(tenths))
        }
    }

    /// A To-tag derived from the request, so retransmissions and the final answer agree (RFC 3261 §8.2.6.2).
    static func tag(_ request: SIPRequest) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (request.headers.callID ?? "").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 36)
    }

    /// Text fit for a quoted string: no control characters, quotes or backslashes, at most 200 characters.
    static func quoted(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }.prefix(200).map(Character.init))
    }

    /// The reason phrase of a refusal's status.
    static func phrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 480: "Temporarily Unavailable"
        case 484: "Address Incomplete"
        case 486: "Busy Here"
        case 500: "Server Internal Error"
        case 503: "Service Unavailable"
        case 603: "Decline"
        default: "Refused"
        }
    }
}
