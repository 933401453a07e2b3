import Foundation
import Identity
import Routing
import SIP
import Telephony

/// What the redirect server does about callers' identity: signs customers' outbound calls (STIR/SHAKEN),
/// verifies carriers' inbound ones, and names the caller. Each part is optional; an empty service does nothing.
public struct CallerIdentityService: Sendable {
    /// Signs outbound calls; `nil` signs none.
    public var signer: PASSporTSigner?
    /// Verifies inbound calls' Identity headers; `nil` passes No-TN-Validation on.
    public var verifier: IdentityVerifier?
    /// Names callers our records do not name; `nil` uses our records only.
    public var names: CallerNameLookup?

    public init(signer: PASSporTSigner? = nil, verifier: IdentityVerifier? = nil, names: CallerNameLookup? = nil) {
        self.signer = signer
        self.verifier = verifier
        self.names = names
    }

    /// The Identity header for a redirected call from a customer trunk, or `nil` when the trunk's policy does not
    /// sign it (or there is no calling number to sign for). Attestation: A when the caller is the account's own
    /// number or in a range the trunk is authorized for, B when it is not, C when the trunk passes on calls from
    /// elsewhere (ATIS-1000074 §5.2.3).
    func identityHeader(
        for decision: RoutingDecision, call: CallRequest, request: SIPRequest, in snapshot: RoutingSnapshot
    ) -> String? {
        guard let signer, decision.emergency == nil, let trunkId = decision.sourceTrunk,
            let trunk = snapshot.trunk(id: trunkId), let destination = decision.normalized
        else { return nil }
        let policy = trunk.signing
        switch policy.mode {
        case .never: return nil
        case .unsignedOnly where !request.headers.values("Identity").isEmpty: return nil
        case .all, .unsignedOnly: break
        }
        let domestic = destination.hasPrefix("+1") && (try? PhoneNumber(parsing: destination))?.isCaribbean == false
        if !domestic, !policy.international { return nil }
        guard let caller = call.caller, let origin = canonicalTelephoneNumber(caller),
            let called = canonicalTelephoneNumber(destination)
        else { return nil }
        let authorized = (try? PhoneNumber(parsing: caller)).map { snapshot.isAuthorized($0, for: trunk) } ?? false
        let attestation: Attestation = policy.passesOnCalls ? .gateway : authorized ? .full : .partial
        let claims = SHAKENClaims(
            attestation: attestation, origin: origin, destinations: [called], issuedAt: call.time,
            originIdentifier: policy.originIdentifier, callerName: attestation == .full ? policy.verifiedName : nil
        )
        return try? signer.identityHeader(for: claims)
    }

    /// What the terminating customer is told about the caller of an inbound call: the verdict on its Identity
    /// header and its name. Both are ready at once when nothing needs fetching (`immediate`); otherwise
    /// `immediate` is the answer to give if the fetch runs out of time, and `complete` waits for it.
    func callerIdentity(
        of call: CallRequest, request: SIPRequest, in snapshot: RoutingSnapshot
    ) -> (immediate: CallerInfo, complete: (@Sendable () async -> CallerInfo)?) {
        guard let caller = call.caller else { return (CallerInfo(verstat: .noValidation, name: nil), nil) }
        let identity = Self.shakenIdentity(request)
        // dest names the called party as To does (RFC 8224 §5.2); the Request-URI may carry a rewritten number.
        let called = (try? request.headers.to()).map { CallParties.number($0.uri.user ?? $0.uri.opaque) } ?? call.dialed
        let ownName = (try? PhoneNumber(parsing: caller)).flatMap { snapshot.number($0)?.callerName }
        let canonical = canonicalTelephoneNumber(caller)
        let cachedVerification: Verification? = if let identity, let verifier {
            verifier.verifyCached(identity, caller: caller, called: called, at: Date(timeIntervalSince1970: Double(call.time)))
        } else {
            .absent
        }
        let cachedName: String?? = if let ownName {
            .some(ownName)
        } else if let names, let canonical {
            names.cached(canonical).map { $0?.text }
        } else {
            .some(nil)
        }
        @Sendable func info(_ verification: Verification, _ looked: String?) -> CallerInfo {
            // A signer's name counts only when it vouches for the caller fully, and only as a name CNAM could carry.
            let signed = verification.verstat == .passed && verification.claims?.attestation == .full
                ? verification.claims?.callerName.flatMap { try? CallerName(normalizing: $0, maximumLength: 40).text } : nil
            return CallerInfo(verstat: verification.verstat, name: ownName ?? signed ?? looked, failure: verification.failure)
        }
        let immediate = info(cachedVerification ?? .failed(.certificateUnavailable("not yet fetched")),
                             cachedName ?? nil)
        guard cachedVerification == nil || cachedName == nil else { return (immediate, nil) }
        let (verifier, names) = (self.verifier, self.names)
        let time = Date(timeIntervalSince1970: Double(call.time))
        return (immediate, {
            async let verification: Verification = {
                if let cachedVerification { return cachedVerification }
                guard let identity, let verifier else { return .absent }
                return await verifier.verify(identity, caller: caller, called: called, at: time)
            }()
            async let looked: String? = {
                if let cachedName { return cachedName }
                guard let names, let canonical else { return nil }
                return await names.name(for: canonical)?.text
            }()
            return await info(verification, looked)
        })
    }
}

extension CallerIdentityService {
    /// The SHAKEN Identity header of a request: of several (RFC 8224 allows them, e.g. a `div` PASSporT beside),
    /// the first whose `ppt` is shaken, else the first.
    static func shakenIdentity(_ request: SIPRequest) -> String? {
        let values = request.headers.values("Identity")
        return values.first { (try? IdentityHeader(parsing: $0))?.extensionName == "shaken" } ?? values.first
    }
}

/// The caller as the terminating customer sees it: verified or not, and named.
struct CallerInfo: Sendable {
    var verstat: Verstat
    var name: String?
    var failure: VerificationFailure?

    /// The P-Asserted-Identity that carries it (RFC 3325; `verstat` as a user-part parameter, 3GPP TS 24.229
    /// §7.2A.20; the name as the display name), or `nil` when `number` is not a telephone number: the caller's
    /// number is the peer's text, and only its canonical digits go into the answer.
    func assertedIdentity(number: String, host: String) -> String? {
        guard let digits = canonicalTelephoneNumber(number) else { return nil }
        let display = name.map { "\"" + Self.quoted($0) + "\" " } ?? ""
        return "\(display)<sip:+\(digits);verstat=\(verstat.rawValue)@\(host);user=phone>"
    }

    /// `text` as the inside of a quoted-string (RFC 3261 §25.1): printable ASCII only, `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars where (0x20...0x7E).contains(scalar.value) {
            if scalar == "\"" || scalar == "\\" { result.append("\\") }
            result.unicodeScalars.append(scalar)
        }
        return result
    }
}
