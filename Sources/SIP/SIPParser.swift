import NIOCore

// MARK: - SIPParser

/// Parses one SIP message from bytes (RFC 3261 §7).
///
/// A pure value: no I/O, no shared state. One UDP datagram is one message (RFC 3261 §18.1.1): when
/// Content-Length is present it bounds the body and any bytes after it are ignored; when it is absent the
/// body is the rest of the datagram. Stream transports frame messages first with ``SIPFrameDecoder``.
///
/// The parser checks the message's structure: the start line (RFC 3261 §7.1, §7.2), header lines with
/// folding (§7.3.1), UTF-8 in the header section (§7.3.1, §25.1), Content-Length (§20.14) and every limit of
/// ``SIPParserConfiguration``. Header values are kept as text; typed accessors such as
/// ``SIPRequest/vias()`` parse them on demand, and ``SIPRequest/validate(requiringMaxForwards:)`` checks what
/// a server needs before it answers. A message that parses but fails validation can still be answered with a
/// `400` built from its headers, which is why the split exists.
///
/// The parser works on the buffer's bytes in a single pass; each header is copied once, into its `String`.
public struct SIPParser: Sendable {
    /// The limits applied to every message.
    public var configuration: SIPParserConfiguration

    /// Creates a parser.
    public init(configuration: SIPParserConfiguration = SIPParserConfiguration()) {
        self.configuration = configuration
    }

    /// Parses one message: a whole UDP datagram, or one frame from ``SIPFrameDecoder``.
    ///
    /// - Throws: ``SIPParseError`` describing the first problem found.
    public mutating func parse(_ buffer: ByteBuffer) throws(SIPParseError) -> SIPMessage {
        guard buffer.readableBytes <= self.configuration.maximumMessageBytes else {
            throw .limit(.messageBytes, "Message is larger than \(self.configuration.maximumMessageBytes) bytes")
        }
        let configuration = self.configuration
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<ParsedHead, SIPParseError> in
            var reader = HeadReader(bytes: bytes, configuration: configuration)
            do throws(SIPParseError) {
                return .success(try reader.read())
            } catch {
                return .failure(error)
            }
        }
        let head = try result.get()
        let available = buffer.readableBytes - head.bodyOffset
        let bodyLength: Int
        if let contentLength = head.contentLength {
            guard contentLength <= self.configuration.maximumBodyBytes else {
                throw .limit(.bodyBytes, "Body is larger than \(self.configuration.maximumBodyBytes) bytes")
            }
            guard contentLength <= available else {
                throw SIPParseError(
                    .bodyTooShort,
                    "Body is shorter than Content-Length (\(available) < \(contentLength))",
                    header: "Content-Length"
                )
            }
            bodyLength = contentLength
        } else {
            guard available <= self.configuration.maximumBodyBytes else {
                throw .limit(.bodyBytes, "Body is larger than \(self.configuration.maximumBodyBytes) bytes")
            }
            bodyLength = available
        }
        let body =
            buffer.getSlice(at: buffer.readerIndex + head.bodyOffset, length: bodyLength) ?? ByteBuffer()
        switch head.startLine {
        case .request(let method, let uri, let version):
            return .request(
                SIPRequest(method: method, uri: uri, version: version, headers: head.headers, body: body)
            )
        case .response(let status, let reason, let version):
            return .response(
                SIPResponse(status: status, reason: reason, version: version, headers: head.headers, body: body)
            )
        }
    }
}

// MARK: - Head reading

/// What the head reader found: the start line, the headers, where the body starts and its declared length.
private struct ParsedHead {
    enum StartLine {
        case request(SIPMethod, SIPURI, SIPVersion)
        case response(Int, String, SIPVersion)
    }

    var startLine: StartLine
    var headers: SIPHeaders
    var bodyOffset: Int
    var contentLength: Int?
}

/// Reads the start line and header section from raw bytes in one forward pass.
private struct HeadReader {
    let bytes: UnsafeRawBufferPointer
    let configuration: SIPParserConfiguration
    var index = 0

    init(bytes: UnsafeRawBufferPointer, configuration: SIPParserConfiguration) {
        self.bytes = bytes
        self.configuration = configuration
    }

    mutating func read() throws(SIPParseError) -> ParsedHead {
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        while self.index + 1 < self.bytes.count, self.bytes[self.index] == ASCII.cr,
            self.bytes[self.index + 1] == ASCII.lf
        {
            self.index += 2
        }
        guard self.index < self.bytes.count else {
            throw SIPParseError(.malformedStartLine, "Empty message")
        }
        guard let lineEnd = try self.lineEnd(from: self.index, context: "start line") else {
            throw SIPParseError(.malformedStartLine, "Start line is not terminated by CRLF")
        }
        guard lineEnd - self.index <= self.configuration.maximumHeaderLineBytes else {
            throw .limit(
                .headerLineBytes,
                "Start line is longer than \(self.configuration.maximumHeaderLineBytes) bytes"
            )
        }
        let startLine = try self.startLine(self.index..<lineEnd)
        self.index = lineEnd + 2
        var fields: [SIPHeaders.Field] = []
        fields.reserveCapacity(16)
        var contentLength: Int?
        var viaCount = 0
        var contactCount = 0
        var scratch: [UInt8] = []
        while true {
            guard self.index < self.bytes.count else {
                throw SIPParseError(.headersNotTerminated, "Header section does not end with an empty line")
            }
            let first = self.bytes[self.index]
            if first == ASCII.cr || first == ASCII.lf {
                guard first == ASCII.cr, self.index + 1 < self.bytes.count,
                    self.bytes[self.index + 1] == ASCII.lf
                else { throw SIPParseError(.badHeader, "Bare CR or LF in the header section") }
                self.index += 2
                break
            }
            guard fields.count < self.configuration.maximumHeaderCount else {
                throw .limit(.headerCount, "More than \(self.configuration.maximumHeaderCount) header fields")
            }
            let field = try self.headerField(scratch: &scratch)
            switch field.kind {
            case .contentLength:
                let value = try Self.contentLength(field.value)
                if let existing = contentLength, existing != value {
                    throw SIPParseError(
                        .badContentLength,
                        "Content-Length appears twice with different values",
                        header: "Content-Length"
                    )
                }
                contentLength = value
            case .via:
                viaCount += Self.countElements(field.value)
                guard viaCount <= self.configuration.maximumViaCount else {
                    throw .limit(.viaCount, "More than \(self.configuration.maximumViaCount) Via values")
                }
            case .contact:
                contactCount += Self.countElements(field.value)
                guard contactCount <= self.configuration.maximumContactCount else {
                    throw .limit(.contactCount, "More than \(self.configuration.maximumContactCount) Contact values")
                }
            default:
                break
            }
            fields.append(field)
        }
        return ParsedHead(
            startLine: startLine,
            headers: SIPHeaders(fields: fields),
            bodyOffset: self.index,
            contentLength: contentLength
        )
    }

    // MARK: Lines

    /// The index of the CR of the next CRLF at or after `start`, or `nil` if the bytes end first.
    /// A CR not followed by LF, or an LF not preceded by CR, is an error: it could split a header in two.
    /// `context` names the line in that error; it is only formatted when there is one.
    func lineEnd(from start: Int, context: @autoclosure () -> String) throws(SIPParseError) -> Int? {
        var index = start
        let count = self.bytes.count
        while index < count {
            let byte = self.bytes[index]
            if byte == ASCII.cr {
                guard index + 1 < count else { return nil }
                guard self.bytes[index + 1] == ASCII.lf else {
                    throw SIPParseError(.badHeader, "Bare CR in the \(context())")
                }
                return index
            }
            if byte == ASCII.lf {
                throw SIPParseError(.badHeader, "Bare LF in the \(context())")
            }
            index += 1
        }
        return nil
    }

    // MARK: Start line

    func startLine(_ range: Range<Int>) throws(SIPParseError) -> ParsedHead.StartLine {
        let line = UnsafeRawBufferPointer(rebasing: self.bytes[range])
        // A status line starts with the version (RFC 3261 §7.2); a request line with a method token.
        if line.count >= 4, equalsIgnoringASCIICase(line.prefix(4), "SIP/".utf8) {
            return try self.statusLine(line)
        }
        return try self.requestLine(line)
    }

    /// `Method SP Request-URI SP SIP-Version` with exactly one SP between the parts (RFC 3261 §7.1).
    func requestLine(_ line: UnsafeRawBufferPointer) throws(SIPParseError) -> ParsedHead.StartLine {
        let firstSpace = line.firstIndex(of: ASCII.space) ?? line.endIndex
        let secondSpace = line[min(firstSpace + 1, line.endIndex)...].firstIndex(of: ASCII.space) ?? line.endIndex
        let method = line[..<firstSpace]
        let uriBytes = line[min(firstSpace + 1, secondSpace)..<secondSpace]
        let versionBytes = line[min(secondSpace + 1, line.endIndex)...]
        guard !method.isEmpty, !uriBytes.isEmpty, !versionBytes.isEmpty, !versionBytes.contains(ASCII.space) else {
            throw SIPParseError(
                .malformedStartLine,
                "Request line is not Method SP Request-URI SP SIP-Version with single spaces"
            )
        }
        guard SIPMethod.isValid(method) else {
            throw SIPParseError(.malformedStartLine, "Request method is not a token")
        }
        guard let version = SIPVersion(versionBytes) else {
            throw SIPParseError(.malformedStartLine, "Request line does not end with a SIP version")
        }
        let uri: SIPURI
        do {
            uri = try UnsafeRawBufferPointer(rebasing: uriBytes).withMemoryRebound(to: UInt8.self) {
                buffer throws(SIPParseError) in try SIPURI(bytes: buffer[...])
            }
        } catch {
            throw SIPParseError(.badRequestURI, "Request-URI is not a valid URI")
        }
        return .request(SIPMethod(String(decoding: method, as: UTF8.self)), uri, version)
    }

    /// `SIP-Version SP Status-Code SP Reason-Phrase` (RFC 3261 §7.2). A missing `SP Reason-Phrase` is tolerated.
    func statusLine(_ line: UnsafeRawBufferPointer) throws(SIPParseError) -> ParsedHead.StartLine {
        guard let firstSpace = line.firstIndex(of: ASCII.space),
            let version = SIPVersion(line[line.startIndex..<firstSpace])
        else { throw SIPParseError(.malformedStartLine, "Status line does not start with a SIP version") }
        let rest = line[(firstSpace + 1)...]
        let codeEnd = rest.firstIndex(of: ASCII.space) ?? rest.endIndex
        let code = rest[rest.startIndex..<codeEnd]
        guard code.count == 3, code.allSatisfy(\.isASCIIDigit) else {
            throw SIPParseError(.badStatusCode, "Status code is not three digits")
        }
        let status = code.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard (100...699).contains(status) else {
            throw SIPParseError(.badStatusCode, "Status code is not between 100 and 699")
        }
        let reasonBytes = codeEnd < rest.endIndex ? rest[(codeEnd + 1)...] : rest[rest.endIndex...]
        guard !reasonBytes.contains(where: { ($0 < 0x20 && $0 != ASCII.tab) || $0 == 0x7F }) else {
            throw SIPParseError(.malformedStartLine, "Reason phrase contains control characters")
        }
        guard let reason = String(validating: reasonBytes, as: UTF8.self) else {
            throw SIPParseError(.invalidUTF8, "Reason phrase is not valid UTF-8")
        }
        return .response(status, reason, version)
    }

    // MARK: Header fields

    /// Reads `field-name HCOLON field-value CRLF` plus continuation lines (RFC 3261 §7.3.1), leaving
    /// `index` at the next line.
    mutating func headerField(scratch: inout [UInt8]) throws(SIPParseError) -> SIPHeaders.Field {
        let start = self.index
        let count = self.bytes.count
        if self.bytes[start].isSIPWhitespace {
            throw SIPParseError(.badHeader, "Continuation line without a header field before it")
        }
        var index = start
        while index < count, self.bytes[index].isTokenCharacter { index += 1 }
        let nameEnd = index
        guard nameEnd > start else { throw SIPParseError(.badHeader, "Header field name is not a token") }
        while index < count, self.bytes[index].isSIPWhitespace { index += 1 }
        guard index < count, self.bytes[index] == ASCII.colon else {
            throw SIPParseError(.badHeader, "Header field without a colon")
        }
        let nameBytes = UnsafeRawBufferPointer(rebasing: self.bytes[start..<nameEnd])
        let name = Self.ascii(nameBytes)
        let valueStart = index + 1
        guard let firstEnd = try self.lineEnd(from: valueStart, context: "\(name.prefix(64)) header") else {
            throw SIPParseError(.headersNotTerminated, "Header section does not end with an empty line")
        }
        var next = firstEnd + 2
        var folded = false
        var length = firstEnd - start
        // Continuation lines start with SP or HTAB; CRLF + whitespace is LWS inside the value.
        while next < count, self.bytes[next].isSIPWhitespace {
            guard let end = try self.lineEnd(from: next, context: "\(name.prefix(64)) header") else {
                throw SIPParseError(.headersNotTerminated, "Header section does not end with an empty line")
            }
            if !folded {
                folded = true
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: self.bytes[valueStart..<firstEnd]))
            }
            length += end - next
            guard length <= self.configuration.maximumHeaderLineBytes else { break }
            scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: self.bytes[next..<end]))
            next = end + 2
        }
        guard length <= self.configuration.maximumHeaderLineBytes else {
            throw .limit(
                .headerLineBytes,
                "\(name.prefix(64)) header is longer than \(self.configuration.maximumHeaderLineBytes) bytes"
            )
        }
        self.index = next
        let value: String?
        if folded {
            value = String(validating: trimmedWhitespace(scratch[...]), as: UTF8.self)
        } else {
            var lower = valueStart
            var upper = firstEnd
            while lower < upper, self.bytes[lower].isSIPWhitespace { lower += 1 }
            while upper > lower, self.bytes[upper - 1].isSIPWhitespace { upper -= 1 }
            value = Self.text(UnsafeRawBufferPointer(rebasing: self.bytes[lower..<upper]))
        }
        guard let value else {
            throw SIPParseError(.invalidUTF8, "\(name.prefix(64)) header is not valid UTF-8", header: name)
        }
        return SIPHeaders.Field(name: name, value: value, kind: SIPHeaderKey.kind(of: nameBytes))
    }

    /// The bytes as a `String`, or `nil` if they are not UTF-8. Header values are nearly always ASCII, which is
    /// UTF-8 as it is: checking for that first skips the general validation.
    static func text(_ bytes: UnsafeRawBufferPointer) -> String? {
        var nonASCII: UInt8 = 0
        for byte in bytes { nonASCII |= byte & 0x80 }
        if nonASCII == 0 { return Self.ascii(bytes) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// ASCII bytes (a token, a value already checked) as a `String`, through the standard library's fast path
    /// for typed UTF-8 buffers.
    static func ascii(_ bytes: UnsafeRawBufferPointer) -> String {
        bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self) }
    }

    static func contentLength(_ value: String) throws(SIPParseError) -> Int {
        guard let parsed = parseDecimal(value, maximum: Int(Int32.max)) else {
            throw SIPParseError(
                .badContentLength,
                "Content-Length is not a non-negative integer",
                header: "Content-Length"
            )
        }
        guard let length = parsed else {
            throw SIPParseError(.badContentLength, "Content-Length is too large", header: "Content-Length")
        }
        return length
    }

    static func countElements(_ value: String) -> Int {
        value.utf8.withContiguousStorageIfAvailable { countHeaderListElements(UnsafeRawBufferPointer($0)) }
            ?? Array(value.utf8).withUnsafeBytes(countHeaderListElements)
    }
}
