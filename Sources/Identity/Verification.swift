/// The verdict on a caller's identity that the terminating side is told (ATIS-1000074 §5.3.1, the `verstat`
/// parameter of 3GPP TS 24.229).
public enum Verstat: String, Sendable, Hashable, CaseIterable {
    /// The signature verified, with a trusted certificate, for these numbers.
    case passed = "TN-Validation-Passed"
    /// There was an Identity header and it did not verify.
    case failed = "TN-Validation-Failed"
    /// There was nothing to verify, or verification could not finish (certificate server slow or down).
    case noValidation = "No-TN-Validation"
}

/// Why an Identity header did not verify; each maps to a verstat and the SIP status RFC 8224 §6.2.2 gives it.
public enum VerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header, the token, its base64url or its JSON is malformed.
    case malformed(String)
    /// A claim or header field SHAKEN requires is absent.
    case missingClaim(String)
    /// A claim has a value SHAKEN does not allow.
    case invalidClaim(String)
    /// `alg`, `ppt` or `typ` is one this verifier does not accept.
    case unsupported(String)
    /// `iat` is outside the freshness window.
    case stale(String)
    /// The token's `orig` or `dest` does not match the call.
    case numberMismatch(String)
    /// The x5u is not one we may fetch: a scheme other than http/https, or a private address.
    case certificateURLRefused(String)
    /// The x5u could not be fetched in time (timeout, refused connection, server error): verification could
    /// not finish.
    case certificateUnavailable(String)
    /// The fetched certificate chain is garbage, untrusted, expired, revoked or lacks its TNAuthList.
    case certificateInvalid(String)
    /// The signature does not verify with the certificate's key.
    case badSignature

    /// What the terminating side is told.
    public var verstat: Verstat {
        switch self {
        case .certificateUnavailable: .noValidation
        default: .failed
        }
    }

    /// The SIP status a verifier that rejects calls would answer with (RFC 8224 §6.2.2): 403 Stale Date,
    /// 436 Bad Identity Info, 437 Unsupported Credential, 438 Invalid Identity Header.
    public var sipStatus: Int {
        switch self {
        case .stale: 403
        case .certificateURLRefused, .certificateUnavailable: 436
        case .certificateInvalid, .unsupported: 437
        case .malformed, .missingClaim, .invalidClaim, .numberMismatch, .badSignature: 438
        }
    }

    /// A short, stable name for the failure, for logs and metrics.
    public var code: String {
        switch self {
        case .malformed: "malformed"
        case .missingClaim: "missing-claim"
        case .invalidClaim: "invalid-claim"
        case .unsupported: "unsupported"
        case .stale: "stale"
        case .numberMismatch: "number-mismatch"
        case .certificateURLRefused: "x5u-refused"
        case .certificateUnavailable: "x5u-unavailable"
        case .certificateInvalid: "certificate-invalid"
        case .badSignature: "bad-signature"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let why), .missingClaim(let why), .invalidClaim(let why), .unsupported(let why),
             .stale(let why), .numberMismatch(let why), .certificateURLRefused(let why),
             .certificateUnavailable(let why), .certificateInvalid(let why):
            "\(code): \(why)"
        case .badSignature: "\(code): the signature does not verify with the certificate's key"
        }
    }
}

/// The outcome of verifying a call's Identity header.
public struct Verification: Sendable, Hashable {
    public var verstat: Verstat
    /// Why it did not pass; `nil` when it did, or when there was nothing to verify.
    public var failure: VerificationFailure?
    /// The token's claims, when it could be decoded.
    public var claims: SHAKENClaims?

    public init(verstat: Verstat, failure: VerificationFailure? = nil, claims: SHAKENClaims? = nil) {
        self.verstat = verstat
        self.failure = failure
        self.claims = claims
    }

    /// Verification of a call with no Identity header.
    public static let absent = Verification(verstat: .noValidation)

    public static func failed(_ failure: VerificationFailure, claims: SHAKENClaims? = nil) -> Verification {
        Verification(verstat: failure.verstat, failure: failure, claims: claims)
    }
}
