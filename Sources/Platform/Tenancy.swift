import SQLKit

/// What kind of tenant an account is.
public enum AccountKind: String, Sendable, Codable, CaseIterable {
    /// The carrier running Tandem; sees and changes everything.
    case `operator`
    /// A business buying SIP trunks and numbers.
    case customer
    /// A sales agent earning commission on the customers it referred.
    case agent
    /// Another carrier that wins our numbers away (a gaining carrier): it files port-out requests with its own key
    /// and follows the ones it filed, and sees nothing else.
    case partner
}

/// What an API key may do. Each role belongs to one kind of account.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Everything, across all tenants.
    case operatorAdmin = "operator-admin"
    /// Read and change the customer's own numbers, trunks and keys.
    case customerAdmin = "customer-admin"
    /// Read the customer's own data.
    case customerRead = "customer-read"
    /// Read the accounts the agent referred.
    case agent
    /// File port-out requests as the partner carrier, and follow and withdraw the ones it filed.
    case partner
    /// Report calls' CDRs, as a switch or an SBC does (`POST /v1/cdrs`), and nothing else: a key on the operator's
    /// account for each switch, so that a key taken from a switch reads nothing.
    case reportingSwitch = "switch"

    /// The kind of account that may hold keys with this role.
    public var accountKind: AccountKind {
        switch self {
        case .operatorAdmin, .reportingSwitch: .operator
        case .customerAdmin, .customerRead: .customer
        case .agent: .agent
        case .partner: .partner
        }
    }
}

/// The authenticated caller of an operation: whose key it is and what it may do.
public struct Principal: Sendable, Equatable {
    public var accountId: String
    public var role: Role
    public var keyId: String

    public init(accountId: String, role: Role, keyId: String) {
        self.accountId = accountId
        self.role = role
        self.keyId = keyId
    }

    /// Whether the caller acts for the operator (all tenants).
    public var isOperator: Bool { role == .operatorAdmin }

    /// How the caller is named in audit records.
    public var actor: String { "\(accountId)/\(keyId)" }

    /// The account whose data a request concerns: the caller's own, or, for the operator, the one it names.
    ///
    /// Customers may name only themselves; any other id is treated as not found, never as forbidden, so
    /// that a tenant cannot learn which ids exist.
    public func targetAccount(_ requested: String?) throws(ServiceError) -> String {
        guard let requested, requested != accountId else { return accountId }
        guard isOperator else { throw .notFound("account") }
        return requested
    }

    /// Refuses callers whose role is read-only.
    public func requireWrite() throws(ServiceError) {
        switch role {
        case .operatorAdmin, .customerAdmin, .partner, .reportingSwitch: return
        case .customerRead, .agent:
            throw ServiceError(.forbidden, "the \(role.rawValue) role is read-only")
        }
    }

    /// The condition that keeps a list to what the caller may see: the caller's own account's rows, or, for the
    /// operator, every account's (or the one it names). `column` holds the rows' account.
    public func listScope(_ requested: String? = nil, column: String = "account_id") throws(ServiceError) -> SQLQueryString {
        isOperator && requested == nil ? "1 = 1" : "\(unsafeRaw: column) = \(bind: try targetAccount(requested))"
    }

    /// Refuses everyone but the operator.
    public func requireOperator() throws(ServiceError) {
        guard isOperator else { throw ServiceError(.forbidden, "only the operator may do this") }
    }

    /// Whether the caller is a partner carrier (a gaining carrier filing port-out requests).
    public var isPartner: Bool { role == .partner }

    /// Refuses agents and partners, which see accounts (their own, and an agent's referrals) but not numbers, trunks
    /// or anything else of a customer's.
    public func requireCustomerOrOperator() throws(ServiceError) {
        switch role {
        case .operatorAdmin, .customerAdmin, .customerRead: return
        case .agent: throw ServiceError(.forbidden, "agents may not see numbers or trunks")
        case .partner: throw ServiceError(.forbidden, "the partner role may only file and follow port-out requests")
        case .reportingSwitch: throw ServiceError(.forbidden, "the switch role may only report CDRs")
        }
    }

    /// Refuses everyone but the operator and switches: reporting CDRs.
    public func requireSwitchOrOperator() throws(ServiceError) {
        guard isOperator || role == .reportingSwitch else {
            throw ServiceError(.forbidden, "only the operator and its switches report CDRs")
        }
    }

    /// Refuses agents, which hold nothing but their view of the accounts they referred: no webhooks, no port-outs.
    public func refuseAgents() throws(ServiceError) {
        if role == .agent { throw ServiceError(.forbidden, "agents may not see numbers or trunks") }
    }
}
