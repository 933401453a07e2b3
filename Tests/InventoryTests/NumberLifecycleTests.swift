import Inventory
import Platform
import Testing

@Suite("Number lifecycle state machine")
struct NumberLifecycleTests {
    /// The legal transitions, written out independently of the implementation: (from, action) → to.
    static let legal: [String: NumberStatus?] = [
        "nil/add": .available,
        "available/remove": nil,
        "aging/remove": nil,
        "available/reserve": .reserved,
        "reserved/unreserve": .available,
        "reserved/expire": .available,
        "available/order": .assigned,
        "reserved/confirm": .assigned,
        "assigned/release": .aging,
        "aging/reclaim": .available,
        "assigned/assign-trunk": .assigned,
        "assigned/unassign-trunk": .assigned,
        "nil/port-in-start": .portingIn,
        "porting-in/port-in-complete": .assigned,
        "porting-in/port-in-cancel": nil,
        "assigned/port-out": .portedOut,
        "assigned/set-caller-name": .assigned,
    ]

    static let every: [(NumberStatus?, NumberAction)] = ([nil] + NumberStatus.allCases.map(Optional.some)).flatMap { status in
        NumberAction.allCases.map { (status, $0) }
    }

    @Test("every (status, action) pair is legal exactly when the table says so", arguments: every)
    func transition(from status: NumberStatus?, action: NumberAction) throws {
        let key = "\(status?.rawValue ?? "nil")/\(action.rawValue)"
        if let expected = Self.legal[key] {
            #expect(try NumberLifecycle.next(from: status, on: action) == expected)
        } else {
            #expect(throws: ServiceError.self) { try NumberLifecycle.next(from: status, on: action) }
            do {
                _ = try NumberLifecycle.next(from: status, on: action)
            } catch {
                #expect(error.code == .illegalTransition)
                #expect(error.reason.contains(action.rawValue))
            }
        }
    }

    @Test("the table covers 16 legal transitions out of all pairs")
    func coverage() {
        let legalCount = Self.every.filter { status, action in
            if case .success = Result(catching: { () throws(ServiceError) in try NumberLifecycle.next(from: status, on: action) }) {
                return true
            }
            return false
        }.count
        #expect(legalCount == Self.legal.count)
        #expect(Self.every.count == 7 * NumberAction.allCases.count)
    }
}
