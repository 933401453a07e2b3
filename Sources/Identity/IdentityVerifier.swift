import Crypto
import Foundation
import NIOConcurrencyHelpers
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// How calls' Identity headers are verified.
public struct VerificationConfiguration: Sendable {
    /// The STI-CA roots a signer's chain must lead to.
    public var trustAnchors: [Certificate]
    /// How far `iat` may be from now, in seconds (ATIS-1000074 recommends 60).
    public var freshness: Int64
    /// How long a call waits for a certificate or revocation list that is not cached; past it, the call goes on
    /// with No-TN-Validation and the fetch completes in the background for the next call.
    public var timeBudget: Duration
    /// Validated chains kept, by x5u URL; the least recently used goes first.
    public var cacheCapacity: Int
    /// How long a chain is reused when its server gives no cache lifetime, and the most any lifetime counts for.
    public var defaultLifetime: TimeInterval
    public var maximumLifetime: TimeInterval
    /// How long a failed fetch or an invalid chain is remembered, so a bad x5u is not fetched for every call.
    public var failureLifetime: TimeInterval
    /// Whether certificates are checked against their CRL distribution points.
    public var checksRevocation: Bool

    public init(
        trustAnchors: [Certificate], freshness: Int64 = 60, timeBudget: Duration = .milliseconds(1_000),
        cacheCapacity: Int = 1_024, defaultLifetime: TimeInterval = 3_600, maximumLifetime: TimeInterval = 86_400,
        failureLifetime: TimeInterval = 30, checksRevocation: Bool = true
    ) {
        self.trustAnchors = trustAnchors
        self.freshness = freshness
        self.timeBudget = timeBudget
        self.cacheCapacity = cacheCapacity
        self.defaultLifetime = defaultLifetime
        self.maximumLifetime = maximumLifetime
        self.failureLifetime = failureLifetime
        self.checksRevocation = checksRevocation
    }
}

/// A signer's certificate after its chain validated: what checking a signature needs.
struct ValidatedCredential: Sendable {
    var key: P256.Signing.PublicKey
    var authorization: TNAuthorizationList
    /// When the whole chain is valid.
    var validity: ClosedRange<Date>
}

/// Verifies SHAKEN Identity headers (RFC 8224 §6.2, RFC 8588, ATIS-1000074 §5.3): decodes the PASSporT, checks
/// its header, freshness, claims and numbers, fetches the x5u chain through a bounded cache, validates it to the
/// trust anchors with its TNAuthList and revocation list, and verifies the ES256 signature.
///
/// A call whose signer's chain is cached verifies synchronously (``verifyCached(_:caller:called:at:)``);
/// otherwise ``verify(_:caller:called:at:)`` waits at most the time budget. Verification only ever produces a
/// verdict; it never refuses a call.
public final class IdentityVerifier: Sendable {
    public let configuration: VerificationConfiguration
    private let source: any DocumentSource
    private let credentials: ExpiringCache<ValidatedCredential>
    private let revocationLists: ExpiringCache<CertificateRevocationList>

    public init(configuration: VerificationConfiguration, source: any DocumentSource) {
        self.configuration = configuration
        self.source = source
        self.credentials = ExpiringCache(capacity: configuration.cacheCapacity)
        self.revocationLists = ExpiringCache(capacity: configuration.cacheCapacity)
    }

    /// The verdict on `identity` (an Identity header value) for a call from `caller` to `called`, as the SIP
    /// request carried them, when it can be reached without fetching; `nil` when the signer's chain is not cached.
    public func verifyCached(_ identity: String, caller: String?, called: String?, at now: Date) -> Verification? {
        let passport: PASSporT
        do {
            passport = try inspect(identity, caller: caller, called: called, at: now)
        } catch {
            return .failed(error, claims: try? Self.claims(identity))
        }
        guard let cached = credentials.value(for: passport.header.certificateURL) else { return nil }
        return finish(passport, with: cached, at: now)
    }

    /// The verdict on `identity` for a call from `caller` to `called`, fetching the signer's chain if needed,
    /// within the time budget.
    public func verify(_ identity: String, caller: String?, called: String?, at now: Date) async -> Verification {
        let passport: PASSporT
        do {
            passport = try inspect(identity, caller: caller, called: called, at: now)
        } catch {
            return .failed(error, claims: try? Self.claims(identity))
        }
        let url = passport.header.certificateURL
        let budget = configuration.timeBudget
        let credential = await within(budget, otherwise: .failure(.certificateUnavailable(
            "the certificate was not validated within \(budget)"
        ))) {
            await self.credential(at: url, now: now)
        }
        return finish(passport, with: credential, at: now)
    }

    // MARK: Steps

    /// Decodes the header and token and checks everything that needs no certificate.
    private func inspect(_ identity: String, caller: String?, called: String?, at now: Date) throws(VerificationFailure) -> PASSporT {
        let header = try IdentityHeader(parsing: identity)
        if let algorithm = header.algorithm, algorithm != "ES256" {
            throw .unsupported("alg=\(algorithm); SHAKEN signs with ES256")
        }
        if let extensionName = header.extensionName, extensionName != "shaken" {
            throw .unsupported("ppt=\(extensionName); this verifier accepts shaken")
        }
        let passport = try PASSporT(token: header.token)
        guard passport.header.algorithm == "ES256" else {
            throw .unsupported("the PASSporT's alg is \(passport.header.algorithm); SHAKEN signs with ES256")
        }
        guard passport.header.extensionName == "shaken" else {
            throw .unsupported("the PASSporT's ppt is \(passport.header.extensionName ?? "absent"), not shaken")
        }
        guard passport.header.type == "passport" else {
            throw .unsupported("the PASSporT's typ is \(passport.header.type ?? "absent"), not passport")
        }
        if let info = header.info, info != passport.header.certificateURL {
            throw .invalidClaim("the header's info <\(info)> is not the PASSporT's x5u <\(passport.header.certificateURL)>")
        }
        // iat is the peer's number: compare without arithmetic that a huge value could overflow.
        let now = Int64(now.timeIntervalSince1970)
        let issuedAt = passport.claims.issuedAt
        guard issuedAt >= now - configuration.freshness, issuedAt <= now + configuration.freshness else {
            throw .stale("iat \(issuedAt) is not within \(configuration.freshness) s of now (\(now))")
        }
        guard let caller, let origin = canonicalTelephoneNumber(caller) else {
            throw .numberMismatch("the call carries no calling number to compare with orig")
        }
        guard canonicalTelephoneNumber(passport.claims.origin) == origin else {
            throw .numberMismatch("orig \(passport.claims.origin) is not the calling number \(origin)")
        }
        guard let called, let destination = canonicalTelephoneNumber(called) else {
            throw .numberMismatch("the call carries no called number to compare with dest")
        }
        guard passport.claims.destinations.contains(where: { canonicalTelephoneNumber($0) == destination }) else {
            throw .numberMismatch("dest \(passport.claims.destinations.joined(separator: ",")) does not name \(destination)")
        }
        guard passport.signature.count == 64 else {
            throw .malformed("an ES256 signature is 64 bytes, this one is \(passport.signature.count)")
        }
        return passport
    }

    private func finish(
        _ passport: PASSporT, with outcome: Result<ValidatedCredential, VerificationFailure>, at now: Date
    ) -> Verification {
        let credential: ValidatedCredential
        switch outcome {
        case .success(let value): credential = value
        case .failure(let failure): return .failed(failure, claims: passport.claims)
        }
        guard credential.validity.contains(now) else {
            return .failed(.certificateInvalid("the certificate chain is not valid at \(now)"), claims: passport.claims)
        }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: passport.signature),
            credential.key.isValidSignature(signature, for: Data(passport.signingInput.utf8))
        else {
            return .failed(.badSignature, claims: passport.claims)
        }
        guard credential.authorization.authorizes(number: canonicalTelephoneNumber(passport.claims.origin) ?? passport.claims.origin) else {
            return .failed(.certificateInvalid("the certificate's TNAuthList does not cover \(passport.claims.origin)"),
                           claims: passport.claims)
        }
        return Verification(verstat: .passed, claims: passport.claims)
    }

    /// The validated credential at `url`: cached, being fetched by another call, or fetched now.
    private func credential(at url: String, now: Date) async -> Result<ValidatedCredential, VerificationFailure> {
        await credentials.value(for: url) { () async -> (Result<ValidatedCredential, VerificationFailure>, TimeInterval) in
            do throws(VerificationFailure) {
                let (credential, lifetime) = try await self.validate(url, at: now)
                return (.success(credential), lifetime)
            } catch {
                return (.failure(error), self.configuration.failureLifetime)
            }
        }
    }

    /// Fetches and validates the chain at `url`, and for how long the result may be reused.
    private func validate(_ url: String, at now: Date) async throws(VerificationFailure) -> (ValidatedCredential, TimeInterval) {
        let document = try await source.fetch(url)
        let chain = try Self.certificates(document.bytes, from: url)
        guard let leaf = chain.first else { throw .certificateInvalid("\(url) holds no certificate") }
        guard let key = P256.Signing.PublicKey(leaf.publicKey) else {
            throw .certificateInvalid("the signer's certificate does not hold a P-256 key")
        }
        guard let authorization = try? leaf.extensions.tnAuthorizationList else {
            throw .certificateInvalid("the signer's certificate has no valid TNAuthList extension (RFC 8226)")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(configuration.trustAnchors)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            TNAuthListPolicy()
        }
        let validated: [Certificate]
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst())) {
        case .validCertificate(let chain):
            validated = Array(chain)
        case .couldNotValidate(let failures):
            let reason = failures.first.map { "\($0.policyFailureReason)" } ?? "no path to a trusted STI-CA"
            throw .certificateInvalid("the certificate chain does not validate: \(reason)")
        }
        var lifetime = min(TimeInterval(document.maxAge ?? Int(configuration.defaultLifetime)), configuration.maximumLifetime)
        if configuration.checksRevocation {
            for (certificate, issuer) in zip(validated, validated.dropFirst()) {
                if let until = try await checkRevocation(of: certificate, issuedBy: issuer, at: now) {
                    lifetime = min(lifetime, until.timeIntervalSince(now))
                }
            }
        }
        let notBefore = validated.map(\.notValidBefore).max() ?? leaf.notValidBefore
        let notAfter = validated.map(\.notValidAfter).min() ?? leaf.notValidAfter
        return (ValidatedCredential(key: key, authorization: authorization, validity: notBefore...notAfter), max(0, lifetime))
    }

    /// Checks `certificate` against the revocation list at its distribution point, when it names one; returns
    /// when that list must be fetched again.
    private func checkRevocation(of certificate: Certificate, issuedBy issuer: Certificate, at now: Date) async throws(VerificationFailure) -> Date? {
        guard let url = (try? certificate.extensions.crlDistributionPoints)??.urls.first else { return nil }
        let fetched = await revocationLists.value(for: url) { () async -> (Result<CertificateRevocationList, VerificationFailure>, TimeInterval) in
            do throws(VerificationFailure) {
                let document = try await self.source.fetch(url)
                guard let list = try? CertificateRevocationList(bytes: document.bytes) else {
                    return (.failure(.certificateInvalid("\(url) is not a revocation list")), self.configuration.failureLifetime)
                }
                let lifetime = min(TimeInterval(document.maxAge ?? Int(self.configuration.defaultLifetime)),
                                   self.configuration.maximumLifetime,
                                   list.nextUpdate.map { $0.timeIntervalSince(now) } ?? .infinity)
                return (.success(list), max(0, lifetime))
            } catch {
                return (.failure(error), self.configuration.failureLifetime)
            }
        }
        let list = try fetched.get()
        guard list.isSigned(by: issuer) else {
            throw .certificateInvalid("the revocation list at \(url) is not signed by \(issuer.subject)")
        }
        // An out-of-date list is the CA's lapse, not the signer's: verification cannot finish, it did not fail.
        guard list.isCurrent(at: now, tolerance: 300) else {
            throw .certificateUnavailable("the revocation list at \(url) is out of date")
        }
        guard !list.revoked.contains(certificate.serialNumber) else {
            throw .certificateInvalid("the certificate \(certificate.subject) is revoked")
        }
        return list.nextUpdate
    }

    /// The certificates of a fetched x5u document: PEM (one or more, leaf first) or a single DER certificate.
    static func certificates(_ bytes: [UInt8], from url: String) throws(VerificationFailure) -> [Certificate] {
        do {
            if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") {
                return try Certificate.certificates(pem: text)
            }
            return [try Certificate(derEncoded: bytes)]
        } catch {
            throw .certificateInvalid("\(url) does not hold certificates: \(error)")
        }
    }

    /// The claims of a token, decoded without judging it, for the verdict's record.
    private static func claims(_ identity: String) throws -> SHAKENClaims {
        try PASSporT(token: try IdentityHeader(parsing: identity).token).claims
    }
}

/// Requires the signer's certificate to carry a TNAuthList (RFC 8226 §9, ATIS-1000080 §5.3.1) and, when it
/// states a key usage, digital signatures; understands the TNAuthList extension when it is marked critical.
struct TNAuthListPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.tnAuthList]

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        guard (try? chain.leaf.extensions.tnAuthorizationList) != nil else {
            return .failsToMeetPolicy(reason: "the leaf certificate has no TNAuthList")
        }
        // ATIS-1000080 §6.4.1: a signing certificate's key usage is digitalSignature.
        if let usage = try? chain.leaf.extensions.keyUsage, !usage.digitalSignature {
            return .failsToMeetPolicy(reason: "the leaf certificate's key usage does not include digitalSignature")
        }
        return .meetsPolicy
    }
}
