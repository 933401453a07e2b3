import Foundation
import Platform
import Telephony

// MARK: - Model

/// How an account protects its numbers from being ported away: its port-out PIN (stored only as a salted
/// PBKDF2 hash), the ZIP code a request must name, and whether the account approves each port-out.
public struct PortOutProtection: Sendable, Codable, Equatable {
    public var accountId: String
    public var zip: String
    /// Whether each valid port-out request waits for the customer's approval (the default).
    public var approvalRequired: Bool
    /// Until when port-outs are refused after too many wrong PINs.
    public var lockedUntil: Date?
    public var updatedAt: Date
}

/// What an account sets: a PIN of 4 to 10 digits, its ZIP code, and whether it approves port-outs.
public struct PortOutProtectionDraft: Sendable, Codable, Equatable {
    public var pin: String
    public var zip: String
    public var approvalRequired: Bool?

    public init(pin: String, zip: String, approvalRequired: Bool? = nil) {
        self.pin = pin
        self.zip = zip
        self.approvalRequired = approvalRequired
    }
}

/// A gaining carrier's request to port our numbers away, as the operator or the partner carrier itself files it.
public struct PortOutDraft: Sendable, Codable, Equatable {
    public var numbers: [String]
    /// The gaining carrier's name: the operator names it; a partner's requests carry its account's name.
    public var gainingCarrier: String?
    /// The gaining carrier's OCN: the operator names it; a partner's requests carry its account's OCN, and one
    /// given must be that one.
    public var gainingOcn: String?
    /// Our account number of the customer, as the end user gave it to the gaining carrier: the account id.
    public var accountNumber: String
    public var businessName: String
    public var zip: String
    public var pin: String?
    /// When the numbers move, if the request is approved: within 90 days; by default at the end of the approval
    /// window.
    public var dueAt: Date?

    public init(
        numbers: [String], gainingCarrier: String?, gainingOcn: String?, accountNumber: String, businessName: String, zip: String,
        pin: String?, dueAt: Date?
    ) {
        self.numbers = numbers
        self.gainingCarrier = gainingCarrier
        self.gainingOcn = gainingOcn
        self.accountNumber = accountNumber
        self.businessName = businessName
        self.zip = zip
        self.pin = pin
        self.dueAt = dueAt
    }
}

/// A port-out request against our numbers.
public struct PortOut: Sendable, Codable, Equatable {
    public var id: String
    /// The account whose numbers the request is for, when they are one customer's; never shown to a partner.
    public var accountId: String?
    /// The partner carrier's account that filed the request; absent when the operator filed it.
    public var filedBy: String?
    public var numbers: [PhoneNumber]
    public var gainingCarrier: String
    public var gainingOcn: String
    public var state: PortOutState
    public var rejectReasons: [PortOutRejectReason]?
    public var dueAt: Date
    /// The customer's deadline to approve, while the request waits for it.
    public var approveBy: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// What a `port-out.status-changed` webhook event tells: the request after the change and its timeline entry.
public struct PortOutChange: Sendable, Codable, Equatable {
    public var portOut: PortOut
    public var entry: PortOrderEventRecord
}

extension PortOut {
    /// The request as `principal` may see it: a partner never sees whose numbers they are.
    func seen(by principal: Principal) -> PortOut {
        guard principal.isPartner else { return self }
        var view = self
        view.accountId = nil
        return view
    }

    /// A timeline entry as `principal` may see it: a partner sees its own keys, the system, and otherwise only
    /// which side acted (`customer` or `operator`), never another account's key.
    func entry(_ entry: PortOrderEventRecord, seenBy principal: Principal) -> PortOrderEventRecord {
        guard principal.isPartner, !entry.actor.hasPrefix(principal.accountId + "/"), !entry.actor.hasPrefix("system/") else {
            return entry
        }
        var view = entry
        view.actor = accountId.map { entry.actor.hasPrefix($0 + "/") } == true ? "customer" : "operator"
        return view
    }
}
