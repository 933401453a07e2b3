import Inventory
import Logging

extension PeriodicService {
    /// Activates port orders when their FOC time comes, checking every 15 seconds.
    public static func portActivation(orders: PortOrders, interval: Duration = .seconds(15), logger: Logger) -> PeriodicService {
        PeriodicService("port order activation", every: interval, logger: logger) {
            let activated = try await orders.activateDue()
            if activated > 0 { logger.info("port orders activated at their FOC time", metadata: ["orders": "\(activated)"]) }
        }
    }
}
