import Porting
import Telephony

extension SimulatedLosingCarrier {
    /// The losing carrier of `tandem serve --demo`: it holds Acme's other office, three numbers in Huntsville's
    /// 205-709 exchange outside the blocks the demo stocks, for the README's port-in walk-through.
    public static func demo() -> SimulatedLosingCarrier {
        let numbers = [PhoneNumber("+12057095550")!, PhoneNumber("+12057095551")!, PhoneNumber("+12057095552")!]
        return SimulatedLosingCarrier(records: [
            CustomerServiceRecord(
                accountNumber: "BLT-4410", pin: "2468", businessName: "Acme Dental Group",
                serviceAddress: "2500 Memorial Pkwy NW", zip: "35801", billingNumber: numbers[0], numbers: numbers
            ),
        ], configuration: .init(focBusinessDays: 3))
    }
}
