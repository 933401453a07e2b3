import NIOCore
import Testing

@testable import SIP

// MARK: - RFC 4475 torture messages

@Suite("RFC 4475 torture messages")
struct RFC4475Tests {
    @Test("the fixtures are all present, byte-exact with CRLF line endings")
    func fixturesPresent() throws {
        #expect(RFC4475.names("valid").count == 27)
        #expect(RFC4475.names("invalid").count == 22)
        let sums = try String(
            contentsOf: RFC4475.directory.appendingPathComponent("SHA256SUMS.rfc4475"),
            encoding: .utf8
        )
        #expect(sums.split(separator: "\n").count == 49)
        for kind in ["valid", "invalid"] {
            for name in RFC4475.names(kind) {
                let bytes = try RFC4475.bytes(kind, name)
                #expect(sums.contains("\(kind)/\(name).dat"))
                #expect(bytes.count > 100)
                #expect(String(decoding: bytes, as: UTF8.self).contains("\r\n"), "\(name) lost its CRLFs")
            }
        }
    }

    @Test("every valid message parses, validates and survives a round trip", arguments: RFC4475.names("valid"))
    func validMessage(name: String) throws {
        var parser = SIPParser()
        let message = try parser.parse(try RFC4475.buffer("valid", name))
        // inv2543 is an RFC 2543 request without Max-Forwards (RFC 4475 §3.1.1.13).
        try validate(message, requiringMaxForwards: name != "inv2543")
        let reparsed = try parser.parse(serialize(message))
        #expect(reparsed == message)
    }

    /// Where each invalid message is refused: by the parser, or by `validate()`, and with which code.
    static let invalidExpectations: [(String, Stage, SIPParseError.Code)] = [
        ("badaspec", .validate, .badHeader),
        ("baddate", .validate, .badHeader),
        ("baddn", .parse, .headersNotTerminated),
        ("badinv01", .validate, .badHeader),
        ("badvers", .validate, .unsupportedVersion),
        ("bigcode", .parse, .badStatusCode),
        ("clerr", .parse, .bodyTooShort),
        ("escruri", .validate, .badRequestURI),
        ("insuf", .validate, .missingRequiredHeader),
        ("ltgtruri", .parse, .badRequestURI),
        ("lwsruri", .parse, .malformedStartLine),
        ("lwsstart", .parse, .malformedStartLine),
        ("mcl01", .parse, .badContentLength),
        ("mismatch01", .validate, .cseqMethodMismatch),
        ("mismatch02", .validate, .cseqMethodMismatch),
        ("multi01", .validate, .duplicateHeader),
        ("ncl", .parse, .badContentLength),
        ("quotbal", .validate, .badHeader),
        ("regbadct", .validate, .badHeader),
        ("scalar02", .validate, .valueOutOfRange),
        ("scalarlg", .validate, .valueOutOfRange),
        ("trws", .parse, .malformedStartLine),
    ]

    enum Stage: Sendable { case parse, validate }

    @Test("the expectation table covers every invalid fixture")
    func tableComplete() {
        #expect(Self.invalidExpectations.map(\.0) == RFC4475.names("invalid"))
    }

    @Test("every invalid message is refused with the expected code", arguments: invalidExpectations)
    func invalidMessage(name: String, stage: Stage, code: SIPParseError.Code) throws {
        var parser = SIPParser()
        let buffer = try RFC4475.buffer("invalid", name)
        switch stage {
        case .parse:
            #expect(errorCode { _ = try parser.parse(buffer) } == code)
        case .validate:
            let message = try parser.parse(buffer)
            #expect(errorCode { try validate(message) } == code)
        }
    }

    // MARK: Facts from RFC 4475 §3

    func request(_ name: String) throws -> SIPRequest {
        var parser = SIPParser()
        let message = try parser.parse(try RFC4475.buffer("valid", name))
        return try #require(message.request)
    }

    func response(_ name: String) throws -> SIPResponse {
        var parser = SIPParser()
        let message = try parser.parse(try RFC4475.buffer("valid", name))
        return try #require(message.response)
    }

    @Test("wsinv: whitespace, folding and escapes everywhere (§3.1.1.1)")
    func wsinv() throws {
        let request = try self.request("wsinv")
        #expect(request.method == .invite)
        #expect(request.uri.parameters.contains("unknownparam"))
        let to = try #require(try request.to())
        #expect(to.tag == "1918181833n")
        #expect(to.uri.user == "vivekg")
        let from = try #require(try request.from())
        #expect(from.displayName == "J Rosenberg \\\"")
        #expect(from.tag == "98asjd8")
        #expect(try request.maxForwards() == 68)
        #expect(try request.cseq() == SIPCSeq(number: 9, method: .invite))
        let vias = try request.vias()
        #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.branch) == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"])
        let contact = try #require(try request.contacts().first?.address)
        #expect(contact.displayName == "Quoted string \"\"")
        #expect(contact.parameters["newparam"] == "newvalue")
        #expect(contact.parameters.contains("secondparam"))
        #expect(contact.parameters["q"] == "0.33")
        #expect(request.headers["s"] == "")
        #expect(request.headers["Subject"] == "")
        #expect(request.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(request.headers.values("UnknownHeaderWithUnusualValue") == [";;", ";;", ";"])
        #expect(request.body.readableBytes == 150)
    }

    @Test("intmeth: unusual tokens, NUL/BEL/DEL in quoted strings, UTF-8 (§3.1.1.2)")
    func intmeth() throws {
        let request = try self.request("intmeth")
        #expect(request.method.rawValue == "!interesting-Method0123456789_*+`.%indeed'~")
        #expect(request.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(request.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        #expect(request.uri.host == "example.com")
        let to = try #require(try request.to())
        #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
        let from = try #require(try request.from())
        #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
        #expect(from.tag == "_token~1'+`*%!-.")
        #expect(try request.cseq()?.method == request.method)
        #expect(try request.maxForwards() == 255)
        #expect(request.callID == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
        #expect(request.headers["extensionHeader-!.%*+_`'~"]?.hasSuffix("大停電") == true)
    }

    @Test("esc01: escaped characters in URIs (§3.1.1.3)")
    func esc01() throws {
        let request = try self.request("esc01")
        #expect(request.uri.user == "sips:user@example.com")
        #expect(request.uri.rawUser == "sips%3Auser%40example.com")
        #expect(request.uri.host == "example.net")
        #expect(try request.to()?.uri.user == "user")
        #expect(try request.from()?.uri.user == "I have spaces")
        let contact = try #require(try request.contacts().first?.address)
        #expect(contact.uri.user == "caller")
        #expect(contact.uri.parameters.contains("lr"))
        #expect(contact.uri.parameters["name"] == "v%61lue%25%34%31")
    }

    @Test("esc02: escapes in a method and a header name are not decoded (§3.1.1.4)")
    func esc02() throws {
        let request = try self.request("esc02")
        #expect(request.method.rawValue == "RE%47IST%45R")
        #expect(request.method != .register)
        #expect(try request.contacts().count == 2)
        #expect(request.headers["C%6Fntact"] == "<sip:alias2@host2.example.com>")
        #expect(try request.to()?.displayName == "%Z%45")
    }

    @Test("escnull: %00 in a user part (§3.1.1.5)")
    func escnull() throws {
        let request = try self.request("escnull")
        #expect(try request.to()?.uri.user == "null-\u{0}-null")
        #expect(try request.contacts().map { $0.address?.uri.user } == ["\u{0}", "\u{0}\u{0}"])
    }

    @Test("longreq: long values and 34 Vias in 15 spellings (§3.1.1.6)")
    func longreq() throws {
        let request = try self.request("longreq")
        let vias = try request.vias()
        #expect(vias.count == 34)
        #expect(vias.first?.host == "sip33.example.com")
        #expect(vias.last?.received == "192.0.2.5")
        let to = try #require(try request.to())
        #expect(to.displayName?.hasPrefix("I have a user name of extremeextreme") == true)
        #expect(to.uri.port == 6000)
        #expect(to.uri.parameters.count == 3)
        #expect(to.uri.parameters.last?.name.hasSuffix("longParameterNameWithNoValue") == true)
        #expect(to.uri.parameters.last?.value == nil)
        let tag = try #require(try request.from()?.tag)
        #expect(tag.hasPrefix("1298298298") && tag.hasSuffix("982424"))
        #expect(try request.contentLength() == 150)
    }

    @Test("dblreq: one datagram, the second request is ignored (§3.1.1.7)")
    func dblreq() throws {
        let request = try self.request("dblreq")
        #expect(request.method == .register)
        #expect(request.body.readableBytes == 0)
        #expect(request.callID == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
    }

    @Test("semiuri: ; in the user part (§3.1.1.8)")
    func semiuri() throws {
        let request = try self.request("semiuri")
        #expect(request.uri.user == "user;par=u@example.net")
        #expect(request.uri.host == "example.com")
        #expect(request.uri.parameters.isEmpty)
        #expect(request.headers.values("Accept").count == 6)
    }

    @Test("transports: Via with known and unknown transports (§3.1.1.9)")
    func transports() throws {
        let request = try self.request("transports")
        #expect(try request.vias().map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
        #expect(request.callID == "transports.kijh4akdnaqjkwendsasfdj")
    }

    @Test("mpart01: a binary body (§3.1.1.10)")
    func mpart01() throws {
        let request = try self.request("mpart01")
        #expect(request.body.readableBytes == 553)
        #expect(String(validating: request.body.readableBytesView, as: UTF8.self) == nil)
        #expect(try request.vias().first?.rport == .requested)
    }

    @Test("unreason: UTF-8 in a reason phrase (§3.1.1.11)")
    func unreason() throws {
        let response = try self.response("unreason")
        #expect(response.status == 200)
        #expect(response.reason.hasPrefix("= 2**3 * 5**2 но сто девяносто девять"))
    }

    @Test("noreason: an empty reason phrase (§3.1.1.12)")
    func noreason() throws {
        let response = try self.response("noreason")
        #expect(response.status == 100)
        #expect(response.reason == "")
    }

    @Test("inv2543: an RFC 2543 request without Max-Forwards or branch (§3.1.1.13)")
    func inv2543() throws {
        let request = try self.request("inv2543")
        #expect(request.missingRequiredHeaders == ["Max-Forwards"])
        #expect(errorCode { try request.validate() } == .missingRequiredHeader)
        try request.validate(requiringMaxForwards: false)
        #expect(try request.vias().first?.branch == nil)
        #expect(request.body.readableBytes == 105)
    }

    @Test("unknown schemes are kept (§3.3.1, §3.3.2, §3.3.5)")
    func schemes() throws {
        #expect(try self.request("novelsc").uri.scheme == .other("soap.beep"))
        let unkscm = try self.request("unkscm")
        #expect(unkscm.uri.scheme == .other("nobodyKnowsThisScheme"))
        #expect(unkscm.uri.opaque == "totallyopaquecontent")
        let unksm2 = try self.request("unksm2")
        #expect(try unksm2.to()?.uri.scheme == .other("isbn"))
        #expect(try unksm2.from()?.uri.scheme == .other("http"))
        #expect(try unksm2.contacts().first?.address?.uri.description == "name:John_Smith")
    }

    @Test("other valid messages: facts")
    func miscellaneous() throws {
        #expect(try self.request("lwsdisp").from()?.displayName == "caller")
        #expect(try self.request("zeromf").maxForwards() == 0)
        #expect(try self.request("badbranch").vias().first?.branch == "z9hG4bK")
        #expect(try self.response("bcast").vias()[1].host == "255.255.255.255")
        #expect(try self.request("bext01").headers.values("Require")
            == ["nothingSupportsThis", "nothingSupportsThisEither"])
        #expect(try self.request("regaut01").headers["Authorization"] == "NoOneKnowsThisScheme opaque-data=here")
        let regescrt = try #require(try self.request("regescrt").contacts().first?.address)
        #expect(regescrt.uri.headers["Route"] == "%3Csip:sip.example.com%3E")
        let cparam01 = try #require(try self.request("cparam01").contacts().first?.address)
        #expect(cparam01.uri.parameters.isEmpty)
        #expect(cparam01.parameters.contains("unknownparam"))
        let cparam02 = try #require(try self.request("cparam02").contacts().first?.address)
        #expect(cparam02.uri.parameters.contains("unknownparam"))
        #expect(cparam02.parameters.isEmpty)
        #expect(try self.request("invut").body.readableBytes == 40)
        #expect(try self.request("sdp01").headers["Accept"] == "text/nobodyKnowsThis")
    }

    @Test("baddn is also refused for its unquoted display name once its header section is terminated")
    func baddnDisplayName() throws {
        var bytes = try RFC4475.bytes("invalid", "baddn")
        bytes += Array("\r\n\r\n".utf8)
        var parser = SIPParser()
        let message = try parser.parse(ByteBuffer(bytes: bytes))
        let error = try #require(throws: SIPParseError.self) { try validate(message) }
        #expect(error.code == .badHeader)
        #expect(error.header == "From")
    }
}
