import NIOCore

// MARK: - SIPEncodedResponse

/// A response written as it goes on the wire while it is built (RFC 3261 §7.2): no header list, no interpolated
/// values. A server answering many requests builds its answers this way, and keeps the bytes to send again to a
/// retransmission (RFC 3261 §17.2.1).
///
/// The blank line that ends the header section is written by ``write(into:topVia:)``, so that headers can be
/// added until then. The body is empty: ``init(replyingTo:status:reason:toTag:)`` writes `Content-Length: 0`.
public struct SIPEncodedResponse: Sendable, Hashable {
    /// The status code, 100–699 (RFC 3261 §7.2).
    public let status: Int
    /// The status line and the header fields, each ending in CRLF, without the blank line that ends them.
    public private(set) var head: ByteBuffer
    /// Where the first Via field (`Via: ...` CRLF) sits in ``head``, for stamping (RFC 3261 §18.2.1).
    private var topViaField: Range<Int>?

    /// Starts a response to `request` as a UAS does (RFC 3261 §8.2.6), as ``SIPResponse/init(replyingTo:status:reason:toTag:)``
    /// does: every Via field in order, From, To (with `;tag=toTag` when it has no tag yet), Call-ID and CSeq, with
    /// canonical header names, and `Content-Length: 0`. Add other headers after.
    public init(replyingTo request: SIPRequest, status: Int, reason: String, toTag: String? = nil) {
        self.status = status
        self.head = ByteBuffer()
        self.head.reserveCapacity(512)
        self.head.writeStaticString("SIP/2.0 ")
        self.head.writeString(String(status))
        self.head.writeInteger(ASCII.space)
        self.head.writeString(reason)
        self.head.writeCRLF()
        for field in request.headers.fields where field.kind == .via {
            let start = self.head.writerIndex
            self.addHeader("Via", field.value)
            if self.topViaField == nil { self.topViaField = start..<self.head.writerIndex }
        }
        if let from = request.headers[known: .from] {
            self.addHeader("From", from)
        }
        if let to = request.headers[known: .to] {
            self.addHeader("To") { buffer in
                buffer.writeString(to)
                if let toTag, SIPResponse.needsTag(to) {
                    buffer.writeStaticString(";tag=")
                    buffer.writeString(toTag)
                }
            }
        }
        if let callID = request.headers.callID {
            self.addHeader("Call-ID", callID)
        }
        if let cseq = request.headers[known: .cseq] {
            self.addHeader("CSeq", cseq)
        }
        self.head.writeStaticString("Content-Length: 0\r\n")
    }

    /// Appends `name: value` CRLF.
    public mutating func addHeader(_ name: StaticString, _ value: String) {
        self.head.writeStaticString(name)
        self.head.writeStaticString(": ")
        self.head.writeString(value)
        self.head.writeCRLF()
    }

    /// Appends `name: ` and the value `writeValue` writes, then CRLF: a value made of parts is written without
    /// joining them into a string first. The value must not contain CR or LF.
    public mutating func addHeader(_ name: StaticString, writingValue writeValue: (inout ByteBuffer) -> Void) {
        self.head.writeStaticString(name)
        self.head.writeStaticString(": ")
        writeValue(&self.head)
        self.head.writeCRLF()
    }

    /// How many bytes the response takes on the wire, unstamped.
    public var byteCount: Int { self.head.readableBytes + 2 }

    /// Writes the response: status line, headers, empty line (RFC 3261 §7.2).
    ///
    /// With `topVia`, the first Via value is written as `topVia` instead, as ``SIPResponse/write(into:topVia:)``
    /// does: a server stamps `received` and `rport` on the top Via of what it answers (RFC 3261 §18.2.1,
    /// RFC 3581 §4) as it sends. The other values of the first Via field follow on lines of their own.
    public func write(into buffer: inout ByteBuffer, topVia: SIPVia? = nil) {
        if let topVia, let field = self.topViaField {
            buffer.writeImmutableBuffer(self.head.getSlice(at: 0, length: field.lowerBound)!)
            buffer.writeStaticString("Via: ")
            topVia.write(into: &buffer)
            buffer.writeCRLF()
            // "Via: " before the value and CRLF after it.
            let value = self.head.getString(at: field.lowerBound + 5, length: field.count - 7)!
            for element in splitHeaderList(value).dropFirst() where !element.isEmpty {
                buffer.writeStaticString("Via: ")
                buffer.writeSubstring(element)
                buffer.writeCRLF()
            }
            buffer.writeImmutableBuffer(
                self.head.getSlice(at: field.upperBound, length: self.head.writerIndex - field.upperBound)!
            )
        } else {
            buffer.writeImmutableBuffer(self.head)
        }
        buffer.writeCRLF()
    }
}

extension SIPResponse {
    /// Whether a To value needs the server's tag: RFC 3261 §8.2.6.2 adds one unless the request's To has a
    /// `tag` parameter already.
    static func needsTag(_ to: String) -> Bool {
        !Self.mayCarryTag(to) || !Self.hasTag(to)
    }

    /// Whether a To value can have a `tag` parameter at all: only if `tag` is written in it, in any case, or it
    /// holds `%` escapes that could spell it (RFC 3261 §19.1.4). Most requests' To has neither, and is not parsed.
    private static func mayCarryTag(_ to: String) -> Bool {
        var last2: UInt8 = 0, last1: UInt8 = 0
        for byte in to.utf8 {
            let lowered = byte.lowercasedASCII
            if byte == ASCII.percent
                || (last2 == UInt8(ascii: "t") && last1 == UInt8(ascii: "a") && lowered == UInt8(ascii: "g"))
            {
                return true
            }
            (last2, last1) = (last1, lowered)
        }
        return false
    }

    private static func hasTag(_ to: String) -> Bool {
        (try? SIPNameAddress(parsing: to, header: "To"))?.parameters.contains("tag") ?? false
    }
}
