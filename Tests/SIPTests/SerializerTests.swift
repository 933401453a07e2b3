import NIOCore
import Testing

@testable import SIP

// MARK: - Serializer and responses

@Suite("Serializer")
struct SerializerTests {
    static let request = """
        INVITE sip:+12125551212@example.com SIP/2.0\r
        v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0\r
        Via: SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKz\r
        Max-Forwards: 70\r
        t: <sip:+12125551212@example.com>\r
        f: "Alice" <sip:+13035551111@example.net>;tag=1928301774\r
        i: a84b4c76e66710@pc33.example.net\r
        CSeq: 314159 INVITE\r
        Content-Type: application/sdp\r
        Content-Length: 4\r
        \r
        v=0

        """

    @Test("replyingTo copies Via, From, To, Call-ID and CSeq and adds the To tag (RFC 3261 §8.2.6)")
    func replyingTo() throws {
        let request = try parseRequest(Self.request)
        var response = SIPResponse(replyingTo: request, status: 302, reason: "Moved Temporarily", toTag: "abc")
        #expect(response.headers.map(\.name) == ["Via", "Via", "From", "To", "Call-ID", "CSeq", "Content-Length"])
        #expect(try response.vias().map(\.branch) == ["z9hG4bK1", "z9hG4bK0", "z9hG4bKz"])
        #expect(try response.to()?.tag == "abc")
        #expect(try response.from()?.tag == "1928301774")
        #expect(response.callID == request.callID)
        #expect(try response.cseq() == SIPCSeq(number: 314_159, method: .invite))
        #expect(try response.contentLength() == 0)
        try response.validate()
        response.headers.add(name: "Contact", value: "<sip:+12125551212@gw1.example.com>;q=1.0")

        var buffer = ByteBuffer()
        response.write(into: &buffer)
        let text = String(buffer: buffer)
        #expect(text.hasPrefix("SIP/2.0 302 Moved Temporarily\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;"))
        #expect(text.hasSuffix("Content-Length: 0\r\nContact: <sip:+12125551212@gw1.example.com>;q=1.0\r\n\r\n"))
        var parser = SIPParser()
        #expect(try parser.parse(buffer) == .response(response))
    }

    @Test("an existing To tag is kept; no tag when none is given")
    func toTag() throws {
        var request = try parseRequest(Self.request)
        request.headers.replaceOrAdd(name: "To", value: "<sip:b@example.com>;tag=existing")
        let response = SIPResponse(replyingTo: request, status: 200, reason: "OK", toTag: "new")
        #expect(try response.to()?.tag == "existing")
        let trying = SIPResponse(replyingTo: try parseRequest(Self.request), status: 100, reason: "Trying")
        #expect(try trying.to()?.tag == nil)
    }

    @Test("parse(serialize(x)) == x for every status built with replyingTo", arguments: [100, 180, 200, 302, 400,
        403, 404, 405, 480, 483, 484, 503, 505, 603])
    func roundTrip(status: Int) throws {
        let request = try parseRequest(Self.request)
        var response = SIPResponse(replyingTo: request, status: status, reason: "Reason \(status)", toTag: "t\(status)")
        response.headers.add(name: "Warning", value: "399 tandem \"Bad header\"")
        var parser = SIPParser()
        #expect(try parser.parse(serialize(.response(response))) == .response(response))
        #expect(try parser.parse(serialize(.request(request))) == .request(request))
    }

    @Test("URIs serialize to text that parses back to the same URI")
    func uriRoundTrip() throws {
        let texts = [
            "sip:alice@example.com", "sips:alice:secret@example.com:5061;transport=tcp;lr?Subject=hi&X=1",
            "sip:[2001:db8::1]:5070", "tel:+1-212-555-1212;phone-context=example.com", "urn:service:sos",
            "sip:%61lice@example.com;user=phone",
        ]
        for text in texts {
            let uri = try SIPURI(parsing: text)
            #expect(uri.description == text)
            #expect(try SIPURI(parsing: uri.description) == uri)
        }
        #expect(try SIPURI(parsing: "sip:%61lice@example.com").user == "alice")
        #expect(try SIPURI(parsing: "SIP:a@EXAMPLE.com").scheme == .sip)
        #expect(try SIPURI(parsing: "tel:+12125551212").user == "+12125551212")
        let built = SIPURI(user: "+12125551212", host: "gw1.example.com", port: 5060, parameters: [
            SIPParameter(name: "rn", value: "+12125550000"), SIPParameter(name: "npdi"),
        ])
        #expect(built.description == "sip:+12125551212@gw1.example.com:5060;rn=+12125550000;npdi")
        #expect(built.parameters["RN"] == "+12125550000")
        #expect(built.parameters.contains("NPDI"))
    }

    @Test("typed header values serialize canonically")
    func typedDescriptions() throws {
        let via = try SIPVia(parsing: "SIP / 2.0 / UDP  host.example.com : 5060 ; branch = z9hG4bK1 ; rport")
        #expect(via.description == "SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1;rport")
        #expect(via.port == 5060)
        #expect(via.rport == .requested)
        #expect(try SIPVia(parsing: via.description) == via)
        let named = try SIPNameAddress(parsing: "\"A \\\"B\\\"\" <sip:a@example.com>;tag=1", header: "From")
        #expect(named.description == "\"A \\\"B\\\"\" <sip:a@example.com>;tag=1")
        #expect(try SIPNameAddress(parsing: named.description) == named)
        #expect(SIPCSeq(number: 7, method: .register).description == "7 REGISTER")
        #expect(SIPContact.wildcard.description == "*")
    }

    @Test("headers that are not UTF-8 are an error; bodies that are not UTF-8 are bytes")
    func utf8() throws {
        var bytes = Array(Self.request.utf8)
        var parser = SIPParser()
        let bodyStart = bytes.count - 4
        bytes[bodyStart] = 0xFF
        #expect(try parser.parse(ByteBuffer(bytes: bytes)).body.readableBytesView.first == 0xFF)
        let callID = try #require(bytes.firstIndex(of: UInt8(ascii: "8")))
        bytes[callID] = 0xC3
        #expect(errorCode { _ = try parser.parse(ByteBuffer(bytes: bytes)) } == .invalidUTF8)
    }
}
