/// Why a port-out request against our numbers is refused: the checks a losing carrier makes on the gaining
/// carrier's request.
public enum PortOutRejectReason: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A number is not one of our assigned numbers.
    case unknownNumber = "unknown-number"
    /// No customer has that account number, or the numbers are not on it.
    case accountNumberMismatch = "account-number-mismatch"
    case nameMismatch = "name-mismatch"
    case zipMismatch = "zip-mismatch"
    /// The account protects its numbers with a port-out PIN and the request carries none.
    case pinMissing = "pin-missing"
    case pinMismatch = "pin-mismatch"
    /// Too many wrong PINs: the account's port-outs are locked for a while, whatever PIN comes.
    case pinLocked = "pin-locked"
    /// A number is already on an open port-out request.
    case pendingPortOut = "pending-port-out"

    public var description: String {
        switch self {
        case .unknownNumber: "a number is not one of ours"
        case .accountNumberMismatch: "the account number does not match the numbers' account"
        case .nameMismatch: "the business name does not match the account"
        case .zipMismatch: "the ZIP code does not match the account"
        case .pinMissing: "the account has a port-out PIN and the request carries none"
        case .pinMismatch: "the port-out PIN does not match"
        case .pinLocked: "too many wrong PINs: port-outs of the account are locked for now"
        case .pendingPortOut: "a number is already on an open port-out request"
        }
    }
}

/// Where a port-out request is in its life.
public enum PortOutState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Valid, waiting for the customer's approval until its deadline.
    case pendingApproval = "pending-approval"
    /// The numbers leave at the due time.
    case approved
    /// The request failed a check (PIN, account data, numbers); nothing happens.
    case rejected
    /// The customer refused it.
    case declined
    /// The customer did not answer in time.
    case expired
    /// The gaining carrier (or the operator) withdrew it.
    case canceled
    /// The numbers are gone: ported-out.
    case completed

    /// Rejected, declined, expired, canceled and completed requests take no more events.
    public var isFinal: Bool {
        switch self {
        case .pendingApproval, .approved: false
        default: true
        }
    }
}

/// Something that happens to a port-out request: the customer's answer, the clock, or the gaining carrier.
public enum PortOutEvent: String, Sendable, Hashable {
    case approve
    case decline
    /// The approval deadline passed without an answer.
    case expire
    case cancel
    /// The due time came (or the operator completes it now): the numbers leave.
    case complete
}

/// What the caller must do after a port-out transition.
public enum PortOutAction: Sendable, Hashable {
    /// Move the numbers out: ported-out, routing and E911 forget them.
    case releaseNumbers
    /// Tell the customer (webhook) the request changed.
    case notifyCustomer
}

/// The port-out workflow as a pure state machine: an event moves a request to its next state with the actions to
/// carry out, or is refused with the reason it does not apply.
public enum PortOutMachine {
    /// The state a new request starts in: rejected when a check failed, else waiting for approval unless the
    /// account opted out of approving port-outs.
    public static func initialState(reasons: [PortOutRejectReason], approvalRequired: Bool) -> PortOutState {
        if !reasons.isEmpty { return .rejected }
        return approvalRequired ? .pendingApproval : .approved
    }

    /// The next state and the actions for an event.
    public static func apply(_ event: PortOutEvent, to state: PortOutState) throws(PortOrderMachine.Refusal) -> (PortOutState, [PortOutAction]) {
        switch (state, event) {
        case (.pendingApproval, .approve): return (.approved, [.notifyCustomer])
        case (.pendingApproval, .decline), (.approved, .decline): return (.declined, [.notifyCustomer])
        case (.pendingApproval, .expire): return (.expired, [.notifyCustomer])
        case (.pendingApproval, .cancel), (.approved, .cancel): return (.canceled, [.notifyCustomer])
        case (.approved, .complete): return (.completed, [.releaseNumbers, .notifyCustomer])
        default: throw PortOrderMachine.Refusal(state: state.rawValue, event: event.rawValue)
        }
    }
}
