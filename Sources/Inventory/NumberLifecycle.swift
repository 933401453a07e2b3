import Platform

/// Where a number stands in the inventory.
public enum NumberStatus: String, Sendable, Codable, CaseIterable {
    /// In stock, free to order.
    case available
    /// Held for one customer until the reservation expires.
    case reserved
    /// Owned by a customer (and possibly pointed at one of its trunks).
    case assigned
    /// Released by a customer, resting before it may be sold again.
    case aging
    /// Being ported in from another carrier; not ours to route yet.
    case portingIn = "porting-in"
    /// Ported away to another carrier; kept for the record.
    case portedOut = "ported-out"
}

/// Something that happens to a number, recorded in its history.
public enum NumberAction: String, Sendable, Codable, CaseIterable {
    /// The operator adds the number to the inventory.
    case add
    /// The operator takes an unsold number out of the inventory.
    case remove
    /// A customer holds the number.
    case reserve
    /// The customer lets its reservation go.
    case unreserve
    /// The reservation ran out.
    case expire
    /// A customer takes an available number in one step.
    case order
    /// A customer turns its reservation into an order.
    case confirm
    /// The customer gives the number back; it starts aging.
    case release
    /// The aging period is over; the number is available again.
    case reclaim
    /// The number is pointed at one of its owner's trunks.
    case assignTrunk = "assign-trunk"
    /// The number is no longer pointed at a trunk.
    case unassignTrunk = "unassign-trunk"
    /// A port-in order for the number is submitted.
    case portInStart = "port-in-start"
    /// The port-in activated: the number is ours.
    case portInComplete = "port-in-complete"
    /// The port-in order was canceled.
    case portInCancel = "port-in-cancel"
    /// The number ported away to another carrier.
    case portOut = "port-out"
    /// The owner set or cleared the number's caller name (CNAM).
    case setCallerName = "set-caller-name"
}

/// The number lifecycle as a pure state machine: which action is legal in which status, and where it leads.
///
/// `nil` stands for "not in the inventory". Ownership, expiry and trunk checks are the caller's; this table
/// only says what the lifecycle allows.
public enum NumberLifecycle {
    /// The status after `action`, or an `illegal-transition` error naming the status and the action.
    public static func next(from status: NumberStatus?, on action: NumberAction) throws(ServiceError) -> NumberStatus? {
        switch (status, action) {
        case (nil, .add): return .available
        case (.available?, .remove), (.aging?, .remove): return nil
        case (.available?, .reserve): return .reserved
        case (.reserved?, .unreserve), (.reserved?, .expire): return .available
        case (.available?, .order), (.reserved?, .confirm): return .assigned
        case (.assigned?, .release): return .aging
        case (.aging?, .reclaim): return .available
        case (.assigned?, .assignTrunk), (.assigned?, .unassignTrunk), (.assigned?, .setCallerName): return .assigned
        case (nil, .portInStart): return .portingIn
        case (.portingIn?, .portInComplete): return .assigned
        case (.portingIn?, .portInCancel): return nil
        case (.assigned?, .portOut): return .portedOut
        default:
            let from = status.map { "is \($0.rawValue)" } ?? "is not in the inventory"
            throw ServiceError(.illegalTransition, "cannot \(action.rawValue): the number \(from)")
        }
    }
}
