import NIOCore
import SIP
import Testing

@Suite("What validation hands back")
struct ValidatedHeadersTests {
    private static let invite = [
        "INVITE sip:+12025550100@tandem.example SIP/2.0",
        "v: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK-top;rport, SIP/2.0/UDP 192.0.2.11;branch=z9hG4bK-2",
        "f: \"Caf\u{E9}\" <sip:+12025550101@192.0.2.10>;tag=a1",
        "t: <sip:+12025550100@tandem.example>",
        "i: call-1",
        "CSeq: 7 INVITE",
        "Max-Forwards: 0",
        "l: 0", "", "",
    ].joined(separator: "\r\n")

    @Test("the top Via, From, To, CSeq and Max-Forwards, parsed once, compact forms included")
    func values() throws {
        var parser = SIPParser()
        let request = try #require(try parser.parse(ByteBuffer(string: Self.invite)).request)
        let validated = try request.validate()
        #expect(validated.topVia == (try request.vias().first))
        #expect(validated.topVia?.branch == "z9hG4bK-top")
        #expect(validated.topVia?.rport == .requested)
        #expect(validated.from == (try request.from()))
        #expect(validated.from?.displayName == "Caf\u{E9}")
        #expect(validated.to?.tag == nil)
        #expect(validated.cseq == SIPCSeq(number: 7, method: .invite))
        #expect(validated.maxForwards == 0)
    }

    @Test("a request without Max-Forwards validates when it is not required, and hands back none")
    func noMaxForwards() throws {
        var parser = SIPParser()
        let text = Self.invite.replacingOccurrences(of: "Max-Forwards: 0\r\n", with: "")
        let request = try #require(try parser.parse(ByteBuffer(string: text)).request)
        #expect(request.missingRequiredHeaders == ["Max-Forwards"])
        #expect(try request.validate(requiringMaxForwards: false).maxForwards == nil)
        #expect(errorCode { try request.validate() } == .missingRequiredHeader)
    }

    @Test("a response written with a new top Via keeps every other field as stored")
    func replacedTopVia() throws {
        let response = SIPResponse(status: 200, reason: "OK", headers: SIPHeaders([
            ("Via", "SIP/2.0/UDP a.example;branch=z9hG4bK-a , SIP/2.0/UDP b.example;branch=z9hG4bK-b"),
            ("i", "c1"), ("v", "SIP/2.0/UDP c.example;branch=z9hG4bK-c"), ("l", "0"),
        ]))
        var buffer = ByteBuffer()
        response.write(into: &buffer, topVia: try SIPVia(parsing: "SIP/2.0/TCP a.example:5062;branch=z9hG4bK-a;rport=9"))
        #expect(String(buffer: buffer) == "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/TCP a.example:5062;branch=z9hG4bK-a;rport=9\r\n"
            + "Via: SIP/2.0/UDP b.example;branch=z9hG4bK-b\r\n"
            + "i: c1\r\nv: SIP/2.0/UDP c.example;branch=z9hG4bK-c\r\nl: 0\r\n\r\n")
    }
}

@Suite("To tags in responses (RFC 3261 §8.2.6.2)")
struct ToTagTests {
    @Test("a tag in any case or spelled with escapes is kept; otherwise one is added", arguments: [
        ("<sip:b@example.com>", "<sip:b@example.com>;tag=t1"),
        ("<sip:b@example.com;user=phone>", "<sip:b@example.com;user=phone>;tag=t1"),
        ("<sip:tag@example.com>", "<sip:tag@example.com>;tag=t1"),
        ("<sip:b@example.com>;TAG=x", "<sip:b@example.com>;TAG=x"),
        ("<sip:b@example.com>;%74ag=x", "<sip:b@example.com>;%74ag=x"),
    ])
    func tags(to: String, expected: String) {
        let request = SIPRequest(method: .invite, uri: SIPURI(host: "example.com"), headers: SIPHeaders([("To", to)]))
        #expect(SIPResponse(replyingTo: request, status: 302, reason: "Moved", toTag: "t1").headers["To"] == expected)
    }
}

@Suite("Responses written as they are built")
struct EncodedResponseTests {
    private static let request = SIPRequest(method: .invite, uri: SIPURI(host: "example.com"), headers: SIPHeaders([
        ("v", "SIP/2.0/UDP a.example;branch=z9hG4bK-a , SIP/2.0/UDP b.example;branch=z9hG4bK-b"),
        ("f", "<sip:a@example.com>;tag=f1"), ("Via", "SIP/2.0/UDP c.example;branch=z9hG4bK-c"),
        ("t", "<sip:b@example.com>"), ("i", "c1"), ("CSeq", "1 INVITE"), ("Max-Forwards", "70"), ("l", "0"),
    ]))

    private static func bytes(_ write: (inout ByteBuffer) -> Void) -> String {
        var buffer = ByteBuffer()
        write(&buffer)
        return String(buffer: buffer)
    }

    @Test("the same bytes as a response built from a header list, with and without a new top Via",
          arguments: [nil, "SIP/2.0/UDP a.example;branch=z9hG4bK-a;received=192.0.2.1;rport=9"])
    func sameAsHeaderList(topVia: String?) throws {
        var listed = SIPResponse(replyingTo: Self.request, status: 302, reason: "Moved Temporarily", toTag: "t1")
        listed.headers.add(name: "Contact", value: "<sip:+12025550100@pbx.example:5060;user=phone>;q=1.0")
        listed.headers.add(name: "Server", value: "Tandem")
        var encoded = SIPEncodedResponse(replyingTo: Self.request, status: 302, reason: "Moved Temporarily", toTag: "t1")
        encoded.addHeader("Contact") { $0.writeString("<sip:+12025550100@pbx.example:5060;user=phone>;q=1.0") }
        encoded.addHeader("Server", "Tandem")
        let via = try topVia.map { try SIPVia(parsing: $0) }
        let expected = Self.bytes { buffer in
            if let via { listed.write(into: &buffer, topVia: via) } else { listed.write(into: &buffer) }
        }
        #expect(Self.bytes { encoded.write(into: &$0, topVia: via) } == expected)
        #expect(encoded.status == 302)
        #expect(encoded.byteCount == Self.bytes { encoded.write(into: &$0) }.utf8.count)
    }

    @Test("To gets the tag only when it has none", arguments: [
        ("<sip:b@example.com>", "<sip:b@example.com>;tag=t1"),
        ("<sip:b@example.com>;TAG=x", "<sip:b@example.com>;TAG=x"),
        ("<sip:b@example.com>;%74ag=x", "<sip:b@example.com>;%74ag=x"),
    ])
    func toTag(to: String, expected: String) throws {
        let request = SIPRequest(method: .invite, uri: SIPURI(host: "example.com"), headers: SIPHeaders([("To", to)]))
        let encoded = SIPEncodedResponse(replyingTo: request, status: 302, reason: "Moved", toTag: "t1")
        var parser = SIPParser()
        let parsed = try parser.parse(ByteBuffer(string: Self.bytes { encoded.write(into: &$0) })).response
        #expect(parsed?.headers["To"] == expected)
    }
}
