import Foundation
import Logging
import Routing
import SQLKit
import ServiceLifecycle
import Store
import Telephony

/// The store's routing epoch: a counter every provisioning change that can affect routing increments, in the
/// same transaction, so that snapshot publishers in any process notice it.
enum RoutingEpoch {
    static func bump(in database: any SQLDatabase) async throws {
        try await database.raw("UPDATE routing_epoch SET epoch = epoch + 1 WHERE id = 1").run()
    }

    static func read(in database: any SQLDatabase) async throws -> Int64 {
        try await database.raw("SELECT epoch FROM routing_epoch WHERE id = 1").first()?.decode(column: "epoch", as: Int64.self) ?? 0
    }
}

/// Compiles the provisioned trunks and numbers into a ``RoutingSnapshot``.
public struct RoutingCompiler: Sendable {
    let store: Store
    let emergency: EmergencyRoute?

    public init(store: Store, emergency: EmergencyRoute?) {
        self.store = store
        self.emergency = emergency
    }

    /// The store's current routing epoch.
    public func epoch() async throws -> Int64 {
        try await store.read { try await RoutingEpoch.read(in: $0) }
    }

    /// Reads everything routing needs and builds a snapshot with the given version.
    ///
    /// The epoch is read first: a change that lands while the tables are read makes the data newer than
    /// the epoch, never older, so the next poll rebuilds again rather than missing it.
    public func compile(version: UInt64) async throws -> RoutingSnapshot {
        try await store.read { database in
            let epoch = try await RoutingEpoch.read(in: database)
            let trunks = try await database.raw("""
                SELECT t.id, t.account_id, t.configuration, a.status FROM trunks t JOIN accounts a ON a.id = t.account_id
                """).all().map(Self.trunkRoute)
            var numbers: [NumberRoute] = []
            for row in try await database.raw(
                "SELECT tn, account_id, trunk_id FROM numbers WHERE status = 'assigned'"
            ).all() {
                guard let accountId = try row.decode(column: "account_id", as: String?.self) else { continue }
                numbers.append(NumberRoute(
                    number: try row.phoneNumber(), accountId: accountId,
                    trunkId: try row.decode(column: "trunk_id", as: String?.self)
                ))
            }
            return RoutingSnapshot(version: version, epoch: epoch, trunks: trunks, numbers: numbers, emergency: emergency)
        }
    }

    private static func trunkRoute(_ row: any SQLRow) throws -> TrunkRoute {
        let configuration = try JSONDecoder().decode(
            TrunkConfiguration.self, from: Data(try row.decode(column: "configuration", as: String.self).utf8)
        )
        return TrunkRoute(
            id: try row.decode(column: "id", as: String.self),
            accountId: try row.decode(column: "account_id", as: String.self),
            accountActive: try row.decode(column: "status", as: String.self) == AccountStatus.active.rawValue,
            hosts: configuration.hosts.map {
                TrunkRoute.Host(address: $0.address, port: $0.port, transport: $0.transport.rawValue,
                                priority: $0.priority, weight: $0.weight)
            },
            sources: configuration.sourceAddresses.compactMap { CIDRBlock($0) },
            callerID: TrunkRoute.CallerIDRule(
                allowAny: configuration.callerId.mode == .any,
                allowedPrefixes: configuration.callerId.allowed.map { String($0.dropFirst()) },
                rejectViolations: configuration.callerId.onViolation == .reject
            )
        )
    }
}

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
