import Logging
import ServiceLifecycle
import Store
import Timekeeping

/// The provisioning services over one store: accounts and keys, numbers, trunks, reference data, carriers, rate
/// decks, ported numbers, and the routing records.
public struct Provisioning: Sendable {
    public let store: Store
    /// The clock every service here reads.
    public let clock: WallClock
    public let accounts: AccountDirectory
    public let numbers: NumberInventory
    public let trunks: TrunkDirectory
    public let reference: ReferenceData
    public let carriers: CarrierDirectory
    public let rateDecks: RateDecks
    public let portedNumbers: PortedNumbers
    public let routingRecords: RoutingRecords
    public let blockedDestinations: BlockedDestinations
    public let emergencyAddresses: EmergencyAddresses
    public let networkLRNs: NetworkLRNs

    public init(store: Store, numbers configuration: NumberInventory.Configuration = .init(), clock: WallClock) {
        self.store = store
        self.clock = clock
        self.accounts = AccountDirectory(store: store, clock: clock)
        self.numbers = NumberInventory(store: store, configuration: configuration, clock: clock)
        self.trunks = TrunkDirectory(store: store, clock: clock)
        self.reference = ReferenceData(store: store, clock: clock)
        self.carriers = CarrierDirectory(store: store, clock: clock)
        self.rateDecks = RateDecks(store: store, clock: clock)
        self.portedNumbers = PortedNumbers(store: store, clock: clock)
        self.routingRecords = RoutingRecords(store: store, clock: clock)
        self.blockedDestinations = BlockedDestinations(store: store, clock: clock)
        self.emergencyAddresses = EmergencyAddresses(store: store, clock: clock)
        self.networkLRNs = NetworkLRNs(store: store, clock: clock)
    }
}

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

extension PeriodicService {
    /// Expires reservations and returns aged numbers to stock, every 15 seconds.
    public static func lifecycleSweeper(numbers: NumberInventory, interval: Duration = .seconds(15), logger: Logger) -> PeriodicService {
        PeriodicService("number lifecycle sweep", every: interval, logger: logger) {
            let counts = try await numbers.sweep()
            if counts.expired + counts.reclaimed > 0 {
                logger.info("number lifecycle sweep", metadata: ["expired": "\(counts.expired)", "reclaimed": "\(counts.reclaimed)"])
            }
        }
    }
}
