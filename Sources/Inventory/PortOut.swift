import Emergency
import Foundation
import NetworkData
import SQLKit
import Store
import Telephony
import Timekeeping

/// What a completed port-out did to the numbers it named.
public struct PortOutRelease: Sendable, Equatable {
    /// The numbers that left the inventory as ported-out.
    public var portedOut: [PhoneNumber]
    /// The numbers that were no longer the account's assigned numbers (released meanwhile, say), left as they are.
    public var skipped: [PhoneNumber]
}

extension NumberInventory {
    /// Lets an account's numbers go to the carrier that won them: each assigned number of `account` becomes
    /// ported-out, loses its trunk, failover targets and E911 binding (the binding's end recorded with who and when),
    /// and its entry in the ported-number table. Within a second routing forgets the number and stops dipping our
    /// LRN for it. Numbers that are no longer the account's assigned numbers are skipped. Runs in the caller's
    /// transaction.
    public func portOut(
        _ numbers: [PhoneNumber], account: String, reason: String, actor: String, in database: any SQLDatabase
    ) async throws -> PortOutRelease {
        var release = PortOutRelease(portedOut: [], skipped: [])
        let now = clock.now()
        for number in numbers.sorted() {
            guard let record = try await Self.fetchRecord(number, forUpdate: true, in: database), record.status == .assigned,
                record.accountId == account
            else {
                release.skipped.append(number)
                continue
            }
            if let binding = try await database.raw("SELECT address_id FROM number_e911 WHERE tn = \(bind: number.national)").first() {
                try await EmergencyAddresses.recordEvent(
                    "unbound-ported-out", number: number, address: try binding.decode(column: "address_id", as: String.self),
                    actor: actor, at: now, in: database
                )
            }
            try await transition(record, .portOut, account: account, trunk: nil, reason: reason, actor: actor, in: database)
            try await PortedNumbers.change(number, to: nil, at: now, in: database)
            release.portedOut.append(number)
        }
        return release
    }
}
