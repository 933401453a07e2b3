/// Why a losing carrier rejects a port request (the reasons LSRs are rejected for in practice).
public enum RejectReason: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case nameMismatch = "name-mismatch"
    case addressMismatch = "address-mismatch"
    case accountNumberMismatch = "account-number-mismatch"
    case pinMismatch = "pin-mismatch"
    /// Another port order is already pending on a number.
    case pendingOrder = "pending-order"
    /// A number is part of a hunt group, PRI or other complex service the order did not declare.
    case complexService = "complex-service"
    /// The order would leave the account's billing number behind without the numbers that depend on it.
    case numbersMissing = "numbers-missing"

    public var description: String {
        switch self {
        case .nameMismatch: "the business name does not match the losing carrier's records"
        case .addressMismatch: "the service address does not match the losing carrier's records"
        case .accountNumberMismatch: "the account number does not match the losing carrier's records"
        case .pinMismatch: "the PIN (passcode) does not match"
        case .pendingOrder: "another port order is pending on a number"
        case .complexService: "a number is part of a hunt group, PRI or other complex service"
        case .numbersMissing: "porting the billing number requires every number on the account"
        }
    }
}

/// The firm order commitment: the day and window the numbers move.
public struct FOC: Sendable, Hashable, Codable {
    /// The committed date, as `YYYY-MM-DD` in the losing carrier's time zone.
    public var date: String
    /// The window on that date, as `HH:MM-HH:MM`.
    public var window: String
    /// When the numbers are activated: the start of the window, in Unix seconds.
    public var activateAt: Int64

    public init(date: String, window: String, activateAt: Int64) {
        self.date = date
        self.window = window
        self.activateAt = activateAt
    }
}

/// Where a port-in order is in its life.
public enum PortOrderState: Sendable, Hashable, Codable {
    /// Being prepared by the customer; nothing has been sent.
    case draft
    /// Sent to the losing carrier, awaiting its answer.
    case submitted
    /// The losing carrier committed to a date.
    case focReceived(FOC)
    /// The losing carrier refused, for these reasons; the customer may fix the order and resubmit it.
    case rejected([RejectReason])
    /// The port is delayed: the FOC is at risk, for this reason.
    case jeopardy(String)
    /// The numbers are moving now.
    case activating
    /// The numbers are ours.
    case completed
    case canceled

    /// The state's name, as the API shows it.
    public var name: String {
        switch self {
        case .draft: "draft"
        case .submitted: "submitted"
        case .focReceived: "foc-received"
        case .rejected: "rejected"
        case .jeopardy: "jeopardy"
        case .activating: "activating"
        case .completed: "completed"
        case .canceled: "canceled"
        }
    }

    /// Completed and canceled orders take no more events.
    public var isFinal: Bool {
        switch self {
        case .completed, .canceled: true
        default: false
        }
    }
}

/// Something that happens to a port order: the customer's, the losing carrier's, or the clock's.
public enum PortOrderEvent: Sendable, Hashable {
    /// The customer sends the order (from draft).
    case submit
    /// The customer corrects the order's data or asks for another date (a supplement); a rejected order goes
    /// back to the losing carrier without starting over.
    case supplement
    case focReceived(FOC)
    case rejected([RejectReason])
    case jeopardy(String)
    /// The FOC time came (or the operator activates now).
    case activate
    /// The numbers are in the inventory, routed, with their E911 and caller name.
    case activated
    case cancel

    public var name: String {
        switch self {
        case .submit: "submit"
        case .supplement: "supplement"
        case .focReceived: "foc-received"
        case .rejected: "rejected"
        case .jeopardy: "jeopardy"
        case .activate: "activate"
        case .activated: "activated"
        case .cancel: "cancel"
        }
    }
}

/// What the caller must do after a transition.
public enum PortOrderAction: Sendable, Hashable {
    /// Send the order (or its supplement) to the losing carrier.
    case sendToPartner
    /// Tell the losing carrier the order is canceled.
    case cancelWithPartner
    /// Arrange activation at the FOC time.
    case scheduleActivation(at: Int64)
    /// Move the numbers in: inventory, LRN, routing, E911 and caller name.
    case activateNumbers
    /// Tell the customer (webhook) the order changed.
    case notifyCustomer
}

/// The port-in workflow as a pure state machine: an event either moves an order to its next state, with the
/// actions the caller must carry out, or is refused with the reason it does not apply.
public enum PortOrderMachine {
    /// Why an event does not apply to an order in its state.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public var state: String
        public var event: String

        public var description: String { "a \(state) order cannot take '\(event)'" }
    }

    /// The next state and the actions for an event.
    public static func apply(_ event: PortOrderEvent, to state: PortOrderState) throws(Refusal) -> (PortOrderState, [PortOrderAction]) {
        switch (state, event) {
        case (.draft, .submit):
            return (.submitted, [.sendToPartner, .notifyCustomer])
        case (.rejected, .supplement), (.submitted, .supplement), (.focReceived, .supplement), (.jeopardy, .supplement):
            return (.submitted, [.sendToPartner, .notifyCustomer])
        case (.submitted, .focReceived(let foc)), (.jeopardy, .focReceived(let foc)):
            return (.focReceived(foc), [.scheduleActivation(at: foc.activateAt), .notifyCustomer])
        case (.submitted, .rejected(let reasons)), (.jeopardy, .rejected(let reasons)):
            return (.rejected(reasons), [.notifyCustomer])
        case (.submitted, .jeopardy(let reason)), (.focReceived, .jeopardy(let reason)), (.activating, .jeopardy(let reason)):
            return (.jeopardy(reason), [.notifyCustomer])
        case (.focReceived, .activate):
            return (.activating, [.activateNumbers, .notifyCustomer])
        case (.activating, .activated):
            return (.completed, [.notifyCustomer])
        case (.draft, .cancel):
            return (.canceled, [.notifyCustomer])
        case (.submitted, .cancel), (.focReceived, .cancel), (.jeopardy, .cancel), (.rejected, .cancel):
            // A rejected order may still be pending with the partner from an earlier FOC: withdraw it too.
            return (.canceled, [.cancelWithPartner, .notifyCustomer])
        default:
            throw Refusal(state: state.name, event: event.name)
        }
    }
}
