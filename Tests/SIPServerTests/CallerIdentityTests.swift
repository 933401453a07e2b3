import Crypto
import Foundation
import Identity
import NIOConcurrencyHelpers
import NIOCore
import Routing
import SIP
@testable import SIPServer
import Telephony
import Testing

/// STIR/SHAKEN and caller names in the redirect server's answers.
/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Caller identity in redirects", .timeLimit(.minutes(3)))
struct CallerIdentityTests {
    static let acmeSource = IPAddress("192.0.2.10")!
    static let carrierSource = IPAddress("198.51.100.7")!
    static let chainURL = "https://sti.tandem.example/sti/cert.pem"

    /// A PKI, a signer and a verifier that fetches from a table holding the chain.
    struct PKI {
        let authority: CertificationAuthority
        let key = P256.Signing.PrivateKey()
        let signer: PASSporTSigner
        let verifier: IdentityVerifier

        init(fetchDelay: Duration = .zero) throws {
            authority = try CertificationAuthority.makeRoot(name: "Test STI-CA", notBefore: Date() - 3_600)
            let certificate = try authority.issue(serviceProvider: "Tandem", code: "709J", key: key.publicKey, notBefore: Date() - 3_600)
            signer = PASSporTSigner(key: key, certificateURL: chainURL)
            let chain = Array((try certificate.pem + "\n" + authority.certificate.pem).utf8)
            verifier = IdentityVerifier(
                configuration: VerificationConfiguration(trustAnchors: [authority.certificate], timeBudget: .seconds(5)),
                source: ChainSource(chain: chain, delay: fetchDelay)
            )
        }
    }

    /// Serves one chain at any URL, after `delay`: the certificate server, for tests above the fetch.
    struct ChainSource: DocumentSource {
        let chain: [UInt8]
        let delay: Duration

        func fetch(_ url: String) async throws(VerificationFailure) -> FetchedDocument {
            if delay > .zero { try? await Task.sleep(for: delay) }
            return FetchedDocument(bytes: chain)
        }
    }

    /// Names from a table, counting lookups: the remote CNAM provider, simulated.
    final class SimulatedCNAMProvider: CallerNameProvider {
        let names: [String: String]
        let lookups = NIOLockedValueBox(0)

        init(_ names: [String: String]) {
            self.names = names
        }

        func name(for number: String) async throws -> CallerName? {
            lookups.withLockedValue { $0 += 1 }
            return try names[number].map { try CallerName(normalizing: $0) }
        }
    }

    static func table(signing: TrunkRoute.Signing, allowAny: Bool = false) -> RoutingTable {
        let acme = TrunkRoute(
            id: "trk_acme", accountId: "acc_acme", accountActive: true,
            hosts: [.init(address: "pbx.acme.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
            sources: [CIDRBlock("192.0.2.0/24")!],
            callerID: .init(allowAny: allowAny, allowedPrefixes: ["1301555"], rejectViolations: true),
            signing: signing
        )
        let carrier = CarrierRoute(id: "car_1", name: "Upstream", gateways: [.init(address: "gw.upstream.example")],
                                   sources: [CIDRBlock("198.51.100.0/24")!])
        return RoutingTable(RoutingSnapshot(
            version: 1, epoch: 1, trunks: [acme],
            numbers: [
                NumberRoute(number: PhoneNumber("+12025550100")!, accountId: "acc_acme", trunkId: "trk_acme"),
                NumberRoute(number: PhoneNumber("+12025550101")!, accountId: "acc_acme", trunkId: "trk_acme",
                            callerName: "Acme Dental"),
            ],
            emergency: EmergencyRoute(host: "psap.example", port: 5080),
            carriers: [carrier]
        ))
    }

    static func invite(
        to dialed: String = "+12025550100", from caller: String = "+12025550101", identity: String? = nil,
        callID: String = UUID().uuidString
    ) -> SIPMessage {
        let lines = [
            "INVITE sip:\(dialed)@tandem.example;user=phone SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-\(callID)",
            "From: <sip:\(caller)@192.0.2.10;user=phone>;tag=a1",
            "To: <sip:\(dialed)@tandem.example>",
            "Call-ID: \(callID)",
            "CSeq: 1 INVITE",
            "Max-Forwards: 70",
        ] + (identity.map { ["Identity: \($0)"] } ?? []) + ["Content-Length: 0", "", ""]
        var parser = SIPParser()
        return try! parser.parse(ByteBuffer(string: lines.joined(separator: "\r\n")))
    }

    static let origid = "0b1f9c52-3f0e-8a6b-9c1d-2e3f4a5b6c7d"

    /// The claims of the Identity header in a response, verified with the PKI.
    static func verifiedClaims(_ response: SIPResponse, pki: PKI, caller: String, called: String) async throws -> SHAKENClaims {
        let header = try #require(response.headers.values("Identity").first)
        let result = await pki.verifier.verify(header, caller: caller, called: called, at: Date())
        #expect(result.verstat == .passed, "\(String(describing: result.failure))")
        return try #require(result.claims)
    }

    @Test("the caller's own number is attested A, with the verified name and the trunk's origid")
    func fullAttestation() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init(originIdentifier: Self.origid, verifiedName: "Acme Dental Group")),
            identity: CallerIdentityService(signer: pki.signer)
        )
        let response = try #require(await responder.respond(to: Self.invite(), from: Self.acmeSource))
        let claims = try await Self.verifiedClaims(response, pki: pki, caller: "+12025550101", called: "+12025550100")
        #expect(claims.attestation == .full)
        #expect(claims.originIdentifier == Self.origid)
        #expect(claims.callerName == "Acme Dental Group")
        #expect(claims.origin == "12025550101" && claims.destinations == ["12025550100"])
    }

    @Test("an authorized range is A too; a number the trunk may present but does not own is B, without a name")
    func partialAttestation() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init(verifiedName: "Acme Dental Group"), allowAny: true),
            identity: CallerIdentityService(signer: pki.signer)
        )
        let ranged = try #require(await responder.respond(to: Self.invite(from: "+13015550123"), from: Self.acmeSource))
        #expect(try await Self.verifiedClaims(ranged, pki: pki, caller: "+13015550123", called: "+12025550100").attestation == .full)
        let foreign = try #require(await responder.respond(to: Self.invite(from: "+14155550123"), from: Self.acmeSource))
        let claims = try await Self.verifiedClaims(foreign, pki: pki, caller: "+14155550123", called: "+12025550100")
        #expect(claims.attestation == .partial)
        #expect(claims.callerName == nil)
    }

    @Test("a trunk that passes on calls from elsewhere is attested C")
    func gatewayAttestation() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init(passesOnCalls: true)), identity: CallerIdentityService(signer: pki.signer)
        )
        let response = try #require(await responder.respond(to: Self.invite(), from: Self.acmeSource))
        #expect(try await Self.verifiedClaims(response, pki: pki, caller: "+12025550101", called: "+12025550100").attestation == .gateway)
    }

    @Test("signing follows the trunk's policy; 911 and calls without a caller are never signed")
    func signingPolicy() throws {
        let pki = try PKI()
        func identity(_ mode: TrunkRoute.Signing.Mode, _ message: SIPMessage) -> String? {
            RedirectResponder(clock: .system, table: Self.table(signing: .init(mode: mode)), identity: CallerIdentityService(signer: pki.signer))
                .respond(to: message, from: Self.acmeSource)?.headers.values("Identity").first
        }
        let upstream = "eyJ.eyJ.sig;info=<https://elsewhere.example/c.pem>"
        #expect(identity(.all, Self.invite()) != nil)
        #expect(identity(.never, Self.invite()) == nil)
        #expect(identity(.unsignedOnly, Self.invite()) != nil)
        #expect(identity(.unsignedOnly, Self.invite(identity: upstream)) == nil)
        #expect(identity(.all, Self.invite(to: "911")) == nil)
        #expect(identity(.all, Self.invite(from: "anonymous")) == nil)
        let unsignedServer = RedirectResponder(clock: .system, table: Self.table(signing: .init()))
        #expect(unsignedServer.respond(to: Self.invite(), from: Self.acmeSource)?.headers.values("Identity").isEmpty == true)
    }

    @Test("a signed call from a carrier gets verstat=TN-Validation-Passed and the caller's name from our records")
    func verifiedInbound() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let claims = SHAKENClaims(attestation: .full, origin: "12025550101", destinations: ["12025550100"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let header = try pki.signer.identityHeader(for: claims)
        // The first call waits for the certificate (async); the second finds it cached (at once).
        for _ in 0..<2 {
            let response = try #require(await responder.respond(to: Self.invite(identity: header), from: Self.carrierSource))
            #expect(response.status == 302)
            #expect(response.headers.values("P-Asserted-Identity") == [
                "\"Acme Dental\" <sip:+12025550101;verstat=TN-Validation-Passed@pbx.acme.example;user=phone>",
            ])
        }
        // The transport's first, synchronous answer: with the certificate cached, it is the verified one.
        let answerAtOnce = { responder.respond(to: Self.invite(identity: header), from: Self.carrierSource) }
        let cached = try #require(answerAtOnce())
        #expect(cached.headers.values("P-Asserted-Identity").first?.contains("TN-Validation-Passed") == true)
    }

    @Test("unsigned, tampered and unverifiable calls are told so, and still routed")
    func unverifiedInbound() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let unsigned = try #require(await responder.respond(to: Self.invite(from: "+14155550123"), from: Self.carrierSource))
        #expect(unsigned.status == 302)
        #expect(unsigned.headers.values("P-Asserted-Identity") == ["<sip:+14155550123;verstat=No-TN-Validation@pbx.acme.example;user=phone>"])
        let claims = SHAKENClaims(attestation: .full, origin: "14155550123", destinations: ["12025550199"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let wrongDestination = try pki.signer.identityHeader(for: claims)
        let failed = try #require(await responder.respond(to: Self.invite(from: "+14155550123", identity: wrongDestination),
                                                          from: Self.carrierSource))
        #expect(failed.status == 302)
        #expect(failed.headers.values("P-Asserted-Identity").first?.contains("verstat=TN-Validation-Failed") == true)
    }

    @Test("a caller's text cannot reach the answer's headers: only canonical digits go into P-Asserted-Identity")
    func injectedCaller() async throws {
        let responder = RedirectResponder(clock: .system, table: Self.table(signing: .init()))
        let hostile = "+1202555%0D%0AContact%3A%20%3Csip%3Aevil%40203.0.113.9%3E"
        let response = try #require(await responder.respond(to: Self.invite(from: hostile), from: Self.carrierSource))
        #expect(response.status == 302)
        #expect(response.headers.values("Contact").allSatisfy { !$0.contains("evil") })
        #expect(response.headers.values("P-Asserted-Identity").isEmpty)
    }

    @Test("a signer's name is shown only at full attestation, only as printable ASCII, quoted")
    func signedNames() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        func assertedIdentity(_ attestation: Attestation, name: String) async throws -> String? {
            let claims = SHAKENClaims(attestation: attestation, origin: "14155550123", destinations: ["12025550100"],
                                      issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid,
                                      callerName: name)
            let message = Self.invite(from: "+14155550123", identity: try pki.signer.identityHeader(for: claims))
            return try #require(await responder.respond(to: message, from: Self.carrierSource)).headers.values("P-Asserted-Identity").first
        }
        #expect(try await assertedIdentity(.full, name: #"Golden "Gate" Co"#)?.hasPrefix(#""Golden \"Gate\" Co" <sip:+14155550123;"#) == true)
        #expect(try await assertedIdentity(.gateway, name: "IRS")?.hasPrefix("<sip:+14155550123;verstat=TN-Validation-Passed") == true)
        let injected = try await assertedIdentity(.full, name: "IRS\r\nContact: <sip:evil@203.0.113.9>")
        #expect(injected?.hasPrefix("<sip:+14155550123;") == true, "a name CNAM could not carry is no name")
    }

    @Test("dest is compared with To, which names the called party even when the Request-URI was rewritten")
    func destinationFromTo() async throws {
        let pki = try PKI()
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let claims = SHAKENClaims(attestation: .full, origin: "14155550123", destinations: ["12025550100"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let identity = try pki.signer.identityHeader(for: claims)
        let lines = [
            "INVITE sip:+12025550100;rn=+12025559999;npdi@tandem.example;user=phone SIP/2.0",
            "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-to",
            "From: <sip:+14155550123@198.51.100.7;user=phone>;tag=a1",
            "To: <sip:2025550100@tandem.example;user=phone>",
            "Call-ID: dest-from-to", "CSeq: 1 INVITE", "Max-Forwards: 70",
            "Identity: eyJhbGciOiJFUzI1NiIsInBwdCI6ImRpdiJ9.e30.c2ln;info=<https://elsewhere.example/d.pem>;ppt=div",
            "Identity: \(identity)", "Content-Length: 0", "", "",
        ]
        var parser = SIPParser()
        let message = try parser.parse(ByteBuffer(string: lines.joined(separator: "\r\n")))
        let response = try #require(await responder.respond(to: message, from: Self.carrierSource))
        #expect(response.headers.values("P-Asserted-Identity").first?.contains("verstat=TN-Validation-Passed") == true,
                "the shaken PASSporT is chosen over the div one before it")
    }

    @Test("a certificate slower than the budget: the transport's first answer says No-TN-Validation")
    func slowCertificate() async throws {
        let pki = try PKI(fetchDelay: .seconds(30))
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let claims = SHAKENClaims(attestation: .full, origin: "12025550101", destinations: ["12025550100"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let message = Self.invite(identity: try pki.signer.identityHeader(for: claims))
        let answerAtOnce = { responder.respond(to: message, from: Self.carrierSource) }
        let response = try #require(answerAtOnce())
        #expect(response.headers.values("P-Asserted-Identity").first?.contains("verstat=No-TN-Validation") == true)
        #expect(answerAtOnce() == nil, "a retransmission waits for the answer on its way, and is not routed again")
    }

    @Test("a retransmission after a deferred answer gets that answer")
    func retransmissionAfterDeferredAnswer() async throws {
        let pki = try PKI(fetchDelay: .milliseconds(50))
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let claims = SHAKENClaims(attestation: .full, origin: "12025550101", destinations: ["12025550100"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let message = Self.invite(identity: try pki.signer.identityHeader(for: claims), callID: "retransmitted")
        let first = try #require(await responder.respond(to: message, from: Self.carrierSource))
        let again = try #require(await responder.respond(to: message, from: Self.carrierSource))
        #expect(first.headers.values("P-Asserted-Identity").first?.contains("TN-Validation-Passed") == true)
        #expect(again.headers.values("P-Asserted-Identity") == first.headers.values("P-Asserted-Identity"))
        #expect(try again.headers.to()?.tag == first.headers.to()?.tag)
    }

    @Test("a CANCEL while the answer waits for caller identity gets 200, and the INVITE ends 487, retransmissions too")
    func cancelWhilePending() async throws {
        let pki = try PKI(fetchDelay: .milliseconds(300))
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()), identity: CallerIdentityService(verifier: pki.verifier)
        )
        let claims = SHAKENClaims(attestation: .full, origin: "12025550101", destinations: ["12025550100"],
                                  issuedAt: Int64(Date().timeIntervalSince1970), originIdentifier: Self.origid)
        let message = Self.invite(identity: try pki.signer.identityHeader(for: claims), callID: "cancelled")
        guard case .request(let invite) = message else { Issue.record("not a request"); return }
        let pending = try #require(responder.answer(invite, from: Self.carrierSource))
        let complete = try #require(pending.complete, "the answer waits for the signer's certificate")

        // The CANCEL: the INVITE's Call-ID, branch and CSeq number, method CANCEL (RFC 3261 §9.1).
        var cancel = invite
        cancel.method = .cancel
        cancel.headers.replaceOrAdd(name: "CSeq", value: "1 CANCEL")
        // The transport's first answer, without waiting for what may follow.
        let atOnce: (SIPMessage) -> SIPResponse? = { responder.respond(to: $0, from: Self.carrierSource) }
        let cancelled = try #require(atOnce(.request(cancel)))
        #expect(cancelled.status == 200)

        let final = await complete()
        #expect(final.response.status == 487, "the cancelled INVITE ends 487, not with the redirect it waited for")
        #expect(atOnce(message)?.status == 487)
        // A CANCEL of an INVITE that was answered before it came changes nothing.
        let answered = Self.invite(callID: "answered-first")
        #expect(await responder.respond(to: answered, from: Self.carrierSource)?.status == 302)
        guard case .request(var late) = answered else { return }
        late.method = .cancel
        late.headers.replaceOrAdd(name: "CSeq", value: "1 CANCEL")
        #expect(atOnce(.request(late))?.status == 200)
        #expect(atOnce(answered)?.status == 302)
    }

    @Test("callers our records do not name are named by the CNAM provider, through its cache")
    func externalNames() async throws {
        let provider = SimulatedCNAMProvider(["14155550123": "Golden Gate Co"])
        let responder = RedirectResponder(
            clock: .system, table: Self.table(signing: .init()),
            // The provider answers from memory; the budget is not what is tested, so a stalled machine gets time.
            identity: CallerIdentityService(names: CallerNameLookup(provider: provider, budget: .seconds(30)))
        )
        for _ in 0..<3 {
            let response = try #require(await responder.respond(to: Self.invite(from: "+14155550123"), from: Self.carrierSource))
            #expect(response.headers.values("P-Asserted-Identity") == [
                "\"Golden Gate Co\" <sip:+14155550123;verstat=No-TN-Validation@pbx.acme.example;user=phone>",
            ])
        }
        #expect(provider.lookups.withLockedValue { $0 } == 1)
        let ours = try #require(await responder.respond(to: Self.invite(from: "+12025550101"), from: Self.carrierSource))
        #expect(ours.headers.values("P-Asserted-Identity").first?.hasPrefix("\"Acme Dental\"") == true)
        #expect(provider.lookups.withLockedValue { $0 } == 1, "our own records come first")
    }
}
