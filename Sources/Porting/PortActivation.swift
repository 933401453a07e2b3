import Inventory
import Logging
import Platform

extension PeriodicService {
    /// Activates port orders when their FOC time comes, checking every 15 seconds.
    public static func portActivation(orders: PortOrders, interval: Duration = .seconds(15), logger: Logger) -> PeriodicService {
        PeriodicService("port order activation", every: interval, logger: logger) {
            let activated = try await orders.activateDue()
            if activated > 0 { logger.info("port orders activated at their FOC time", metadata: ["orders": "\(activated)"]) }
        }
    }

    /// Expires port-out requests left unanswered past their approval deadline, and completes approved ones at
    /// their due time, checking every 15 seconds.
    public static func portOutCompletion(portOuts: PortOuts, interval: Duration = .seconds(15), logger: Logger) -> PeriodicService {
        PeriodicService("port-out completion", every: interval, logger: logger) {
            let moved = try await portOuts.processDue()
            if moved > 0 { logger.info("port-out requests expired or completed", metadata: ["requests": "\(moved)"]) }
        }
    }
}
