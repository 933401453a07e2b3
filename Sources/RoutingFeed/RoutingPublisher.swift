import Logging
import Routing
import ServiceLifecycle

/// Keeps a ``RoutingTable`` current: polls the store's routing epoch and publishes a new snapshot when it
/// moves. Compiling happens here, off the routing path; routing keeps using the previous snapshot meanwhile.
public struct RoutingPublisher: Service {
    let compiler: RoutingCompiler
    let table: RoutingTable
    let interval: Duration
    let logger: Logger

    public init(compiler: RoutingCompiler, table: RoutingTable, interval: Duration = .milliseconds(250), logger: Logger) {
        self.compiler = compiler
        self.table = table
        self.interval = interval
        self.logger = logger
    }

    /// Compiles and publishes a snapshot if the store has changed since the current one; returns whether it did.
    @discardableResult
    public func refresh() async throws -> Bool {
        let current = table.current
        guard try await compiler.epoch() != current.epoch else { return false }
        let started = ContinuousClock.now
        let snapshot = try await compiler.compile(version: current.version + 1)
        table.publish(snapshot)
        logger.info("published routing snapshot", metadata: [
            "version": "\(snapshot.version)", "epoch": "\(snapshot.epoch)", "numbers": "\(snapshot.counts.numbers)",
            "trunks": "\(snapshot.counts.trunks)", "build": "\(ContinuousClock.now - started)",
        ])
        return true
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            repeat {
                do {
                    try await refresh()
                } catch {
                    logger.error("routing snapshot refresh failed; routing keeps the previous one", metadata: ["error": "\(error)"])
                }
            } while (try? await Task.sleep(for: interval)) != nil
        }
    }
}
