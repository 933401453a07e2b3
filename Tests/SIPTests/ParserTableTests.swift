import Foundation
import NIOCore
import Testing

@testable import SIP

// MARK: - Hand-written vectors

/// A minimal valid INVITE's lines, to be varied by each vector.
private let baseHeaders = [
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds",
    "Max-Forwards: 70",
    "To: <sip:+12125551212@example.com>",
    "From: \"Alice\" <sip:+13035551111@example.net>;tag=1928301774",
    "Call-ID: a84b4c76e66710@pc33.example.net",
    "CSeq: 314159 INVITE",
    "Contact: <sip:alice@192.0.2.1:5060>",
]

private func invite(_ headers: [String] = baseHeaders, body: String = "", contentLength: Bool = true) -> String {
    let lengthLine = contentLength ? ["Content-Length: \(body.utf8.count)"] : []
    return sipText(["INVITE sip:+12125551212@example.com SIP/2.0"] + headers + lengthLine, body: body)
}

private func replacing(_ prefix: String, with line: String?) -> [String] {
    var headers = baseHeaders.filter { !$0.hasPrefix(prefix) }
    if let line { headers.append(line) }
    return headers
}

/// What a vector should do.
enum Outcome: Sendable, CustomStringConvertible {
    case valid
    case parseError(SIPParseError.Code)
    case validateError(SIPParseError.Code)

    var description: String {
        switch self {
        case .valid: "valid"
        case .parseError(let code): "parse error \(code)"
        case .validateError(let code): "validate error \(code)"
        }
    }
}

struct Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var outcome: Outcome

    init(_ name: String, _ text: String, _ outcome: Outcome) {
        self.name = name
        self.text = text
        self.outcome = outcome
    }

    var testDescription: String { self.name }
}

private let vectors: [Vector] = [
    // Valid
    Vector("minimal INVITE", invite(), .valid),
    Vector("leading CRLFs are ignored", "\r\n\r\n" + invite(), .valid),
    Vector("compact header names", invite([
        "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "Max-Forwards: 70", "t: <sip:b@example.com>",
        "f: <sip:a@example.com>;tag=1", "i: abc", "CSeq: 1 INVITE", "m: <sip:a@192.0.2.1>",
    ]), .valid),
    Vector("header names in any case", invite([
        "VIA: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "max-forwards: 70", "TO: <sip:b@example.com>",
        "from: <sip:a@example.com>;tag=1", "CALL-ID: abc", "cseq: 1 INVITE",
    ]), .valid),
    Vector("whitespace around the colon", invite(replacing("Call-ID", with: "Call-ID   :    abc")), .valid),
    Vector("tab as whitespace", invite(replacing("Call-ID", with: "Call-ID:\tabc\t")), .valid),
    Vector("folded Via", invite(replacing(
        "Via", with: "Via: SIP/2.0/UDP\r\n 192.0.2.1\r\n\t;branch=z9hG4bK1"
    )), .valid),
    Vector("two Vias in one header", invite(replacing(
        "Via", with: "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1, SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bK2"
    )), .valid),
    Vector("Via with received and rport", invite(replacing(
        "Via", with: "Via: SIP/2.0/UDP 192.0.2.1;rport=5070;received=198.51.100.7;branch=z9hG4bK1"
    )), .valid),
    Vector("repeated Contact headers", invite(baseHeaders + ["Contact: <sip:b@192.0.2.2>;q=0.5"]), .valid),
    Vector("Contact list with quoted commas", invite(replacing(
        "Contact", with: "Contact: \"Smith, J\" <sip:j@192.0.2.1>, <sip:k@192.0.2.2>;q=0.1"
    )), .valid),
    Vector("quoted display name with escapes", invite(replacing(
        "From", with: "From: \"A \\\"quoted\\\" \\\\ name\" <sip:a@example.com>;tag=1"
    )), .valid),
    Vector("addr-spec From with tag", invite(replacing("From", with: "From: sip:a@example.com;tag=1")), .valid),
    Vector("tel URI in To", invite(replacing("To", with: "To: <tel:+12125551212;phone-context=example.com>")), .valid),
    Vector("sips Request-URI", sipText(
        ["OPTIONS sips:example.com SIP/2.0"] + replacing("CSeq", with: "CSeq: 1 OPTIONS") + ["Content-Length: 0"]
    ), .valid),
    Vector("IPv6 Request-URI with port", sipText(
        ["OPTIONS sip:[2001:db8::10]:5070;transport=tcp SIP/2.0"] + replacing("CSeq", with: "CSeq: 1 OPTIONS")
    ), .valid),
    Vector("body with non-UTF-8 bytes", invite(body: "v=0\r\n\u{1}binary"), .valid),
    Vector("no Content-Length on UDP: body is the rest", invite(body: "v=0\r\n", contentLength: false), .valid),
    Vector("extra bytes after Content-Length are ignored", invite() + "garbage after the body", .valid),
    Vector("response 200 OK", sipText([
        "SIP/2.0 200 OK", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "To: <sip:b@example.com>;tag=x",
        "From: <sip:a@example.com>;tag=1", "Call-ID: abc", "CSeq: 1 INVITE", "Content-Length: 0",
    ]), .valid),
    Vector("response 302 with several Contacts", sipText([
        "SIP/2.0 302 Moved Temporarily", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
        "To: <sip:b@example.com>;tag=x", "From: <sip:a@example.com>;tag=1", "Call-ID: abc", "CSeq: 1 INVITE",
        "Contact: <sip:+1212@gw1.example.com;rn=+12125550000;npdi>;q=1.0, <sip:+1212@gw2.example.com>;q=0.5",
        "Content-Length: 0",
    ]), .valid),
    Vector("lowercase sip/2.0 version", sipText(["OPTIONS sip:example.com sip/2.0"]
        + replacing("CSeq", with: "CSeq: 1 OPTIONS")), .valid),
    Vector("Max-Forwards 0 is valid syntax", invite(replacing("Max-Forwards", with: "Max-Forwards: 0")), .valid),
    Vector("CSeq at 2^31-1", invite(replacing("CSeq", with: "CSeq: 2147483647 INVITE")), .valid),
    Vector("unknown header with odd value", invite(baseHeaders + ["X-Odd: ;;,,;;"]), .valid),
    Vector("Contact wildcard in REGISTER", sipText([
        "REGISTER sip:example.com SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", "Max-Forwards: 70",
        "To: <sip:a@example.com>", "From: <sip:a@example.com>;tag=1", "Call-ID: abc", "CSeq: 2 REGISTER",
        "Contact: *", "Expires: 0",
    ]), .valid),
    // Structure errors, caught by the parser
    Vector("empty datagram", "", .parseError(.malformedStartLine)),
    Vector("only CRLFs", "\r\n\r\n\r\n", .parseError(.malformedStartLine)),
    Vector("request line with two spaces", invite().replacingOccurrences("INVITE sip", "INVITE  sip"),
        .parseError(.malformedStartLine)),
    Vector("request line without version", "INVITE sip:a@example.com\r\n\r\n", .parseError(.malformedStartLine)),
    Vector("method with a non-token character", invite().replacingOccurrences("INVITE sip:", "INV@TE sip:"),
        .parseError(.malformedStartLine)),
    Vector("Request-URI without scheme", invite().replacingOccurrences("sip:+12125551212@example.com SIP",
        "example.com SIP"), .parseError(.badRequestURI)),
    Vector("Request-URI with bad port", invite().replacingOccurrences("@example.com SIP", "@example.com:99999 SIP"),
        .parseError(.badRequestURI)),
    Vector("Request-URI with bad escape", invite().replacingOccurrences("+12125551212@example.com SIP",
        "a%zz@example.com SIP"), .parseError(.badRequestURI)),
    Vector("status code with two digits", "SIP/2.0 20 OK\r\n\r\n", .parseError(.badStatusCode)),
    Vector("status code 700", "SIP/2.0 700 Odd\r\n\r\n", .parseError(.badStatusCode)),
    Vector("header without colon", invite(baseHeaders + ["NoColonHere"]), .parseError(.badHeader)),
    Vector("continuation before any header", "INVITE sip:a@example.com SIP/2.0\r\n folded\r\n\r\n",
        .parseError(.badHeader)),
    Vector("bare LF inside a header", invite(baseHeaders + ["X-A: one\ntwo"]), .parseError(.badHeader)),
    Vector("missing empty line", "OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n",
        .parseError(.headersNotTerminated)),
    Vector("negative Content-Length", invite(replacing("Call-ID", with: "Call-ID: a") + ["Content-Length: -1"],
        contentLength: false), .parseError(.badContentLength)),
    Vector("Content-Length with letters", invite(baseHeaders + ["l: 1O"], contentLength: false),
        .parseError(.badContentLength)),
    Vector("Content-Length past the end", invite(baseHeaders + ["Content-Length: 10"], body: "short",
        contentLength: false), .parseError(.bodyTooShort)),
    Vector("two different Content-Lengths", invite(baseHeaders + ["Content-Length: 0", "l: 3"], body: "abc",
        contentLength: false), .parseError(.badContentLength)),
    Vector("NUL in an unknown header value is kept", invite(baseHeaders + ["X-Bad: \u{FFFD}"]).replacingOccurrences(
        "\u{FFFD}", "\u{0}"), .valid),
    // Semantic errors, caught by validate()
    Vector("SIP/3.0", invite().replacingOccurrences("com SIP/2.0", "com SIP/3.0"),
        .validateError(.unsupportedVersion)),
    Vector("missing Via", invite(replacing("Via", with: nil)), .validateError(.missingRequiredHeader)),
    Vector("missing Call-ID", invite(replacing("Call-ID", with: nil)), .validateError(.missingRequiredHeader)),
    Vector("missing CSeq", invite(replacing("CSeq", with: nil)), .validateError(.missingRequiredHeader)),
    Vector("CSeq method mismatch", invite(replacing("CSeq", with: "CSeq: 1 ACK")),
        .validateError(.cseqMethodMismatch)),
    Vector("CSeq method differs in case", invite(replacing("CSeq", with: "CSeq: 1 invite")),
        .validateError(.cseqMethodMismatch)),
    Vector("CSeq at 2^31", invite(replacing("CSeq", with: "CSeq: 2147483648 INVITE")),
        .validateError(.valueOutOfRange)),
    Vector("CSeq without method", invite(replacing("CSeq", with: "CSeq: 1")), .validateError(.badHeader)),
    Vector("Max-Forwards 256", invite(replacing("Max-Forwards", with: "Max-Forwards: 256")),
        .validateError(.valueOutOfRange)),
    Vector("Max-Forwards not a number", invite(replacing("Max-Forwards", with: "Max-Forwards: ten")),
        .validateError(.badHeader)),
    Vector("two Call-IDs", invite(baseHeaders + ["i: other"]), .validateError(.duplicateHeader)),
    Vector("Via without transport", invite(replacing("Via", with: "Via: SIP/2.0 192.0.2.1")),
        .validateError(.badHeader)),
    Vector("Via with empty parameter", invite(replacing("Via", with: "Via: SIP/2.0/UDP 192.0.2.1;;branch=z9hG4bK1")),
        .validateError(.badHeader)),
    Vector("Via ttl out of range", invite(replacing("Via", with: "Via: SIP/2.0/UDP 192.0.2.1;ttl=300;branch=z9")),
        .validateError(.badHeader)),
    Vector("unterminated quoted display name", invite(replacing("To", with: "To: \"Bob <sip:b@example.com>")),
        .validateError(.badHeader)),
    Vector("spaces inside <>", invite(replacing("To", with: "To: < sip:b@example.com>")), .validateError(.badHeader)),
    Vector("addr-spec with ?", invite(replacing("Contact", with: "Contact: sip:a@example.com?Subject=x")),
        .validateError(.badHeader)),
    Vector("Contact * with an address", invite(replacing("Contact", with: "Contact: *, <sip:a@example.com>")),
        .validateError(.badHeader)),
    Vector("Request-URI with headers", invite().replacingOccurrences("@example.com SIP",
        "@example.com?Subject=hi SIP"), .validateError(.badRequestURI)),
    Vector("Date not in GMT", invite(baseHeaders + ["Date: Sat, 13 Nov 2010 23:29:00 PST"]),
        .validateError(.badHeader)),
    Vector("response without Via", sipText([
        "SIP/2.0 200 OK", "To: <sip:b@example.com>;tag=x", "From: <sip:a@example.com>;tag=1", "Call-ID: abc",
        "CSeq: 1 INVITE",
    ]), .validateError(.missingRequiredHeader)),
]

extension String {
    fileprivate func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

@Suite("Parser vectors")
struct ParserTableTests {
    @Test("there are at least 40 vectors")
    func enoughVectors() {
        #expect(vectors.count >= 40)
    }

    @Test("each vector parses or fails as expected", arguments: vectors)
    func vector(_ vector: Vector) throws {
        switch vector.outcome {
        case .valid:
            let message = try parse(vector.text)
            try validate(message)
            // What was parsed is what was sent: every field, in order, as a reader with no parser takes them, and
            // the same message again after a round trip.
            let parsed = message.headers.map { (name: $0.0, value: Self.collapsed($0.1)) }
            let expected = Self.plainFields(vector.text)
            #expect(parsed.map(\.name) == expected.map(\.name))
            #expect(parsed.map(\.value) == expected.map(\.value))
            #expect(try parse(String(buffer: serialize(message))) == message)
        case .parseError(let code):
            #expect(errorCode { _ = try parse(vector.text) } == code)
        case .validateError(let code):
            let message = try parse(vector.text)
            #expect(errorCode { try validate(message) } == code)
        }
    }

    /// The header fields of a message's text as read without the parser: after any leading CRLFs and the start line,
    /// up to the blank line; continuation lines (RFC 3261 §7.3.1) joined to the line before; names and values
    /// trimmed, and runs of whitespace in values made one space.
    static func plainFields(_ text: String) -> [(name: String, value: String)] {
        var head = Substring(text)
        while head.hasPrefix("\r\n") { head = head.dropFirst() }
        let end = head.range(of: "\r\n\r\n")?.lowerBound ?? head.endIndex
        var fields: [(name: String, value: String)] = []
        for line in head[..<end].components(separatedBy: "\r\n").dropFirst() {
            if line.first == " " || line.first == "\t", let last = fields.popLast() {
                fields.append((last.name, collapsed(last.value + " " + line)))
            } else if let colon = line.firstIndex(of: ":") {
                fields.append((line[..<colon].trimmingCharacters(in: .whitespaces), collapsed(String(line[line.index(after: colon)...]))))
            }
        }
        return fields
    }

    /// `value` trimmed, with each run of spaces and tabs made one space.
    static func collapsed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    @Test("headers: order, spelling, case-insensitive and compact lookup, lists")
    func headers() throws {
        let request = try parseRequest(invite(baseHeaders + [
            "v: SIP/2.0/TCP 192.0.2.9;branch=z9hG4bK9", "Accept: application/sdp, text/plain",
            "Accept: \"a,b\"/x", "Contact: <sip:b@192.0.2.2;p=1,2>",
        ]))
        #expect(request.headers["via"] == "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds")
        #expect(request.headers.values("V").count == 2)
        #expect(request.headers.values("Accept") == ["application/sdp", "text/plain", "\"a,b\"/x"])
        #expect(request.headers.values("m").count == 2)
        #expect(request.headers["i"] == "a84b4c76e66710@pc33.example.net")
        #expect(request.headers.count(of: "Contact") == 2)
        #expect(Array(request.headers).first?.name == "Via")
        #expect(try request.vias().map(\.transport) == ["UDP", "TCP"])
        var headers = request.headers
        headers.replaceOrAdd(name: "Via", value: "SIP/2.0/UDP x;branch=z9hG4bKx")
        #expect(headers.values("Via") == ["SIP/2.0/UDP x;branch=z9hG4bKx"])
        headers.remove(name: "m")
        #expect(!headers.contains("Contact"))
        headers.add(name: "X-New", value: "1")
        #expect(Array(headers).last?.name == "X-New")
        #expect(headers.values("Date") == [])
    }

    @Test("limits are typed errors")
    func limits() throws {
        let small = SIPParserConfiguration(
            maximumMessageBytes: 2_000,
            maximumHeaderCount: 10,
            maximumHeaderLineBytes: 200,
            maximumViaCount: 2,
            maximumContactCount: 2,
            maximumBodyBytes: 10
        )
        func code(_ text: String) -> SIPParseError.Code? {
            errorCode { _ = try parse(text, configuration: small) }
        }
        #expect(code(invite()) == nil)
        #expect(code(invite(body: String(repeating: "x", count: 3_000))) == .limitExceeded(.messageBytes))
        #expect(code(invite(baseHeaders + ["A: 1", "B: 2", "C: 3"])) == .limitExceeded(.headerCount))
        #expect(code(invite(baseHeaders + ["X: " + String(repeating: "y", count: 300)]))
            == .limitExceeded(.headerLineBytes))
        #expect(code(invite(baseHeaders + ["X: a\r\n " + String(repeating: "y", count: 100) + "\r\n "
            + String(repeating: "z", count: 100)])) == .limitExceeded(.headerLineBytes))
        #expect(code(invite(baseHeaders + ["Via: SIP/2.0/UDP a, SIP/2.0/UDP b"])) == .limitExceeded(.viaCount))
        #expect(code(invite(baseHeaders + ["m: <sip:a@b>, <sip:c@d>"])) == .limitExceeded(.contactCount))
        #expect(code(invite(body: String(repeating: "b", count: 11))) == .limitExceeded(.bodyBytes))
        #expect(code(invite(body: String(repeating: "b", count: 11), contentLength: false))
            == .limitExceeded(.bodyBytes))
        #expect(code("INVITE sip:" + String(repeating: "a", count: 300) + "@example.com SIP/2.0\r\n\r\n")
            == .limitExceeded(.headerLineBytes))
    }

    @Test("errors suggest a status and name the header")
    func errorDetails() throws {
        let request = try parseRequest(invite(replacing("Max-Forwards", with: nil)))
        let error = try #require(throws: SIPParseError.self) { try request.validate() }
        #expect(error.header == "Max-Forwards")
        #expect(error.suggestedStatus == 400)
        #expect(!error.reason.contains("\r"))
        let old = try parseRequest(invite().replacingOccurrences("com SIP/2.0", "com SIP/1.0"))
        #expect(try #require(throws: SIPParseError.self) { try old.validate() }.suggestedStatus == 505)
    }
}
