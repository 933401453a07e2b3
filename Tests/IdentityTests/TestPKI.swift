import Crypto
import Foundation
import Identity
import NIOConcurrencyHelpers
import X509

/// A test STI PKI: a root, a service provider's key and certificate (with a CRL distribution point), and the
/// documents a certificate server would publish, by URL.
struct TestPKI {
    static let chainURL = "https://cert.example.net/sp.pem"
    static let crlURL = "https://cert.example.net/sti.crl"

    let authority: CertificationAuthority
    let key = P256.Signing.PrivateKey()
    let certificate: Certificate

    init(code: String = "709J", revocationListURL: String? = TestPKI.crlURL) throws {
        authority = try CertificationAuthority.makeRoot(name: "Test STI-CA", notBefore: Date() - 3_600)
        certificate = try authority.issue(serviceProvider: "Tandem Test", code: code, key: key.publicKey,
                                          revocationListURL: revocationListURL, notBefore: Date() - 3_600)
    }

    var signer: PASSporTSigner { PASSporTSigner(key: key, certificateURL: Self.chainURL) }

    /// The leaf then the root, in PEM, as an x5u serves it.
    func chainPEM(leaf: Certificate? = nil) throws -> [UInt8] {
        Array((try (leaf ?? certificate).pem + "\n" + authority.certificate.pem).utf8)
    }

    func source(leaf: Certificate? = nil, revoked: [Certificate] = []) throws -> TableSource {
        TableSource([
            Self.chainURL: .success(FetchedDocument(bytes: try chainPEM(leaf: leaf))),
            Self.crlURL: .success(FetchedDocument(bytes: try authority.revocationList(revoking: revoked, now: Date() - 60))),
        ])
    }

    /// A verifier over `source`. The default budget is long: on a loaded machine running the whole suite a
    /// verification can wait seconds for a core, and only the tests of the budget itself (which pass one) should
    /// see it run out.
    func verifier(source: any DocumentSource, budget: Duration = .seconds(30)) -> IdentityVerifier {
        IdentityVerifier(
            configuration: VerificationConfiguration(trustAnchors: [authority.certificate], timeBudget: budget),
            source: source
        )
    }

    static func claims(
        _ attestation: Attestation = .full, orig: String = "12025550143", dest: String = "13125550100",
        at time: Int64 = Int64(Date().timeIntervalSince1970)
    ) -> SHAKENClaims {
        SHAKENClaims(attestation: attestation, origin: orig, destinations: [dest], issuedAt: time,
                     originIdentifier: "6f1a6a4e-2c5b-4c53-9a3c-7d3b2b8e0f11")
    }
}

/// Documents by URL, as a certificate server would answer: the network replaced by a table, for tests of
/// verification above the fetch. Counts fetches, and can hold answers back to test time budgets.
final class TableSource: DocumentSource {
    private let documents: [String: Result<FetchedDocument, VerificationFailure>]
    private let delay: Duration
    private let fetches = NIOLockedValueBox(0)

    init(_ documents: [String: Result<FetchedDocument, VerificationFailure>], delay: Duration = .zero) {
        self.documents = documents
        self.delay = delay
    }

    var fetchCount: Int { fetches.withLockedValue { $0 } }

    func fetch(_ url: String) async throws(VerificationFailure) -> FetchedDocument {
        fetches.withLockedValue { $0 += 1 }
        if delay > .zero { try? await Task.sleep(for: delay) }
        guard let document = documents[url] else { throw .certificateUnavailable("\(url): 404 in the test table") }
        return try document.get()
    }
}
