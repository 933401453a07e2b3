import Foundation
import Inventory
import SQLKit
import Telephony

/// The letter of authorization the end user signed, as a port order carries it.
public struct LOA: Sendable, Codable, Equatable {
    public var signer: String
    public var title: String
    /// The day it was signed, `YYYY-MM-DD`.
    public var signedOn: String
    public var documentName: String
    /// The SHA-256 of the stored document, hex.
    public var documentSHA256: String
}

/// The LOA as submitted: its fields and the signed document itself, base64-encoded (at most 5 MB).
public struct LOADraft: Sendable, Codable, Equatable {
    public var signer: String
    public var title: String
    public var signedOn: String
    public var documentName: String
    public var document: String

    public init(signer: String, title: String, signedOn: String, documentName: String, document: String) {
        self.signer = signer
        self.title = title
        self.signedOn = signedOn
        self.documentName = documentName
        self.document = document
    }
}

/// What a customer asks to port in: the numbers, the losing carrier's account data as the customer believes
/// it, the LOA, and the trunk the numbers should ring once ours.
public struct PortOrderDraft: Sendable, Codable, Equatable {
    public var numbers: [String]
    public var account: LosingCarrierAccount
    public var loa: LOADraft
    public var trunkId: String?
    /// The operator names the customer; customers port for themselves.
    public var accountId: String?
    /// A validated E911 address of the customer's that the numbers are bound to when they arrive.
    public var e911AddressId: String?
    /// The caller name (CNAM) the numbers take when they arrive.
    public var callerName: CallerName?
    /// Hours after activation during which the numbers' calls still go to their old path first (1 to
    /// ``PortOrders/maximumCutoverHours``): the customer's phones keep ringing while the trunk is cut over.
    public var cutoverForwardHours: Int?

    public init(
        numbers: [String], account: LosingCarrierAccount, loa: LOADraft, trunkId: String?, accountId: String? = nil,
        e911AddressId: String? = nil, callerName: CallerName? = nil, cutoverForwardHours: Int? = nil
    ) {
        self.callerName = callerName
        self.cutoverForwardHours = cutoverForwardHours
        self.numbers = numbers
        self.account = account
        self.loa = loa
        self.trunkId = trunkId
        self.accountId = accountId
        self.e911AddressId = e911AddressId
    }
}

/// A port-in order: one losing carrier's share of a customer's request.
public struct PortOrder: Sendable, Codable, Equatable {
    public var id: String
    public var accountId: String
    public var trunkId: String?
    public var losingOcn: String
    public var losingCarrier: String
    /// `draft`, `submitted`, `foc-received`, `rejected`, `jeopardy`, `activating`, `completed` or `canceled`.
    public var state: String
    public var foc: FOC?
    public var rejectReasons: [RejectReason]?
    public var jeopardyReason: String?
    public var numbers: [PhoneNumber]
    public var account: LosingCarrierAccount
    public var loa: LOA
    /// The E911 address the numbers are bound to on activation.
    public var e911AddressId: String?
    /// The caller name the numbers take on activation.
    public var callerName: CallerName?
    /// How long after activation the numbers' calls go to their old path first, in hours.
    public var cutoverForwardHours: Int?
    /// When the numbers' calls stop (or stopped) going to their old path first; `nil` before activation, without
    /// forwarding, and once the customer ended it early.
    public var cutoverEndsAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
}

/// A committed port on the FOC calendar: when an order's numbers move.
public struct FOCCalendarEntry: Sendable, Codable, Equatable {
    /// The FOC date (`YYYY-MM-DD`, the losing carrier's) and window.
    public var date: String
    public var window: String
    public var activateAt: Date
    public var orderId: String
    public var accountId: String
    public var losingCarrier: String
    public var numbers: [PhoneNumber]
}

/// One entry of an order's timeline (a port-in order's or a port-out request's).
public struct PortOrderEventRecord: Sendable, Codable, Equatable {
    public var at: Date
    public var event: String
    public var fromState: String
    public var toState: String
    public var detail: String?
    public var actor: String
}

extension PortOrderEventRecord {
    /// An entry as stored in a timeline table.
    init(row: any SQLRow) throws {
        self.init(
            at: Date(unixSeconds: try row.decode(column: "at", as: Int64.self)), event: try row.decode(column: "event", as: String.self),
            fromState: try row.decode(column: "from_state", as: String.self), toState: try row.decode(column: "to_state", as: String.self),
            detail: try row.decode(column: "detail", as: String?.self), actor: try row.decode(column: "actor", as: String.self)
        )
    }
}

/// What a `port-order.status-changed` webhook event tells: the order, its numbers, and the timeline entry of the
/// change.
public struct PortOrderChange: Sendable, Codable, Equatable {
    public var orderId: String
    public var numbers: [PhoneNumber]
    /// The order's state after the change.
    public var state: String
    public var entry: PortOrderEventRecord
}

/// What creating port orders did: the orders (one per losing carrier), and the numbers that cannot be ported.
public struct PortOrderCreation: Sendable, Codable, Equatable {
    public var orders: [PortOrder]
    public var failed: [NumberResult]
}
