import Inventory
import NetworkData
import Platform
import SQLKit
import Telephony

extension PortOrders {
    /// Whether each number can be ported in: a NANP geographic number (toll-free numbers move through their
    /// RespOrg, not a port), not already ours, not on another open port order, with reference data, in a LATA
    /// where we have an LRN. Each number gets its source or the reason it cannot be ported.
    static func portability(
        of numbers: [PhoneNumber], in database: any SQLDatabase
    ) async throws -> [PhoneNumber: Result<PortSource, ServiceError>] {
        var verdicts: [PhoneNumber: Result<PortSource, ServiceError>] = [:]
        for number in numbers {
            verdicts[number] = try await portability(of: number, in: database)
        }
        return verdicts
    }

    private static func portability(of number: PhoneNumber, in database: any SQLDatabase) async throws -> Result<PortSource, ServiceError> {
        switch DialedNumber(classifying: number.e164) {
        case .geographic: break
        case .tollFree: return .failure(.invalid("numbers", "toll-free numbers move through their RespOrg, not a port"))
        default: return .failure(.invalid("numbers", "\(number.e164) is not a US or Canadian geographic number"))
        }
        // A number we ported out may come back; any other row means it is ours already.
        if let record = try await NumberInventory.fetchRecord(number, in: database), record.status != .portedOut {
            return .failure(ServiceError(.conflict, record.status == .portingIn ? "already being ported in" : "already ours"))
        }
        let open = try await database.raw("""
            SELECT o.id FROM port_order_numbers n JOIN port_orders o ON o.id = n.order_id
            WHERE n.tn = \(bind: number.national) AND o.state NOT IN ('completed', 'canceled')
            """).first()
        if open != nil { return .failure(ServiceError(.conflict, "already on an open port order")) }
        return try await PortSource.of(number, in: database)
    }
}
