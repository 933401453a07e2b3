import NIOCore

// MARK: - SIPFrame

/// What ``SIPFrameDecoder`` produces from a stream connection.
public enum SIPFrame: Sendable, Hashable {
    /// A complete message, parsed.
    case message(SIPMessage)
    /// A double-CRLF "ping" (RFC 5626 §3.5.1); answer it with a single CRLF "pong".
    case keepAlive
    /// A message that was framed correctly (its Content-Length was readable) but failed to parse. The
    /// connection stays usable: the next message starts right after it.
    case malformed(SIPParseError)
}

// MARK: - SIPFrameDecoder

/// Splits a TCP or TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3) and parses them.
///
/// - CRLFs between messages are skipped (RFC 3261 §7.5); a double CRLF is reported as ``SIPFrame/keepAlive``
///   (RFC 5626 §3.5.1), which the caller answers with a single CRLF.
/// - Content-Length is required on a stream (RFC 3261 §18.3, §20.14): a message without it cannot be framed,
///   and the decoder throws ``SIPParseError/Code/missingContentLength``.
/// - A header section that does not end within ``SIPParserConfiguration/maximumMessageBytes``, a body over
///   ``SIPParserConfiguration/maximumBodyBytes`` or a message over the size limit throws a limit error before
///   the bytes are buffered. Errors the decoder throws mean the stream cannot be framed any more: close the
///   connection. Errors in a message that could be framed are ``SIPFrame/malformed(_:)`` instead.
///
/// The decoder remembers how far it has searched for the end of the header section, so bytes that arrive
/// one at a time are scanned once.
public struct SIPFrameDecoder: ByteToMessageDecoder {
    /// Frames: messages, keep-alives, malformed messages.
    public typealias InboundOut = SIPFrame

    private var parser: SIPParser
    /// How many readable bytes of the pending message have been searched for CRLFCRLF already.
    private var scannedBytes = 0
    /// The total length of the pending message, once its header section has been read.
    private var pendingLength: Int?

    /// Creates a decoder enforcing `configuration`.
    public init(configuration: SIPParserConfiguration = SIPParserConfiguration()) {
        self.parser = SIPParser(configuration: configuration)
    }

    /// Decodes as many frames as `buffer` holds.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try self.nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// Decodes what is left at end of stream; an incomplete message is discarded.
    public mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        try self.decode(context: context, buffer: &buffer)
    }

    /// The next frame in `buffer`, consuming its bytes, or `nil` if more bytes are needed.
    mutating func nextFrame(_ buffer: inout ByteBuffer) throws(SIPParseError) -> SIPFrame? {
        let configuration = self.parser.configuration
        if self.pendingLength == nil {
            // Between messages: CRLF keep-alives (RFC 5626 §3.5.1) and stray CRLFs (RFC 3261 §7.5).
            while self.scannedBytes == 0, let first = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
                first == 0x0D0A
            {
                guard let next = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt8.self) else { return nil }
                if next == ASCII.cr {
                    guard let last = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt8.self) else { return nil }
                    if last == ASCII.lf {
                        buffer.moveReaderIndex(forwardBy: 4)
                        return .keepAlive
                    }
                }
                buffer.moveReaderIndex(forwardBy: 2)
            }
            if buffer.readableBytes == 1, buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == ASCII.cr {
                return nil
            }
            guard let headerEnd = self.findEndOfHeaders(buffer) else {
                guard buffer.readableBytes <= configuration.maximumMessageBytes else {
                    throw .limit(
                        .messageBytes,
                        "Header section is longer than \(configuration.maximumMessageBytes) bytes"
                    )
                }
                return nil
            }
            let contentLength = try Self.contentLength(buffer, headerEnd: headerEnd)
            guard let contentLength else {
                throw SIPParseError(.missingContentLength, "Content-Length is required on stream transports")
            }
            guard contentLength <= configuration.maximumBodyBytes else {
                throw .limit(.bodyBytes, "Body is larger than \(configuration.maximumBodyBytes) bytes")
            }
            let total = headerEnd + contentLength
            guard total <= configuration.maximumMessageBytes else {
                throw .limit(.messageBytes, "Message is larger than \(configuration.maximumMessageBytes) bytes")
            }
            self.pendingLength = total
        }
        guard let total = self.pendingLength, let frame = buffer.readSlice(length: total) else { return nil }
        self.pendingLength = nil
        self.scannedBytes = 0
        do {
            return .message(try self.parser.parse(frame))
        } catch {
            return .malformed(error)
        }
    }

    /// The length of the header section including its final CRLFCRLF, or `nil` if it has not ended yet.
    private mutating func findEndOfHeaders(_ buffer: ByteBuffer) -> Int? {
        let start = max(self.scannedBytes - 3, 0)
        let found = buffer.withUnsafeReadableBytes { bytes -> Int? in
            var index = start
            while index + 3 < bytes.count {
                if bytes[index + 3] != ASCII.lf {
                    // Skip ahead: no CRLFCRLF can end at index + 3.
                    index += bytes[index + 3] == ASCII.cr ? 1 : 4
                    continue
                }
                if bytes[index] == ASCII.cr && bytes[index + 1] == ASCII.lf && bytes[index + 2] == ASCII.cr {
                    return index + 4
                }
                index += 1
            }
            return nil
        }
        self.scannedBytes = found == nil ? buffer.readableBytes : 0
        return found
    }

    /// Finds Content-Length (or `l`) in the header section `[0, headerEnd)`. Folded values are joined.
    private static func contentLength(_ buffer: ByteBuffer, headerEnd: Int) throws(SIPParseError) -> Int? {
        let result = buffer.withUnsafeReadableBytes { bytes -> Result<Int?, SIPParseError> in
            var found: Int?
            var lineStart = 0
            while lineStart < headerEnd {
                var lineEnd = lineStart
                while lineEnd + 1 < headerEnd, !(bytes[lineEnd] == ASCII.cr && bytes[lineEnd + 1] == ASCII.lf) {
                    lineEnd += 1
                }
                defer { lineStart = lineEnd + 2 }
                guard lineEnd > lineStart, lineStart > 0, !bytes[lineStart].isSIPWhitespace else { continue }
                var nameEnd = lineStart
                while nameEnd < lineEnd, bytes[nameEnd].isTokenCharacter { nameEnd += 1 }
                let name = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<nameEnd])
                guard equalsIgnoringASCIICase(name, "content-length".utf8) || equalsIgnoringASCIICase(name, "l".utf8)
                else { continue }
                var colon = nameEnd
                while colon < lineEnd, bytes[colon].isSIPWhitespace { colon += 1 }
                guard colon < lineEnd, bytes[colon] == ASCII.colon else { continue }
                // The value, plus continuation lines.
                var value = Array(UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)..<lineEnd]))
                var next = lineEnd + 2
                while next < headerEnd, bytes[next].isSIPWhitespace {
                    var end = next
                    while end + 1 < headerEnd, !(bytes[end] == ASCII.cr && bytes[end + 1] == ASCII.lf) { end += 1 }
                    value.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[next..<end]))
                    next = end + 2
                }
                guard let parsed = parseDecimal(String(decoding: value, as: UTF8.self), maximum: Int(Int32.max)),
                    let length = parsed
                else {
                    return .failure(SIPParseError(.badContentLength, "Content-Length is not a valid length"))
                }
                if let found, found != length {
                    return .failure(SIPParseError(.badContentLength, "Content-Length appears with different values"))
                }
                found = length
            }
            return .success(found)
        }
        return try result.get()
    }
}
