import Foundation
import SwiftASN1
import Telephony
import Testing
import X509

@testable import Identity

@Suite("Identity encodings")
struct CodingTests {
    @Test("base64url round-trips every length and refuses what is not base64url")
    func base64url() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64URL.encode(bytes)
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
            #expect(Base64URL.decode(encoded) == bytes)
        }
        #expect(Base64URL.encode(Array("{\"alg\":\"ES256\"}".utf8)) == "eyJhbGciOiJFUzI1NiJ9")
        for bad in ["a", "ab=c", "ab+c", "a/bc", "ab c", "eyJhbGciOiJFUzI1NiJ9=", "AB"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("a TNAuthList with a Service Provider Code encodes as real SHAKEN certificates carry it")
    func tnAuthListEncoding() throws {
        let list = TNAuthorizationList([.serviceProviderCode("709J")])
        let ext = try list.makeCertificateExtension()
        #expect(Array(ext.value) == [0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, 0x37, 0x30, 0x39, 0x4A])
        #expect(try TNAuthorizationList(ext) == list)
        let mixed = TNAuthorizationList([.number("12025550143"), .range(start: "13125550100", count: 100)])
        #expect(try TNAuthorizationList(try mixed.makeCertificateExtension()) == mixed)
        #expect(mixed.authorizes(number: "12025550143"))
        #expect(mixed.authorizes(number: "13125550199"))
        #expect(!mixed.authorizes(number: "13125550200"))
        #expect(list.authorizes(number: "12025550143"), "a list of codes names no numbers to hold against the caller")
        let garbage = Certificate.Extension(oid: .X509ExtensionID.tnAuthList, critical: false, value: [0x30, 0x00])
        #expect(throws: (any Error).self) { try TNAuthorizationList(garbage) }
    }

    @Test("CRL distribution points round-trip and parse out of an issued certificate")
    func crlDistributionPoints() throws {
        let pki = try TestPKI()
        #expect(try pki.certificate.extensions.crlDistributionPoints?.urls == [TestPKI.crlURL])
        #expect(try pki.certificate.extensions.tnAuthorizationList == TNAuthorizationList([.serviceProviderCode("709J")]))
    }

    @Test("a revocation list names what it revokes, verifies against its issuer only, and has a window")
    func revocationList() throws {
        let pki = try TestPKI()
        let other = try TestPKI()
        let list = try CertificateRevocationList(bytes: try pki.authority.revocationList(revoking: [pki.certificate], now: Date() - 60))
        #expect(list.revoked.contains(pki.certificate.serialNumber))
        #expect(list.isSigned(by: pki.authority.certificate))
        #expect(!list.isSigned(by: other.authority.certificate))
        #expect(list.isCurrent(at: Date()))
        #expect(!list.isCurrent(at: Date() + 30 * 86_400))
        #expect(throws: (any Error).self) { try CertificateRevocationList(bytes: Array("not a CRL".utf8)) }
    }

    @Test("claims and header serialize as canonical JSON: sorted keys, no whitespace, escaped strings")
    func canonicalJSON() {
        var claims = TestPKI.claims(.partial, at: 1_700_000_000)
        #expect(claims.canonicalJSON == #"{"attest":"B","dest":{"tn":["13125550100"]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"6f1a6a4e-2c5b-4c53-9a3c-7d3b2b8e0f11"}"#)
        claims.callerName = #"Acme "HQ" \ Co"#
        #expect(claims.canonicalJSON.hasSuffix(#","rcd":{"nam":"Acme \"HQ\" \\ Co"}}"#))
        let header = PASSporTHeader(certificateURL: "https://cert.example.net/sp.pem")
        #expect(header.canonicalJSON == #"{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"https://cert.example.net/sp.pem"}"#)
    }

    /// Payloads as signers other than Tandem may write them; each decodes to the claims `JSONDecoder` gives, or is
    /// malformed when `JSONDecoder` refuses it, whichever of the two readers reads it.
    static let payloads: [(json: String, origid: String?, iat: Int64?, attest: Attestation?)] = [
        (#"{"attest":"A","dest":{"tn":["13125550100"]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"o-1"}"#,
         "o-1", 1_700_000_000, .full),
        (" {\n \"origid\" : \"o-2\", \"orig\": {\"tn\": \"12025550143\"}, \"iat\": 1700000000,\t\"dest\": {\"tn\": [ \"13125550100\" ]},\r\"attest\": \"B\" } ",
         "o-2", 1_700_000_000, .partial),
        (#"{"attest":"C","dest":{"tn":["13125550100"]},"iat":1.7e9,"orig":{"tn":"12025550143"},"origid":"\u006f-3"}"#,
         "o-3", 1_700_000_000, .gateway),
        (#"{"attest":"A","attest":"B","dest":{"tn":["13125550100"]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"o-4"}"#,
         "o-4", 1_700_000_000, .full),
        (#"{"attest":"A","dest":{"tn":["13125550100"]},"div":{"tn":"1","x":[1,true]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"o-5","rcd":null}"#,
         "o-5", 1_700_000_000, .full),
        (#"{"attest":"A","dest":{"tn":["13125550100",null]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"o"}"#,
         nil, nil, nil),
        (#"{"attest":"A","dest":{"tn":["13125550100"]},"iat":"1700000000","orig":{"tn":"12025550143"},"origid":"o"}"#,
         nil, nil, nil),
        (#"{"attest":"A","dest":{"tn":["13125550100"]},"iat":01700000000,"orig":{"tn":"12025550143"},"origid":"o"}"#,
         nil, nil, nil),
        (#"{"attest":"A","dest":{"tn":["13125550100"]},"iat":1700000000,"orig":{"tn":"12025550143"},"origid":"o"} x"#,
         nil, nil, nil),
    ]

    @Test("claims decode as JSONDecoder reads them, whether or not the plain reader takes them", arguments: payloads)
    func claimsJSON(_ payload: (json: String, origid: String?, iat: Int64?, attest: Attestation?)) {
        let header = #"{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"https://cert.example.net/sp.pem"}"#
        let token = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.json.utf8) + "."
            + Base64URL.encode([UInt8](repeating: 1, count: 64))
        let claims = try? PASSporT(token: token[...]).claims
        #expect(claims?.originIdentifier == payload.origid)
        #expect(claims?.issuedAt == payload.iat)
        #expect(claims?.attestation == payload.attest)
        if payload.origid != nil {
            #expect(claims?.origin == "12025550143")
            #expect(claims?.destinations == ["13125550100"])
        }
    }

    @Test("the Identity header parses with its parameters in any order, quoted or not")
    func identityHeader() throws {
        let parsed = try IdentityHeader(parsing: #"abc.def.ghi ; ppt="shaken";alg=ES256; info=<https://x.example/a;b.pem>"#)
        #expect(parsed.token == "abc.def.ghi")
        #expect(parsed.info == "https://x.example/a;b.pem")
        #expect(parsed.algorithm == "ES256")
        #expect(parsed.extensionName == "shaken")
        for bad in [
            "", ";info=<https://x>", "a.b.c;info=<https://x", "a.b.c;ppt=\"shaken", String(repeating: "a", count: 9_000),
            // RFC 8224 §4.1: info is required, in angle brackets, and no parameter comes twice.
            "a.b.c", "a.b.c;alg=ES256;ppt=\"shaken\"", "a.b.c;info=https://x.example/a.pem", "a.b.c;info=<>",
            "a.b.c;info=<https://x.example/a.pem>;info=<https://y.example/b.pem>",
        ] {
            #expect(throws: VerificationFailure.self, "\(bad.prefix(40))") { try IdentityHeader(parsing: bad) }
        }
    }

    @Test("telephone numbers canonicalize as RFC 8224 §8.3 and ATIS-1000074 compare them")
    func canonicalNumbers() {
        #expect(canonicalTelephoneNumber("+1 (202) 555-0143") == "12025550143")
        #expect(canonicalTelephoneNumber("2025550143") == "12025550143")
        #expect(canonicalTelephoneNumber("12025550143") == "12025550143")
        #expect(canonicalTelephoneNumber("+442079460000") == "442079460000")
        #expect(canonicalTelephoneNumber("anonymous") == nil)
        #expect(canonicalTelephoneNumber("") == nil)
        #expect(canonicalTelephoneNumber("1234567890123456") == nil)
    }
}
