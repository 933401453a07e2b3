import Foundation
import Porting
import Telephony
import Testing

private let btn = PhoneNumber("+12125550100")!
private let second = PhoneNumber("+12125550101")!
private let third = PhoneNumber("+12125550102")!

private func carrier(pin: String? = "4321", complex: Bool = false, jeopardyEvery: Int = 0) -> SimulatedLosingCarrier {
    SimulatedLosingCarrier(records: [
        CustomerServiceRecord(
            accountNumber: "ACCT-99881", pin: pin, businessName: "Acme Dental Group, LLC", serviceAddress: "350 Fifth Avenue",
            zip: "10118", billingNumber: btn, numbers: [btn, second, third], complexService: complex
        ),
    ], configuration: .init(focBusinessDays: 3, jeopardyEvery: jeopardyEvery))
}

private let correct = LosingCarrierAccount(
    businessName: "ACME DENTAL GROUP LLC", serviceAddress: "350 fifth avenue", zip: "10118", accountNumber: "acct-99881",
    pin: "4321", billingNumber: btn
)

/// Friday 2026-11-20 15:00 UTC.
private let friday: Int64 = 1_795_186_800

@Suite("Simulated losing carrier")
struct SimulatedLosingCarrierTests {
    @Test("a request that matches the CSR gets a FOC three business days out, at the window's start")
    func foc() async throws {
        let answer = try await carrier().submit(PortRequest(orderId: "po_1", numbers: [second], account: correct, sentAt: friday))
        // Friday + 3 business days = Wednesday 2026-11-25, 09:00 Eastern = 14:00 UTC.
        #expect(answer == .foc(FOC(date: "2026-11-25", window: "09:00-12:00", activateAt: 1_795_615_200)))
    }

    @Test("each mismatch is a rejection reason", arguments: [
        ("business_name", "Acme Dental", RejectReason.nameMismatch),
        ("service_address", "360 Fifth Avenue", .addressMismatch),
        ("zip", "10001", .addressMismatch),
        ("account_number", "ACCT-99882", .accountNumberMismatch),
    ])
    func mismatch(field: String, value: String, reason: RejectReason) async throws {
        var account = correct
        switch field {
        case "business_name": account.businessName = value
        case "service_address": account.serviceAddress = value
        case "zip": account.zip = value
        default: account.accountNumber = value
        }
        let answer = try await carrier().submit(PortRequest(orderId: "po_1", numbers: [second], account: account, sentAt: friday))
        #expect(answer == .rejected([reason]))
    }

    @Test("PIN, pending orders, complex service and the billing number's dependents")
    func otherReasons() async throws {
        var wrongPIN = correct
        wrongPIN.pin = "0000"
        #expect(try await carrier().submit(PortRequest(orderId: "a", numbers: [second], account: wrongPIN, sentAt: friday)) == .rejected([.pinMismatch]))

        let busy = carrier()
        _ = try await busy.submit(PortRequest(orderId: "first", numbers: [second], account: correct, sentAt: friday))
        #expect(try await busy.submit(PortRequest(orderId: "second", numbers: [second], account: correct, sentAt: friday)) == .rejected([.pendingOrder]))
        try await busy.cancel(orderId: "first")
        #expect(try await busy.submit(PortRequest(orderId: "second", numbers: [second], account: correct, sentAt: friday)) != .rejected([.pendingOrder]))

        #expect(try await carrier(complex: true).submit(PortRequest(orderId: "c", numbers: [second], account: correct, sentAt: friday))
            == .rejected([.complexService]))
        var declared = correct
        declared.complexService = true
        if case .rejected = try await carrier(complex: true).submit(PortRequest(orderId: "c", numbers: [second], account: declared, sentAt: friday)) {
            Issue.record("a declared complex service is accepted")
        }
        #expect(try await carrier().submit(PortRequest(orderId: "b", numbers: [btn, second], account: correct, sentAt: friday))
            == .rejected([.numbersMissing]))
        var many = correct
        many.businessName = "Other"
        many.pin = nil
        #expect(try await carrier().submit(PortRequest(orderId: "m", numbers: [second], account: many, sentAt: friday))
            == .rejected([.nameMismatch, .pinMismatch]))
        #expect(try await carrier().submit(PortRequest(orderId: "x", numbers: [PhoneNumber("+13125550100")!], account: correct, sentAt: friday))
            == .rejected([.accountNumberMismatch]))
    }

    @Test("with jeopardy on, the chosen orders are delayed once, then answered; the same order always behaves the same")
    func jeopardy() async throws {
        let lively = carrier(jeopardyEvery: 2)
        var delayed = 0
        for index in 0..<20 {
            let request = PortRequest(orderId: "po_\(index)", numbers: [second], account: correct, sentAt: friday)
            if case .jeopardy = try await lively.submit(request) {
                delayed += 1
                guard case .foc = try await lively.submit(request) else {
                    Issue.record("a supplemented order in jeopardy gets its FOC")
                    return
                }
            }
            try await lively.cancel(orderId: request.orderId)
        }
        #expect((3...17).contains(delayed), "about half of 20 orders: \(delayed)")
    }

    @Test("completing a port releases the numbers from the CSR")
    func complete() async throws {
        let losing = carrier()
        _ = try await losing.submit(PortRequest(orderId: "po_1", numbers: [third], account: correct, sentAt: friday))
        try await losing.complete(orderId: "po_1")
        #expect(try await losing.submit(PortRequest(orderId: "po_2", numbers: [third], account: correct, sentAt: friday))
            == .rejected([.accountNumberMismatch]))
    }
}
