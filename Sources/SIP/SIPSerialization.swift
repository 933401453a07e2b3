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
        self.writeStatusLine(into: &buffer)
        self.headers.write(into: &buffer)
        buffer.writeCRLF()
        buffer.writeImmutableBuffer(self.body)
    }

    /// Writes the response as ``write(into:)`` does, with the first Via value replaced by `topVia`: a server
    /// stamps `received` and `rport` on the top Via of what it answers (RFC 3261 §18.2.1, RFC 3581 §4) as it
    /// sends, without rebuilding the headers. The other values of the first Via field follow on lines of their
    /// own; the other fields are written as stored.
    public func write(into buffer: inout ByteBuffer, topVia: SIPVia) {
        self.writeStatusLine(into: &buffer)
        var replacing = true
        for field in self.headers.fields {
            guard replacing, field.kind == .via else {
                field.write(into: &buffer)
                continue
            }
            replacing = false
            buffer.writeStaticString("Via: ")
            topVia.write(into: &buffer)
            buffer.writeCRLF()
            for element in splitHeaderList(field.value).dropFirst() where !element.isEmpty {
                buffer.writeStaticString("Via: ")
                buffer.writeSubstring(element)
                buffer.writeCRLF()
            }
        }
        buffer.writeCRLF()
        buffer.writeImmutableBuffer(self.body)
    }

    private func writeStatusLine(into buffer: inout ByteBuffer) {
        buffer.writeString(self.version.description)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(String(self.status))
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.reason)
        buffer.writeCRLF()
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
            field.write(into: &buffer)
        }
    }
}

extension SIPHeaders.Field {
    /// Writes `name: value CRLF`.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString(self.name)
        buffer.writeInteger(ASCII.colon)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.value)
        buffer.writeCRLF()
    }
}

extension SIPVia {
    /// Writes `SIP/2.0/UDP host:port;params`, as ``description`` spells it.
    func write(into buffer: inout ByteBuffer) {
        buffer.writeString(self.protocolName)
        buffer.writeInteger(ASCII.slash)
        buffer.writeString(self.protocolVersion)
        buffer.writeInteger(ASCII.slash)
        buffer.writeString(self.transport)
        buffer.writeInteger(ASCII.space)
        buffer.writeString(self.host)
        if let port = self.port {
            buffer.writeInteger(ASCII.colon)
            buffer.writeString(String(port))
        }
        for parameter in self.parameters {
            buffer.writeInteger(ASCII.semicolon)
            buffer.writeString(parameter.name)
            if let value = parameter.value {
                buffer.writeInteger(ASCII.equals)
                buffer.writeString(value)
            }
        }
    }
}

extension ByteBuffer {
    mutating func writeCRLF() {
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
        if let from = request.headers[known: .from] {
            headers.add(name: "From", value: from)
        }
        if var to = request.headers[known: .to] {
            if let toTag, Self.needsTag(to) {
                to += ";tag=\(toTag)"
            }
            headers.add(name: "To", value: to)
        }
        if let callID = request.headers.callID {
            headers.add(name: "Call-ID", value: callID)
        }
        if let cseq = request.headers[known: .cseq] {
            headers.add(name: "CSeq", value: cseq)
        }
        headers.add(name: "Content-Length", value: "0")
        self.init(status: status, reason: reason, version: .sip2, headers: headers)
    }
}
