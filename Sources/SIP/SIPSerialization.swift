import NIOCore

// MARK: - Writing

extension SIPRequest {
    /// Writes the request as it goes on the wire: request line, headers as stored, empty line, body
    /// (RFC 3261 §7.1). Content-Length is not added or corrected; set it when you set the body.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeString(self.method.rawValue)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.uri.description)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.version.description)
        buffer.writeCRLF()
        self.headers.write(into: &buffer)
        buffer.writeCRLF()
        buffer.writeImmutableBuffer(self.body)
    }
}

extension SIPResponse {
    /// Writes the response as it goes on the wire: status line, headers as stored, empty line, body
    /// (RFC 3261 §7.2). Content-Length is not added or corrected; set it when you set the body.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeString(self.version.description)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(String(self.status))
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.reason)
        buffer.writeCRLF()
        self.headers.write(into: &buffer)
        buffer.writeCRLF()
        buffer.writeImmutableBuffer(self.body)
    }
}

extension SIPMessage {
    /// Writes the request or response (RFC 3261 §7).
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .request(let request): request.write(into: &buffer)
        case .response(let response): response.write(into: &buffer)
        }
    }
}

extension SIPHeaders {
    /// Writes `name: value CRLF` for every field, in order.
    func write(into buffer: inout ByteBuffer) {
        for field in self.fields {
            buffer.writeString(field.name)
            buffer.writeInteger(ASCII.colon)
            buffer.writeInteger(ASCII.space)
            buffer.writeString(field.value)
            buffer.writeCRLF()
        }
    }
}

extension ByteBuffer {
    fileprivate mutating func writeCRLF() {
        self.writeInteger(UInt16(0x0D0A))
    }
}

// MARK: - Building responses

extension SIPResponse {
    /// Creates a response to `request` as a UAS does (RFC 3261 §8.2.6).
    ///
    /// Copies every Via value in order, From, To, Call-ID and CSeq (RFC 3261 §8.2.6.2), written with canonical
    /// header names; adds `;tag=toTag` to To when `toTag` is given and To has no tag yet (§8.2.6.2: not for
    /// `100 Trying`); and sets `Content-Length: 0`. Add other headers (Contact, Allow, Warning, ...) after.
    /// Via `received`/`rport` (RFC 3261 §18.2.1, RFC 3581) are the transport's job, before this is called.
    public init(replyingTo request: SIPRequest, status: Int, reason: String, toTag: String? = nil) {
        var headers = SIPHeaders()
        for via in request.headers.allValues(.via) {
            headers.add(name: "Via", value: via)
        }
        if let from = request.headers[SIPHeaderKey.from] {
            headers.add(name: "From", value: from)
        }
        if var to = request.headers[SIPHeaderKey.to] {
            if let toTag {
                let hasTag = (try? SIPNameAddress(parsing: to, header: "To"))?.parameters.contains("tag") ?? false
                if !hasTag { to += ";tag=\(toTag)" }
            }
            headers.add(name: "To", value: to)
        }
        if let callID = request.headers.callID {
            headers.add(name: "Call-ID", value: callID)
        }
        if let cseq = request.headers[SIPHeaderKey.cseq] {
            headers.add(name: "CSeq", value: cseq)
        }
        headers.add(name: "Content-Length", value: "0")
        self.init(status: status, reason: reason, version: .sip2, headers: headers)
    }
}
