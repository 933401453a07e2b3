import Foundation
import Synchronization
import Telephony

/// The losing carrier's account as the customer believes it to be, as a port order carries it (the LOA and
/// the end-user fields of an LSR).
public struct LosingCarrierAccount: Sendable, Hashable, Codable {
    public var businessName: String
    /// The service address's street line, and its ZIP.
    public var serviceAddress: String
    public var zip: String
    public var accountNumber: String
    public var pin: String?
    /// The billing telephone number (BTN) of the account.
    public var billingNumber: PhoneNumber?
    /// Whether the numbers are part of a hunt group, PRI or other complex service.
    public var complexService: Bool

    public init(
        businessName: String, serviceAddress: String, zip: String, accountNumber: String, pin: String? = nil,
        billingNumber: PhoneNumber? = nil, complexService: Bool = false
    ) {
        self.businessName = businessName
        self.serviceAddress = serviceAddress
        self.zip = zip
        self.accountNumber = accountNumber
        self.pin = pin
        self.billingNumber = billingNumber
        self.complexService = complexService
    }

    private enum CodingKeys: String, CodingKey {
        case businessName, serviceAddress, zip, accountNumber, pin, pinOnFile, billingNumber, complexService
    }

    /// The account as the API shows it: the PIN is write-only, as a password is; `pin_on_file` says whether one
    /// was given. The store keeps it (``stored``): the losing carrier needs it with every request.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(businessName, forKey: .businessName)
        try container.encode(serviceAddress, forKey: .serviceAddress)
        try container.encode(zip, forKey: .zip)
        try container.encode(accountNumber, forKey: .accountNumber)
        try container.encode(pin != nil, forKey: .pinOnFile)
        try container.encodeIfPresent(billingNumber, forKey: .billingNumber)
        try container.encode(complexService, forKey: .complexService)
    }

    /// The account with its PIN, as the store keeps it and ``init(from:)`` reads it back.
    package var stored: some Encodable & Sendable { Stored(account: self) }

    private struct Stored: Encodable, Sendable {
        let account: LosingCarrierAccount

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(account.businessName, forKey: .businessName)
            try container.encode(account.serviceAddress, forKey: .serviceAddress)
            try container.encode(account.zip, forKey: .zip)
            try container.encode(account.accountNumber, forKey: .accountNumber)
            try container.encodeIfPresent(account.pin, forKey: .pin)
            try container.encodeIfPresent(account.billingNumber, forKey: .billingNumber)
            try container.encode(account.complexService, forKey: .complexService)
        }
    }

    /// Decodes the account; `complex_service` defaults to false.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        businessName = try container.decode(String.self, forKey: .businessName)
        serviceAddress = try container.decode(String.self, forKey: .serviceAddress)
        zip = try container.decode(String.self, forKey: .zip)
        accountNumber = try container.decode(String.self, forKey: .accountNumber)
        pin = try container.decodeIfPresent(String.self, forKey: .pin)
        billingNumber = try container.decodeIfPresent(PhoneNumber.self, forKey: .billingNumber)
        complexService = try container.decodeIfPresent(Bool.self, forKey: .complexService) ?? false
    }
}

/// A port request sent to a losing carrier.
public struct PortRequest: Sendable, Hashable {
    public var orderId: String
    public var numbers: [PhoneNumber]
    public var account: LosingCarrierAccount
    /// When it was sent, in Unix seconds.
    public var sentAt: Int64

    public init(orderId: String, numbers: [PhoneNumber], account: LosingCarrierAccount, sentAt: Int64) {
        self.orderId = orderId
        self.numbers = numbers
        self.account = account
        self.sentAt = sentAt
    }
}

/// A losing carrier's answer to a port request.
public enum PartnerAnswer: Sendable, Hashable {
    case foc(FOC)
    case rejected([RejectReason])
    case jeopardy(String)

    /// The event the answer is to a port order.
    public var event: PortOrderEvent {
        switch self {
        case .foc(let foc): .focReceived(foc)
        case .rejected(let reasons): .rejected(reasons)
        case .jeopardy(let reason): .jeopardy(reason)
        }
    }
}

/// A losing carrier, reached however it is reached (an SOA, a carrier's API, a fax of the LSR): Tandem sends
/// port requests and cancellations, and hears back an answer.
public protocol PortingPartner: Sendable {
    func submit(_ request: PortRequest) async throws -> PartnerAnswer
    func cancel(orderId: String) async throws
    /// The port completed: the losing carrier releases the numbers.
    func complete(orderId: String) async throws
}

// MARK: - A simulated losing carrier

/// A losing carrier's customer service record (CSR): what it knows of one of its accounts.
public struct CustomerServiceRecord: Sendable, Hashable, Codable {
    public var accountNumber: String
    public var pin: String?
    public var businessName: String
    public var serviceAddress: String
    public var zip: String
    public var billingNumber: PhoneNumber
    public var numbers: [PhoneNumber]
    public var complexService: Bool

    public init(
        accountNumber: String, pin: String? = nil, businessName: String, serviceAddress: String, zip: String,
        billingNumber: PhoneNumber, numbers: [PhoneNumber], complexService: Bool = false
    ) {
        self.accountNumber = accountNumber
        self.pin = pin
        self.businessName = businessName
        self.serviceAddress = serviceAddress
        self.zip = zip
        self.billingNumber = billingNumber
        self.numbers = numbers
        self.complexService = complexService
    }
}

/// A faithful simulation of a losing carrier, for tests and the demo: it holds its own CSRs and answers port
/// requests as real carriers do. Any mismatch with the CSR rejects the request, with every reason that
/// applies; a clean request gets a FOC a set number of business days out, in a morning window; a number on
/// another pending order is refused. With `jeopardyEvery` set, one order in that many (chosen by its id, so
/// the same order always behaves the same) first answers jeopardy, and gets its FOC when supplemented.
public final class SimulatedLosingCarrier: PortingPartner {
    public struct Configuration: Sendable {
        /// Business days from the request to the FOC date.
        public var focBusinessDays: Int
        /// The FOC window, as hours of the day in the carrier's time zone.
        public var windowHours: ClosedRange<Int>
        /// The carrier's offset from UTC, in seconds (US Eastern standard time: -18,000).
        public var utcOffset: Int
        /// One order in this many answers jeopardy first; 0 for never.
        public var jeopardyEvery: Int

        public init(focBusinessDays: Int = 3, windowHours: ClosedRange<Int> = 9...12, utcOffset: Int = -18_000, jeopardyEvery: Int = 0) {
            self.focBusinessDays = focBusinessDays
            self.windowHours = windowHours
            self.utcOffset = utcOffset
            self.jeopardyEvery = jeopardyEvery
        }
    }

    private struct State {
        var records: [CustomerServiceRecord]
        /// Numbers on pending orders, with the order.
        var pending: [PhoneNumber: String] = [:]
        /// Orders that answered jeopardy once.
        var delayed: Set<String> = []
    }

    private let configuration: Configuration
    private let state: Mutex<State>

    public init(records: [CustomerServiceRecord], configuration: Configuration = .init()) {
        self.configuration = configuration
        self.state = Mutex(State(records: records))
    }

    public func submit(_ request: PortRequest) async throws -> PartnerAnswer {
        state.withLock { state in
            let reasons = Self.check(request, against: state)
            guard reasons.isEmpty else { return .rejected(reasons) }
            for number in request.numbers { state.pending[number] = request.orderId }
            if configuration.jeopardyEvery > 0, Self.digest(request.orderId) % UInt64(configuration.jeopardyEvery) == 0,
                state.delayed.insert(request.orderId).inserted
            {
                return .jeopardy("the losing carrier is reviewing the account; a supplement will be answered")
            }
            return .foc(focDate(after: request.sentAt))
        }
    }

    public func cancel(orderId: String) async throws {
        state.withLock { state in state.pending = state.pending.filter { $0.value != orderId } }
    }

    public func complete(orderId: String) async throws {
        state.withLock { state in
            let ported = Set(state.pending.filter { $0.value == orderId }.keys)
            state.pending = state.pending.filter { $0.value != orderId }
            for index in state.records.indices { state.records[index].numbers.removeAll { ported.contains($0) } }
        }
    }

    /// Every reason the CSR gives to refuse the request.
    private static func check(_ request: PortRequest, against state: State) -> [RejectReason] {
        let account = request.account
        guard let record = state.records.first(where: { record in request.numbers.contains { record.numbers.contains($0) } }) else {
            return [.accountNumberMismatch]
        }
        var reasons: [RejectReason] = []
        if simplified(account.businessName) != simplified(record.businessName) { reasons.append(.nameMismatch) }
        if simplified(account.serviceAddress) != simplified(record.serviceAddress) || simplified(account.zip) != simplified(record.zip) {
            reasons.append(.addressMismatch)
        }
        if simplified(account.accountNumber) != simplified(record.accountNumber)
            || !request.numbers.allSatisfy(record.numbers.contains)
        {
            reasons.append(.accountNumberMismatch)
        }
        if let pin = record.pin, account.pin != pin { reasons.append(.pinMismatch) }
        if request.numbers.contains(where: { state.pending[$0].map { $0 != request.orderId } ?? false }) {
            reasons.append(.pendingOrder)
        }
        if record.complexService, !account.complexService { reasons.append(.complexService) }
        if request.numbers.contains(record.billingNumber), !record.numbers.allSatisfy(request.numbers.contains) {
            reasons.append(.numbersMissing)
        }
        return reasons
    }

    /// Upper case, letters and digits only: `Acme Dental, Inc.` and `ACME DENTAL INC` agree.
    private static func simplified(_ text: String) -> String {
        String(text.uppercased().filter { $0.isLetter || $0.isNumber })
    }

    private static func digest(_ text: String) -> UInt64 {
        var generator = SplitMix64(seed: text)
        return generator.next()
    }

    /// The FOC: `focBusinessDays` business days after `sentAt`, at the start of the window, in the carrier's zone.
    private func focDate(after sentAt: Int64) -> FOC {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: configuration.utcOffset)!
        var day = calendar.startOfDay(for: Date(timeIntervalSince1970: TimeInterval(sentAt)))
        var remaining = configuration.focBusinessDays
        while remaining > 0 {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            if !calendar.isDateInWeekend(day) { remaining -= 1 }
        }
        let start = calendar.date(byAdding: .hour, value: configuration.windowHours.lowerBound, to: day)!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        let date = String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        let window = String(format: "%02d:00-%02d:00", configuration.windowHours.lowerBound, configuration.windowHours.upperBound)
        return FOC(date: date, window: window, activateAt: Int64(start.timeIntervalSince1970))
    }
}
