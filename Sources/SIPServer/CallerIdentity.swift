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
        if !destination.hasPrefix("+1"), !policy.international { return nil }
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
        let identity = request.headers.values("Identity").first
        let ownName = (try? PhoneNumber(parsing: caller)).flatMap { snapshot.number($0)?.callerName }
        let canonical = canonicalTelephoneNumber(caller)
        let cachedVerification: Verification? = if let identity, let verifier {
            verifier.verifyCached(identity, caller: caller, called: call.dialed, at: Date(timeIntervalSince1970: Double(call.time)))
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
            let signed = verification.verstat == .passed ? verification.claims?.callerName : nil
            return CallerInfo(verstat: verification.verstat, name: ownName ?? signed ?? looked, failure: verification.failure)
        }
        let immediate = info(cachedVerification ?? .failed(.certificateUnavailable("not yet fetched")),
                             cachedName ?? nil)
        guard cachedVerification == nil || cachedName == nil else { return (immediate, nil) }
        let (verifier, names) = (self.verifier, self.names)
        let time = Date(timeIntervalSince1970: Double(call.time))
        let dialed = call.dialed
        return (immediate, {
            async let verification: Verification = {
                if let cachedVerification { return cachedVerification }
                guard let identity, let verifier else { return .absent }
                return await verifier.verify(identity, caller: caller, called: dialed, at: time)
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

/// The caller as the terminating customer sees it: verified or not, and named.
struct CallerInfo: Sendable {
    var verstat: Verstat
    var name: String?
    var failure: VerificationFailure?

    /// The P-Asserted-Identity that carries it (RFC 3325; `verstat` as a user-part parameter, 3GPP TS 24.229
    /// §7.2A.20; the name as the display name).
    func assertedIdentity(number: String, host: String) -> String {
        let user = number.hasPrefix("+") ? number : canonicalTelephoneNumber(number).map { "+" + $0 } ?? number
        let display = name.map { "\"\($0.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\"", with: ""))\" " } ?? ""
        return "\(display)<sip:\(user);verstat=\(verstat.rawValue)@\(host);user=phone>"
    }
}
