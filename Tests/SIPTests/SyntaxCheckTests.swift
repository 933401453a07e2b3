import NIOCore
import Telephony
import Testing

@testable import SIP

// MARK: - Checking without building agrees with parsing

/// Validation checks Contacts, the Vias below the top one, From and To without building them. These tests hold the
/// checks to the parsers: the same values accepted, the same errors thrown, on valid, invalid and mutated input.
@Suite("Syntax checks agree with the parsers")
struct SyntaxCheckTests {
    /// What a parse or a check came to: the error it threw, or none.
    private static func outcome(_ body: () throws -> Void) -> SIPParseError? {
        do {
            try body()
            return nil
        } catch {
            return error as? SIPParseError ?? SIPParseError(.badHeader, "not a SIPParseError: \(error)")
        }
    }

    /// Checks one header value both ways and expects the same verdict; for a name-addr, also that the URI the
    /// check points at is the one the parser built.
    private static func expectAgreement(_ value: Substring, header: String) {
        switch header {
        case "Via":
            #expect(
                outcome { try SIPVia.check(value) } == outcome { _ = try SIPVia(parsing: value) },
                "Via: \(value)"
            )
        default:
            var uriBytes: Range<Int>?
            let checked = outcome { uriBytes = try SIPNameAddress.check(value, header: header).uri }
            var parsed: SIPNameAddress?
            #expect(checked == outcome { parsed = try SIPNameAddress(parsing: value, header: header) }, "\(header): \(value)")
            if let uriBytes, let parsed {
                let utf8 = Array(value.utf8)
                let uriText = String(decoding: utf8[uriBytes], as: UTF8.self)
                #expect((try? SIPURI(parsing: uriText)) == parsed.uri, "\(header): \(value)")
            }
        }
    }

    /// Every From, To, Contact and Via element of a message, checked both ways.
    private static func expectAgreement(in message: SIPMessage) {
        for (name, kind) in [("From", SIPHeaderKey.Kind.from), ("To", .to), ("Contact", .contact), ("Via", .via)] {
            try? message.headers.forEachListElement(kind) { element in
                if element != "*" { Self.expectAgreement(element, header: name) }
            }
        }
    }

    /// Validation as it was before the checks, for requests: every value built with the parsers, in the same order.
    private static func referenceValidation(_ request: SIPRequest) throws(SIPParseError) -> SIPValidatedHeaders {
        guard request.version == .sip2 else {
            throw SIPParseError(.unsupportedVersion, "SIP version \(request.version) is not supported")
        }
        if !request.uri.headers.isEmpty {
            throw SIPParseError(.badRequestURI, "Request-URI must not contain headers")
        }
        let missing = request.missingRequiredHeaders.filter { $0 != "Max-Forwards" }
        if let first = missing.first {
            throw SIPParseError(
                .missingRequiredHeader,
                "Missing required header\(missing.count > 1 ? "s" : ""): \(missing.joined(separator: ", "))",
                header: first
            )
        }
        let headers = request.headers
        for name in ["To", "From", "Call-ID", "CSeq", "Max-Forwards"] where headers.count(of: name) > 1 {
            throw SIPParseError(.duplicateHeader, "\(name) appears more than once", header: name)
        }
        if let callID = headers.callID, callID.isEmpty || callID.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw .badHeader("Call-ID", "not a word[@word]")
        }
        let (from, to) = (try headers.from(), try headers.to())
        let (cseq, maxForwards) = (try headers.cseq(), try headers.maxForwards())
        let topVia = try headers.vias().first
        if let date = headers["Date"], !isRFC1123Date(date) {
            throw .badHeader("Date", "not an RFC 1123 date in GMT")
        }
        _ = try headers.contacts()
        if let cseq, cseq.method != request.method {
            throw SIPParseError(.cseqMethodMismatch, "CSeq method does not match the request method", header: "CSeq")
        }
        return SIPValidatedHeaders(
            topVia: topVia, from: from.flatMap { _ in headers["From"] }, fromUser: from.map { $0.uri.user ?? $0.uri.opaque },
            to: to.flatMap { _ in headers["To"] }, cseq: cseq, maxForwards: maxForwards
        )
    }

    /// Messages to try: the RFC 4475 fixtures, valid and invalid.
    private static func fixtures() throws -> [[UInt8]] {
        try RFC4475.names("valid").map { try RFC4475.bytes("valid", $0) }
            + RFC4475.names("invalid").map { try RFC4475.bytes("invalid", $0) }
    }

    @Test("name-addrs and Vias of every RFC 4475 fixture")
    func fixtureValues() throws {
        var parser = SIPParser()
        for bytes in try Self.fixtures() {
            guard let message = try? parser.parse(ByteBuffer(bytes: bytes)) else { continue }
            Self.expectAgreement(in: message)
        }
    }

    @Test("values written to break the grammar", arguments: [
        ("From", "<sip:a@example.com>;tag=1"), ("From", "\"A \\\"B\\\"\" <sip:a@example.com>;tag=1"),
        ("From", "A B <sip:a@example.com>"), ("From", "sip:a@example.com;tag=1"), ("From", "sip:a@example.com?x=y"),
        ("From", "sip:a@example.com,b"), ("From", "<sip:a@example.com"), ("From", "\"unterminated <sip:a@b>"),
        ("From", "\"quoted\" sip:a@b"), ("From", "<sip:a@b>;"), ("From", "<sip:a@b>;tag="), ("From", "<sip:a@b>;=x"),
        ("From", "<sip:a@b> trailing"), ("From", "<sip:a@[::1]:5060;lr?h=v&i=w>;tag=\"q\""), ("From", "<tel:+1-555>"),
        ("From", "<urn:service:sos>"), ("From", "<sip:%zz@b>"), ("From", "<sip:a@b:99999>"), ("From", ""),
        ("Contact", "<sip:a@b>;q=0.5;expires=60"), ("Contact", "<sips:a:pw@b;transport=tls>"), ("Contact", "*x"),
        ("To", "<sip:a@b;x=1=2>"), ("To", "<sip:a@b;=1>"), ("To", "<sip:@b>"), ("To", "<sip:a@b?>"), ("To", "< sip:a@b>"),
        ("Via", "SIP/2.0/UDP host;branch=z9hG4bK1"), ("Via", "SIP / 2.0 / UDP host : 5060 ; branch = z9"),
        ("Via", "SIP/2.0/UDP [2001:db8::1]:5060;received=192.0.2.1;rport=9"), ("Via", "SIP/2.0/UDP host;ttl=256"),
        ("Via", "SIP/2.0/UDP host;ttl=+5"), ("Via", "SIP/2.0/UDP host;TTL=1;ttl"), ("Via", "SIP/2.0/UDP host;ttl"),
        ("Via", "SIP/2.0/UDP host;rport=0"), ("Via", "SIP/2.0/UDP host;rport;rport=x"), ("Via", "SIP/2.0/UDP host;branch"),
        ("Via", "SIP/2.0/UDP host;%62ranch"), ("Via", "SIP/2.0/UDP host;%62ranch=1;branch"), ("Via", "SIP/2.0/UDP host;maddr"),
        ("Via", "SIP/2.0/UDP host;received"), ("Via", "SIP/2.0/UDPhost"), ("Via", "SIP/2.0/UDP host:"), ("Via", "SIP/2.0/UDP"),
        ("Via", "SIP/2.0/UDP host extra"), ("Via", "SIP/2.0/UDP host;branch=\"q\""), ("Via", ""),
    ])
    func craftedValues(header: String, value: String) {
        Self.expectAgreement(value[...], header: header)
    }

    @Test("Via parameters: the first one a lookup finds (any case, %HH escapes decoded) is the one checked",
          arguments: [
              (";branch=z9hG4bK1;ttl=255;rport;received=192.0.2.1;maddr=192.0.2.2", true), (";ttl=256", false),
              (";ttl=+5", true), (";TTL=1;ttl", true), (";ttl", false), (";rport=0", false), (";rport;rport=x", true),
              (";rport=x", false), (";branch", false), (";%62ranch", false), (";%62ranch=1;branch", true),
              (";maddr", false), (";received", false), (";%74tl=300", false),
          ])
    func viaParameterRules(parameters: String, accepted: Bool) {
        let value = "SIP/2.0/UDP host" + parameters
        #expect(((try? SIPVia(parsing: value)) != nil) == accepted, "\(value)")
        #expect((Self.outcome { try SIPVia.check(value) } == nil) == accepted, "\(value)")
    }

    @Test("2,000 random edits of each fixture: the same values accepted, the same errors, the same validation")
    func mutatedMessages() throws {
        var generator = SplitMix64(seed: 3261)
        var parser = SIPParser()
        for original in try Self.fixtures() {
            for _ in 0..<MutationTests.mutationsPerFixture {
                var bytes = original
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    MutationTests.mutate(&bytes, using: &generator)
                }
                guard let message = try? parser.parse(ByteBuffer(bytes: bytes)) else { continue }
                Self.expectAgreement(in: message)
                if case .request(let request) = message {
                    var validated: SIPValidatedHeaders?
                    var reference: SIPValidatedHeaders?
                    let error = Self.outcome { validated = try request.validate(requiringMaxForwards: false) }
                    #expect(error == Self.outcome { reference = try Self.referenceValidation(request) })
                    if let validated, let reference {
                        #expect(validated == reference)
                        #expect(validated.from == (try? request.from()))
                        #expect(validated.fromUser == (try? request.from()).map { $0?.uri.user ?? $0?.uri.opaque })
                        #expect(validated.to == (try? request.to()))
                        #expect(validated.topVia == (try? request.vias())?.first)
                    }
                }
            }
        }
    }
}
