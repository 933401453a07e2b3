import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import SIP

// MARK: - TCP framing

@Suite("SIPFrameDecoder")
struct FrameDecoderTests {
    static func options(_ cseq: Int, body: String = "") -> String {
        sipText([
            "OPTIONS sip:example.com SIP/2.0", "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK\(cseq)",
            "Max-Forwards: 70", "To: <sip:example.com>", "From: <sip:a@example.com>;tag=\(cseq)",
            "Call-ID: frame-\(cseq)", "CSeq: \(cseq) OPTIONS", "l: \(body.utf8.count)",
        ], body: body)
    }

    static func frame(_ text: String) throws -> SIPFrame {
        .message(try parse(text))
    }

    @Test("ByteToMessageDecoderVerifier: drip-fed, batched and shuffled")
    func verifier() throws {
        let pairs: [(String, [SIPFrame])] = [
            (Self.options(1), [try Self.frame(Self.options(1))]),
            (
                Self.options(2, body: "hello\r\n\r\nworld"),
                [try Self.frame(Self.options(2, body: "hello\r\n\r\nworld"))]
            ),
            ("\r\n\r\n", [.keepAlive]),
            ("\r\n" + Self.options(3), [try Self.frame(Self.options(3))]),
            (Self.options(4) + Self.options(5), [try Self.frame(Self.options(4)), try Self.frame(Self.options(5))]),
            ("\r\n\r\n\r\n\r\n", [.keepAlive, .keepAlive]),
            (
                "SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
                [.message(try parse("SIP/2.0 200 OK\r\nContent-Length: 3\r\n\r\nabc"))]
            ),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(stringInputOutputPairs: pairs) { SIPFrameDecoder() }
    }

    @Test("every RFC 4475 valid message with a Content-Length, byte by byte and all at once")
    func fixturesOverTCP() throws {
        var stream: [UInt8] = []
        var expected: [SIPMessage] = []
        var parser = SIPParser()
        // inv2543 has no Content-Length; dblreq's second request has 155 body bytes for a Content-Length of 150,
        // which only a datagram transport can absorb (RFC 4475 §3.1.1.7).
        for name in RFC4475.names("valid") where name != "inv2543" && name != "dblreq" {
            let bytes = try RFC4475.bytes("valid", name)
            stream += bytes
            expected.append(try parser.parse(ByteBuffer(bytes: bytes)))
        }
        for chunkSize in [1, 7, 100, stream.count] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPFrameDecoder()))
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunkSize, stream.count)
                try channel.writeInbound(ByteBuffer(bytes: stream[offset..<end]))
                offset = end
            }
            var received: [SIPMessage] = []
            while let frame = try channel.readInbound(as: SIPFrame.self) {
                guard case .message(let message) = frame else {
                    Issue.record("unexpected frame \(frame)")
                    continue
                }
                received.append(message)
            }
            #expect(received == expected, "chunk size \(chunkSize)")
            #expect(try channel.finish().isClean)
        }
    }

    @Test("a message without Content-Length cannot be framed")
    func missingContentLength() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPFrameDecoder()))
        let error = try #require(throws: SIPParseError.self) {
            try channel.writeInbound(ByteBuffer(string: "OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n"))
        }
        #expect(error.code == .missingContentLength)
        _ = try? channel.finish()
    }

    @Test("a malformed but framed message is reported and the next one still decodes")
    func malformedThenValid() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPFrameDecoder()))
        let bad = "INVITE  sip:a@example.com SIP/2.0\r\nContent-Length: 2\r\n\r\nhi"
        try channel.writeInbound(ByteBuffer(string: bad + Self.options(9)))
        let first = try channel.readInbound(as: SIPFrame.self)
        guard case .malformed(let error) = first else {
            Issue.record("expected a malformed frame, got \(String(describing: first))")
            return
        }
        #expect(error.code == .malformedStartLine)
        #expect(try channel.readInbound(as: SIPFrame.self) == Self.frame(Self.options(9)))
        #expect(try channel.finish().isClean)
    }

    @Test("limits stop buffering: endless headers, huge Content-Length, conflicting Content-Lengths")
    func limits() throws {
        let configuration = SIPParserConfiguration(maximumMessageBytes: 1_024, maximumBodyBytes: 100)
        func feed(_ chunks: [String]) -> SIPParseError.Code? {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPFrameDecoder(configuration: configuration)))
            defer { _ = try? channel.finish() }
            return errorCode {
                for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
            }
        }
        let endless =
            ["OPTIONS sip:a@example.com SIP/2.0\r\n"] + Array(repeating: "X-Filler: aaaaaaaaaa\r\n", count: 60)
        #expect(feed(endless) == .limitExceeded(.messageBytes))
        #expect(feed(["OPTIONS sip:a SIP/2.0\r\nContent-Length: 101\r\n\r\n"]) == .limitExceeded(.bodyBytes))
        #expect(feed(["OPTIONS sip:a SIP/2.0\r\nX: " + String(repeating: "a", count: 980)
            + "\r\nContent-Length: 100\r\n\r\n"]) == .limitExceeded(.messageBytes))
        #expect(feed(["OPTIONS sip:a SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab"]) == .badContentLength)
        #expect(feed(["OPTIONS sip:a SIP/2.0\r\nl: -1\r\n\r\n"]) == .badContentLength)
        #expect(feed(["\r\n\r\n", "\r\n"]) == nil)
    }

    @Test("keep-alives between and around messages")
    func keepAlives() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(SIPFrameDecoder()))
        try channel.writeInbound(ByteBuffer(string: "\r\n\r\n" + Self.options(1) + "\r\n\r\n\r\n"))
        #expect(try channel.readInbound(as: SIPFrame.self) == .keepAlive)
        #expect(try channel.readInbound(as: SIPFrame.self) == Self.frame(Self.options(1)))
        #expect(try channel.readInbound(as: SIPFrame.self) == .keepAlive)
        #expect(try channel.readInbound(as: SIPFrame.self) == nil)
        try channel.writeInbound(ByteBuffer(string: Self.options(2)))
        #expect(try channel.readInbound(as: SIPFrame.self) == Self.frame(Self.options(2)))
        #expect(try channel.finish().isClean)
    }
}
