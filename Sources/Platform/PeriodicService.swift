import Logging
import ServiceLifecycle

/// Runs a piece of housekeeping on a fixed interval until shutdown; a failed run is logged and tried again at
/// the next interval. The first run waits an interval, so that the schema is migrated before it.
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Void

    public init(_ name: String, every interval: Duration, logger: Logger, work: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while (try? await Task.sleep(for: interval)) != nil {
                do {
                    try await work()
                } catch {
                    logger.error("\(name) failed; trying again in \(interval)", metadata: ["error": "\(String(reflecting: error))"])
                }
            }
        }
    }
}
