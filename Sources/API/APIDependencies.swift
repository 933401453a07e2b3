import Accounts
import CallRecords
import Emergency
import Guard
import Inventory
import NetworkData
import Observability
import Porting
import Routing
import RoutingFeed
import Store
import Timekeeping
import Webhooks

/// Everything the HTTP API serves from, in one value with nothing defaulted: the executable builds it from the
/// services it runs, and a test from the ones it means to exercise.
public struct APIDependencies: Sendable {
    /// The store `/health` asks for its schema version.
    public var store: Store
    public var clock: WallClock
    public var accounts: AccountDirectory
    public var numbers: NumberInventory
    public var trunks: TrunkDirectory
    public var reference: ReferenceData
    public var carriers: CarrierDirectory
    public var rateDecks: RateDecks
    public var blockedDestinations: BlockedDestinations
    public var emergencyAddresses: EmergencyAddresses
    public var emergencyBindings: EmergencyBindings
    public var networkLRNs: NetworkLRNs
    public var routingRecords: RoutingRecords
    /// The switches' CDRs, rated.
    public var cdrs: CallDetailRecords
    /// The channels each trunk has in use, which the switches' call events and CDRs give back.
    public var channels: ChannelCounter
    /// Port-in orders, sent to the losing carrier's partner this value was built with.
    public var portOrders: PortOrders
    public var portOuts: PortOuts
    /// Webhook endpoints, checked against the URL policy this value was built with.
    public var webhookEndpoints: WebhookEndpoints
    /// The routing snapshot `route explain` and the routes API read.
    public var routing: RoutingTable
    /// What `/metrics` serves.
    public var metrics: TandemMetrics
    /// The certificate chain published at ``signingChainPath``; `nil` when Tandem signs no calls.
    public var signingChain: String?

    /// Takes the provisioning services from `provisioning` and the rest as given.
    public init(
        provisioning: Provisioning, routing: RoutingTable, routingRecords: RoutingRecords, cdrs: CallDetailRecords,
        channels: ChannelCounter, metrics: TandemMetrics,
        portOrders: PortOrders, portOuts: PortOuts, webhookEndpoints: WebhookEndpoints, signingChain: String?
    ) {
        self.store = provisioning.store
        self.clock = provisioning.clock
        self.accounts = provisioning.accounts
        self.numbers = provisioning.numbers
        self.trunks = provisioning.trunks
        self.reference = provisioning.reference
        self.carriers = provisioning.carriers
        self.rateDecks = provisioning.rateDecks
        self.blockedDestinations = provisioning.blockedDestinations
        self.emergencyAddresses = provisioning.emergencyAddresses
        self.emergencyBindings = provisioning.emergencyBindings
        self.networkLRNs = provisioning.networkLRNs
        self.routingRecords = routingRecords
        self.cdrs = cdrs
        self.channels = channels
        self.portOrders = portOrders
        self.portOuts = portOuts
        self.webhookEndpoints = webhookEndpoints
        self.routing = routing
        self.metrics = metrics
        self.signingChain = signingChain
    }
}
