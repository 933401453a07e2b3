import Crypto
import Foundation
import Telephony
import Testing
import X509

@testable import Identity

@Suite("SHAKEN verification")
struct VerificationTests {
    static let caller = "+12025550143"
    static let called = "sip:+13125550100@carrier.example.net;user=phone"

    /// A token with any header and payload JSON, signed by `key`.
    static func token(header: String, payload: String, key: P256.Signing.PrivateKey) throws -> String {
        let input = Base64URL.encode(header.utf8) + "." + Base64URL.encode(payload.utf8)
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + Base64URL.encode(signature)
    }

    static func identity(_ token: String) -> String {
        IdentityHeader.value(token: token, certificateURL: TestPKI.chainURL)
    }

    @Test("valid tokens of each attestation pass, and the claims come back", arguments: Attestation.allCases)
    func valid(_ attestation: Attestation) async throws {
        let pki = try TestPKI()
        let verifier = pki.verifier(source: try pki.source())
        let now = Date()
        let header = try pki.signer.identityHeader(for: TestPKI.claims(attestation, at: Int64(now.timeIntervalSince1970)))
        let result = await verifier.verify(header, caller: Self.caller, called: Self.called, at: now)
        #expect(result.verstat == .passed, "\(String(describing: result.failure))")
        #expect(result.claims?.attestation == attestation)
        // The chain is cached now: the same call verifies without waiting. The call is judged at the same time as
        // the first, so that a machine that stalls the test past the token's freshness cannot fail it.
        #expect(verifier.verifyCached(header, caller: Self.caller, called: Self.called, at: now)?.verstat == .passed)
    }

    @Test("a signer's name travels as rcd and is covered by the signature")
    func richCallData() async throws {
        let pki = try TestPKI()
        var claims = TestPKI.claims()
        claims.callerName = "Acme Widgets"
        let result = await pki.verifier(source: try pki.source())
            .verify(try pki.signer.identityHeader(for: claims), caller: Self.caller, called: Self.called, at: Date())
        #expect(result.verstat == .passed)
        #expect(result.claims?.callerName == "Acme Widgets")
    }

    /// One case of the failure table: how to break the header, and the verdict it must get.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var failure: String
        var verstat: Verstat = .failed
        var make: @Sendable (TestPKI) throws -> (identity: String, leaf: Certificate?, revoked: [Certificate])
        var testDescription: String { name }
    }

    static let now = Int64(Date().timeIntervalSince1970)
    static let goodHeader = #"{"alg":"ES256","ppt":"shaken","typ":"passport","x5u":"https://cert.example.net/sp.pem"}"#
    static func payload(_ body: String = #""attest":"A","dest":{"tn":["13125550100"]},"iat":\#(now),"orig":{"tn":"12025550143"},"origid":"x""#) -> String {
        "{\(body)}"
    }

    static let cases: [Case] = [
        Case(name: "tampered payload", failure: "bad-signature") { pki in
            let parts = try pki.signer.token(for: TestPKI.claims(.partial)).split(separator: ".")
            // The same call, upgraded to full attestation after signing.
            let payload = Base64URL.encode(TestPKI.claims(.full).canonicalJSON.utf8)
            return (identity("\(parts[0]).\(payload).\(parts[2])"), nil, [])
        },
        Case(name: "signed with a key that is not the certificate's", failure: "bad-signature") { pki in
            let other = PASSporTSigner(key: P256.Signing.PrivateKey(), certificateURL: TestPKI.chainURL)
            return (try other.identityHeader(for: TestPKI.claims()), nil, [])
        },
        Case(name: "expired certificate", failure: "certificate-invalid") { pki in
            let leaf = try pki.authority.issue(serviceProvider: "Old", code: "709J", key: pki.key.publicKey,
                                               notBefore: Date() - 90 * 86_400, days: 30)
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "certificate not yet valid", failure: "certificate-invalid") { pki in
            let leaf = try pki.authority.issue(serviceProvider: "Early", code: "709J", key: pki.key.publicKey,
                                               notBefore: Date() + 86_400)
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "certificate from an untrusted CA", failure: "certificate-invalid") { pki in
            let rogue = try CertificationAuthority.makeRoot(name: "Rogue", notBefore: Date() - 3_600)
            let leaf = try rogue.issue(serviceProvider: "Rogue", code: "709J", key: pki.key.publicKey, notBefore: Date() - 3_600)
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "certificate without a TNAuthList", failure: "certificate-invalid") { pki in
            let leaf = try pki.authority.issue(serviceProvider: "Bare", code: "709J", key: pki.key.publicKey,
                                               omittingTNAuthList: true, notBefore: Date() - 3_600)
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "TNAuthList that does not cover the caller", failure: "certificate-invalid") { pki in
            let leaf = try pki.authority.issue(serviceProvider: "Narrow", code: "709J", key: pki.key.publicKey,
                                               tnAuthList: TNAuthorizationList([.number("19995550100")]), notBefore: Date() - 3_600)
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "revoked certificate", failure: "certificate-invalid") { pki in
            (try pki.signer.identityHeader(for: TestPKI.claims()), nil, [pki.certificate])
        },
        Case(name: "stale iat", failure: "stale") { pki in
            (try pki.signer.identityHeader(for: TestPKI.claims(at: now - 61)), nil, [])
        },
        Case(name: "iat at the bottom of Int64, which would overflow a subtraction", failure: "stale") { pki in
            let body = payload().replacingOccurrences(of: #""iat":\#(now)"#, with: #""iat":-9223372036854775808"#)
            return (identity(try token(header: goodHeader, payload: body, key: pki.key)), nil, [])
        },
        Case(name: "iat at the top of Int64", failure: "stale") { pki in
            let body = payload().replacingOccurrences(of: #""iat":\#(now)"#, with: #""iat":9223372036854775807"#)
            return (identity(try token(header: goodHeader, payload: body, key: pki.key)), nil, [])
        },
        Case(name: "leaf whose key usage is not digitalSignature", failure: "certificate-invalid") { pki in
            let leaf = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(pki.key.publicKey), notValidBefore: Date() - 3_600,
                notValidAfter: Date() + 86_400, issuer: pki.authority.certificate.subject, subject: pki.certificate.subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(KeyUsage(keyEncipherment: true))
                    TNAuthorizationList([.serviceProviderCode("709J")])
                },
                issuerPrivateKey: Certificate.PrivateKey(pki.authority.key)
            )
            return (try pki.signer.identityHeader(for: TestPKI.claims()), leaf, [])
        },
        Case(name: "iat from the future", failure: "stale") { pki in
            (try pki.signer.identityHeader(for: TestPKI.claims(at: now + 120)), nil, [])
        },
        Case(name: "alg ES384 in the token", failure: "unsupported") { pki in
            let header = goodHeader.replacingOccurrences(of: "ES256", with: "ES384")
            return (identity(try token(header: header, payload: payload(), key: pki.key)), nil, [])
        },
        Case(name: "alg=RS256 on the header field", failure: "unsupported") { pki in
            let token = try pki.signer.token(for: TestPKI.claims())
            return ("\(token);info=<\(TestPKI.chainURL)>;alg=RS256;ppt=\"shaken\"", nil, [])
        },
        Case(name: "ppt other than shaken", failure: "unsupported") { pki in
            let header = goodHeader.replacingOccurrences(of: "shaken", with: "div")
            return (identity(try token(header: header, payload: payload(), key: pki.key)), nil, [])
        },
        Case(name: "malformed base64", failure: "malformed") { pki in
            let parts = try pki.signer.token(for: TestPKI.claims()).split(separator: ".")
            return (identity("\(parts[0]).\(parts[1])*!.\(parts[2])"), nil, [])
        },
        Case(name: "malformed JSON", failure: "malformed") { pki in
            (identity(try token(header: goodHeader, payload: "{\"attest\":\"A\",", key: pki.key)), nil, [])
        },
        Case(name: "a claim of the wrong type", failure: "malformed") { pki in
            let body = payload().replacingOccurrences(of: #""orig":{"tn":"12025550143"}"#, with: #""orig":{"tn":12025550143}"#)
            return (identity(try token(header: goodHeader, payload: body, key: pki.key)), nil, [])
        },
        Case(name: "two parts instead of three", failure: "malformed") { pki in
            let parts = try pki.signer.token(for: TestPKI.claims()).split(separator: ".")
            return (identity("\(parts[0]).\(parts[1])"), nil, [])
        },
        Case(name: "no origid", failure: "missing-claim") { pki in
            let body = payload(#""attest":"A","dest":{"tn":["13125550100"]},"iat":\#(now),"orig":{"tn":"12025550143"}"#)
            return (identity(try token(header: goodHeader, payload: body, key: pki.key)), nil, [])
        },
        Case(name: "attest D", failure: "invalid-claim") { pki in
            let body = payload().replacingOccurrences(of: #""attest":"A""#, with: #""attest":"D""#)
            return (identity(try token(header: goodHeader, payload: body, key: pki.key)), nil, [])
        },
        Case(name: "orig is not the caller", failure: "number-mismatch") { pki in
            (try pki.signer.identityHeader(for: TestPKI.claims(orig: "12025550199")), nil, [])
        },
        Case(name: "dest is not the called number", failure: "number-mismatch") { pki in
            (try pki.signer.identityHeader(for: TestPKI.claims(dest: "13125550199")), nil, [])
        },
        Case(name: "no info parameter, though the token's x5u is right", failure: "malformed") { pki in
            let token = try pki.signer.token(for: TestPKI.claims())
            return ("\(token);alg=ES256;ppt=\"shaken\"", nil, [])
        },
        Case(name: "info is not the x5u", failure: "invalid-claim") { pki in
            let token = try pki.signer.token(for: TestPKI.claims())
            return ("\(token);info=<https://elsewhere.example/sp.pem>;alg=ES256;ppt=\"shaken\"", nil, [])
        },
        Case(name: "truncated signature", failure: "malformed") { pki in
            let token = try pki.signer.token(for: TestPKI.claims())
            return (identity(String(token.dropLast(8))), nil, [])
        },
    ]

    @Test("each broken header gets its verdict and reason", arguments: cases)
    func failures(_ test: Case) async throws {
        let pki = try TestPKI()
        let (identity, leaf, revoked) = try test.make(pki)
        let verifier = pki.verifier(source: try pki.source(leaf: leaf, revoked: revoked))
        let result = await verifier.verify(identity, caller: Self.caller, called: Self.called, at: Date())
        #expect(result.verstat == test.verstat)
        #expect(result.failure?.code == test.failure, "\(String(describing: result.failure))")
    }

    @Test("a revocation list that is out of date degrades to No-TN-Validation; one not signed by the CA fails")
    func revocationListProblems() async throws {
        let pki = try TestPKI()
        let header = try pki.signer.identityHeader(for: TestPKI.claims())
        let stale = try pki.authority.revocationList(revoking: [], now: Date() - 30 * 86_400, days: 7)
        let rogue = try CertificationAuthority.makeRoot(name: "Rogue", notBefore: Date() - 3_600).revocationList(revoking: [], now: Date() - 60)
        for (list, verstat) in [(stale, Verstat.noValidation), (rogue, .failed)] {
            let source = TableSource([
                TestPKI.chainURL: .success(FetchedDocument(bytes: try pki.chainPEM())),
                TestPKI.crlURL: .success(FetchedDocument(bytes: list)),
            ])
            let result = await pki.verifier(source: source).verify(header, caller: Self.caller, called: Self.called, at: Date())
            #expect(result.verstat == verstat, "\(String(describing: result.failure))")
        }
    }

    @Test("a certificate server that cannot be reached degrades to No-TN-Validation")
    func unavailable() async throws {
        let pki = try TestPKI()
        let down = TableSource([TestPKI.chainURL: .failure(.certificateUnavailable("connection refused"))])
        let result = await pki.verifier(source: down)
            .verify(try pki.signer.identityHeader(for: TestPKI.claims()), caller: Self.caller, called: Self.called, at: Date())
        #expect(result.verstat == .noValidation)
        #expect(result.failure?.code == "x5u-unavailable")
    }

    @Test("past the time budget the call goes on unverified; the fetch finishes for the next call")
    func timeBudget() async throws {
        let pki = try TestPKI()
        let slow = TableSource([
            TestPKI.chainURL: .success(FetchedDocument(bytes: try pki.chainPEM())),
            TestPKI.crlURL: .success(FetchedDocument(bytes: try pki.authority.revocationList(revoking: [], now: Date() - 60))),
        ], delay: .milliseconds(300))
        let verifier = pki.verifier(source: slow, budget: .milliseconds(50))
        let now = Date()
        let header = try pki.signer.identityHeader(for: TestPKI.claims(at: Int64(now.timeIntervalSince1970)))
        // The fetch takes 300 ms, the budget is 50 ms: the verdict can only be No-TN-Validation if the budget held.
        let first = await verifier.verify(header, caller: Self.caller, called: Self.called, at: now)
        #expect(first.verstat == .noValidation)
        #expect(first.failure?.code == "x5u-unavailable")
        // Later calls are judged at the first one's time: the test is about the fetch, not the token's freshness.
        var later: Verification?
        for _ in 0..<100 where later == nil {
            try await Task.sleep(for: .milliseconds(100))
            later = verifier.verifyCached(header, caller: Self.caller, called: Self.called, at: now)
        }
        #expect(later?.verstat == .passed)
    }

    @Test("concurrent calls with one x5u share one fetch")
    func sharedFetch() async throws {
        let pki = try TestPKI()
        let source = try pki.source()
        let verifier = pki.verifier(source: source)
        let header = try pki.signer.identityHeader(for: TestPKI.claims())
        let verdicts = await withTaskGroup(of: Verstat.self) { group in
            for _ in 0..<20 {
                group.addTask { await verifier.verify(header, caller: Self.caller, called: Self.called, at: Date()).verstat }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts == Array(repeating: .passed, count: 20))
        #expect(source.fetchCount == 2, "one chain and one revocation list")
    }

    @Test("random bytes in the Identity header never crash, and never pass unless the token is untouched")
    func fuzz() async throws {
        let pki = try TestPKI()
        let verifier = pki.verifier(source: try pki.source())
        let good = Array(try pki.signer.identityHeader(for: TestPKI.claims()).utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            let mutated = String(decoding: bytes, as: UTF8.self)
            guard mutated != String(decoding: good, as: UTF8.self) else { continue }
            let result = await verifier.verify(mutated, caller: Self.caller, called: Self.called, at: Date())
            // A mutation may land in a parameter the verifier ignores; one in the token never passes.
            if result.verstat == .passed {
                #expect(try IdentityHeader(parsing: mutated).token == IdentityHeader(parsing: String(decoding: good, as: UTF8.self)).token)
            }
        }
    }
}
