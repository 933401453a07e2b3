/// A refusal from a service: what was wrong, with which field, in words a customer can act on.
///
/// The API turns these into RFC 9457 problem documents (`code` becomes the problem type, `field` names the
/// offending member); the CLI prints `reason`.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, stable for clients to branch on.
    public enum Code: String, Sendable, Equatable {
        /// A field is missing or malformed.
        case invalidField = "invalid-field"
        /// The resource does not exist, or belongs to another tenant (the two are indistinguishable).
        case notFound = "not-found"
        /// The caller's role does not allow the operation.
        case forbidden
        /// The operation conflicts with the resource's current state (a name in use, a number taken).
        case conflict
        /// The lifecycle does not allow this transition from the number's current status.
        case illegalTransition = "illegal-transition"
        /// A search or order asked for more than is available.
        case insufficientInventory = "insufficient-inventory"
        /// The server is at its limit for work of this kind; the same request may succeed a moment later.
        case busy
    }

    public let code: Code
    /// The request member at fault, as a JSON path (`hosts[0].port`), when one is.
    public let field: String?
    public let reason: String

    public init(_ code: Code, field: String? = nil, _ reason: String) {
        self.code = code
        self.field = field
        self.reason = reason
    }

    /// A missing or malformed request member.
    public static func invalid(_ field: String, _ reason: String) -> ServiceError {
        ServiceError(.invalidField, field: field, reason)
    }

    /// A resource that the caller cannot see.
    public static func notFound(_ what: String) -> ServiceError {
        ServiceError(.notFound, "\(what) not found")
    }

    public var description: String {
        if let field { "\(field): \(reason)" } else { reason }
    }
}
