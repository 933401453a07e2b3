import Porting
import Testing

private let foc = FOC(date: "2026-11-25", window: "09:00-12:00", activateAt: 1_795_615_200)

private let states: [PortOrderState] = [
    .draft, .submitted, .focReceived(foc), .rejected([.nameMismatch]), .jeopardy("late"), .activating, .completed, .canceled,
]
private let events: [PortOrderEvent] = [
    .submit, .supplement, .focReceived(foc), .rejected([.pinMismatch]), .jeopardy("late"), .activate, .activated, .cancel,
]

/// The whole transition table: state × event → next state and actions, or nil when refused.
private func expected(_ state: PortOrderState, _ event: PortOrderEvent) -> (PortOrderState, [PortOrderAction])? {
    switch (state.name, event.name) {
    case ("draft", "submit"): (.submitted, [.sendToPartner, .notifyCustomer])
    case ("rejected", "supplement"), ("submitted", "supplement"), ("foc-received", "supplement"), ("jeopardy", "supplement"):
        (.submitted, [.sendToPartner, .notifyCustomer])
    case ("submitted", "foc-received"), ("jeopardy", "foc-received"):
        (.focReceived(foc), [.scheduleActivation(at: foc.activateAt), .notifyCustomer])
    case ("submitted", "rejected"), ("jeopardy", "rejected"): (.rejected([.pinMismatch]), [.notifyCustomer])
    case ("submitted", "jeopardy"), ("foc-received", "jeopardy"), ("activating", "jeopardy"): (.jeopardy("late"), [.notifyCustomer])
    case ("foc-received", "activate"): (.activating, [.activateNumbers, .notifyCustomer])
    case ("activating", "activated"): (.completed, [.notifyCustomer])
    case ("draft", "cancel"): (.canceled, [.notifyCustomer])
    case ("submitted", "cancel"), ("foc-received", "cancel"), ("jeopardy", "cancel"), ("rejected", "cancel"):
        (.canceled, [.cancelWithPartner, .notifyCustomer])
    default: nil
    }
}

@Suite("Port order workflow")
struct PortOrderMachineTests {
    @Test("every state and event: the transition and its actions, or a refusal", arguments: states)
    func table(state: PortOrderState) {
        for event in events {
            let outcome = try? PortOrderMachine.apply(event, to: state)
            let wanted = expected(state, event)
            #expect(outcome?.0 == wanted?.0 && outcome?.1 == wanted?.1, "\(state.name) + \(event.name)")
            if wanted == nil {
                #expect(throws: PortOrderMachine.Refusal.self) { try PortOrderMachine.apply(event, to: state) }
            }
        }
    }

    @Test("a refusal names the state and the event")
    func refusal() {
        #expect(throws: PortOrderMachine.Refusal.self) { try PortOrderMachine.apply(.activate, to: .submitted) }
        do {
            _ = try PortOrderMachine.apply(.activate, to: .submitted)
        } catch {
            #expect(error.description == "a submitted order cannot take 'activate'")
        }
    }

    @Test("completed and canceled orders are final and take no event")
    func finals() {
        #expect(PortOrderState.completed.isFinal && PortOrderState.canceled.isFinal)
        #expect(states.filter(\.isFinal).count == 2)
        for event in events {
            #expect(throws: PortOrderMachine.Refusal.self) { try PortOrderMachine.apply(event, to: .completed) }
        }
    }

    @Test("a rejected order is fixed and resubmitted without starting over, then completes")
    func rejectedThenCompleted() throws {
        var state = PortOrderState.draft
        for event: PortOrderEvent in [.submit, .rejected([.nameMismatch]), .supplement, .focReceived(foc), .activate, .activated] {
            state = try PortOrderMachine.apply(event, to: state).0
        }
        #expect(state == .completed)
    }
}
