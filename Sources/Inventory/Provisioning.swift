import Accounts
import Emergency
import Logging
import NetworkData
import Platform
import ServiceLifecycle
import Store
import Timekeeping

/// The provisioning services over one store, made with one clock: accounts and keys, numbers, trunks, reference
/// data, carriers, rate decks, ported numbers, blocked destinations, E911 addresses and bindings, and our LRNs.
/// The executable and the tests build it once and take from it the services they wire.
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
    public let blockedDestinations: BlockedDestinations
    public let emergencyAddresses: EmergencyAddresses
    public let emergencyBindings: EmergencyBindings
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
        self.blockedDestinations = BlockedDestinations(store: store, clock: clock)
        self.emergencyAddresses = EmergencyAddresses(store: store, clock: clock)
        self.emergencyBindings = EmergencyBindings(store: store, clock: clock)
        self.networkLRNs = NetworkLRNs(store: store, clock: clock)
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
