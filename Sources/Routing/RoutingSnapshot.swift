import Telephony

/// Everything routing needs, compiled from the store into immutable, lookup-ready tables.
///
/// A snapshot never changes once built. Provisioning changes produce a new snapshot that replaces the old
/// one atomically; a decision in flight keeps the snapshot it started with. Building one is the slow part
/// (it is done off the hot path); reading one takes no lock and does no I/O.
public struct RoutingSnapshot: Sendable {
    /// Increases with every rebuild; shown in metrics and in explanations.
    public let version: UInt64
    /// The routing epoch of the store this snapshot was compiled from.
    public let epoch: Int64
    let trunks: [String: CompiledTrunk]
    /// Carriers by id, shared by reference so that a decision reads one without copying it.
    let carriers: [CompiledCarrier]
    /// What rating needs of each carrier, beside `carriers`: plain values, read without reference counting.
    let carrierRating: [CarrierRating]
    let sources: SourceTable

    /// Whether `address` is a trunk's or a carrier's source: a peer whose calls are routed, not refused.
    public func isKnownSource(_ address: IPAddress) -> Bool {
        sources.source(for: address) != nil
    }
    let numbers: [UInt64: NumberRoute]
    let emergency: EmergencyRoute?
    let carrierRates: CarrierRates
    /// Customers' sell rates by account (each trunk also holds its account's).
    let customerDecks: [String: RateDeck]
    /// Per slot of `carrierRates`: whether its carrier's "intrastate" column applies only within a LATA.
    let intraMeansLATA: [Bool]
    let ported: PortedNumberTable
    let locations: ExchangeLocations
    /// Destinations outbound calls may not reach.
    let blocks: DestinationBlocks
    /// The most Contacts an outbound redirect lists.
    let maximumRoutes: Int

    /// Compiles a snapshot from provisioned data.
    public init(
        version: UInt64, epoch: Int64, trunks: [TrunkRoute], numbers: [NumberRoute], emergency: EmergencyRoute?,
        carriers: [CarrierRoute] = [], carrierRates: CarrierRates = .empty, customerDecks: [String: RateDeck] = [:],
        ported: PortedNumberTable = PortedNumberTable([]), locations: ExchangeLocations = ExchangeLocations(),
        blocks: DestinationBlocks = DestinationBlocks(), maximumRoutes: Int = 5
    ) {
        self.version = version
        self.epoch = epoch
        let compiled = trunks.map { CompiledTrunk(route: $0, plan: customerDecks[$0.accountId]) }
        self.trunks = Dictionary(compiled.map { ($0.route.id, $0) }, uniquingKeysWith: { first, _ in first })
        let sorted = carriers.sorted { $0.id < $1.id }
        self.carriers = sorted.map(CompiledCarrier.init)
        self.carrierRating = sorted.map {
            CarrierRating(active: $0.active, priority: $0.priority, slot: carrierRates.slot(of: $0.id))
        }
        self.sources = SourceTable(trunks: compiled, carriers: carriers)
        self.numbers = Dictionary(numbers.map { ($0.number.digits, $0) }, uniquingKeysWith: { first, _ in first })
        self.emergency = emergency
        self.carrierRates = carrierRates
        self.customerDecks = customerDecks
        var intraMeansLATA = [Bool](repeating: false, count: carrierRates.slotCount)
        for (carrier, rating) in zip(sorted, carrierRating) {
            if let slot = rating.slot { intraMeansLATA[slot] = carrier.intraMeansLATA }
        }
        self.intraMeansLATA = intraMeansLATA
        self.ported = ported
        self.locations = locations
        self.blocks = blocks
        self.maximumRoutes = maximumRoutes
    }

    /// An empty snapshot: every call is refused (unknown source) until the first real one is published.
    public static let empty = RoutingSnapshot(version: 0, epoch: -1, trunks: [], numbers: [], emergency: nil)

    /// The carriers, by id.
    public var carrierRoutes: [CarrierRoute] { carriers.map(\.route) }

    /// How many numbers, trunks, carriers and ported numbers the snapshot routes.
    public var counts: (numbers: Int, trunks: Int, carriers: Int, ported: Int) {
        (numbers.count, trunks.count, carriers.count, ported.count)
    }

    /// The trunk with this id.
    public func trunk(id: String) -> TrunkRoute? {
        trunks[id]?.route
    }

    /// One of our numbers, as routing delivers calls to it.
    public func number(_ number: PhoneNumber) -> NumberRoute? {
        numbers[number.digits]
    }

    /// Whether `trunk` may present `caller` by right: the caller is its account's own number, or in a range the
    /// trunk is authorized for. (A trunk allowed to present any number has no right to the ones it does not own.)
    public func isAuthorized(_ caller: PhoneNumber, for trunk: TrunkRoute) -> Bool {
        if numbers[caller.digits]?.accountId == trunk.accountId { return true }
        let digits = "1" + caller.national
        return trunk.callerID.allowedPrefixes.contains { digits.hasPrefix($0) }
    }
}

// MARK: - Compiled entries

/// A customer trunk as routing sees it.
public struct TrunkRoute: Sendable, Hashable {
    /// One address calls to the trunk may be sent to.
    public struct Host: Sendable, Hashable {
        public var address: String
        public var port: Int
        public var transport: String
        public var priority: Int
        public var weight: Int

        public init(address: String, port: Int, transport: String, priority: Int, weight: Int) {
            self.address = address
            self.port = port
            self.transport = transport
            self.priority = priority
            self.weight = weight
        }
    }

    /// Which calling numbers the trunk may present.
    public struct CallerIDRule: Sendable, Hashable {
        /// Any calling number is acceptable.
        public var allowAny: Bool
        /// E.164 digit prefixes (without `+`) the trunk may present besides its account's own numbers.
        public var allowedPrefixes: [String]
        /// Whether a violation refuses the call (else it is routed and flagged).
        public var rejectViolations: Bool

        public init(allowAny: Bool, allowedPrefixes: [String], rejectViolations: Bool) {
            self.allowAny = allowAny
            self.allowedPrefixes = allowedPrefixes
            self.rejectViolations = rejectViolations
        }
    }

    /// How the trunk's calls are signed (STIR/SHAKEN).
    public struct Signing: Sendable, Hashable {
        public enum Mode: Sendable, Hashable {
            case all
            case unsignedOnly
            case never
        }

        public var mode: Mode
        public var international: Bool
        /// The trunk passes on calls from elsewhere: gateway attestation.
        public var passesOnCalls: Bool
        /// The SHAKEN origination identifier of the trunk's calls.
        public var originIdentifier: String
        /// The customer's verified display name, for Rich Call Data.
        public var verifiedName: String?

        public init(mode: Mode = .all, international: Bool = false, passesOnCalls: Bool = false, originIdentifier: String = "",
                    verifiedName: String? = nil) {
            self.mode = mode
            self.international = international
            self.passesOnCalls = passesOnCalls
            self.originIdentifier = originIdentifier
            self.verifiedName = verifiedName
        }
    }

    public var id: String
    public var accountId: String
    /// Whether the account may place calls (suspended accounts may still call 911).
    public var accountActive: Bool
    public var hosts: [Host]
    public var sources: [CIDRBlock]
    public var callerID: CallerIDRule
    /// New calls per second the trunk may place (0: no limit). Emergency calls are never limited.
    public var maxCallsPerSecond: Int
    /// Calls the trunk may have up at once, both ways (0: no limit). Emergency calls are never limited.
    public var maxChannels: Int
    public var signing: Signing

    public init(
        id: String, accountId: String, accountActive: Bool, hosts: [Host], sources: [CIDRBlock], callerID: CallerIDRule,
        maxCallsPerSecond: Int = 0, maxChannels: Int = 0, signing: Signing = Signing()
    ) {
        self.id = id
        self.accountId = accountId
        self.accountActive = accountActive
        self.hosts = hosts
        self.sources = sources
        self.callerID = callerID
        self.maxCallsPerSecond = maxCallsPerSecond
        self.maxChannels = maxChannels
        self.signing = signing
    }
}

/// An upstream carrier as routing sees it.
public struct CarrierRoute: Sendable, Hashable {
    /// A gateway outbound calls are sent to.
    public struct Gateway: Sendable, Hashable {
        public var address: String
        public var port: Int
        public var transport: String

        public init(address: String, port: Int = 5060, transport: String = "udp") {
            self.address = address
            self.port = port
            self.transport = transport
        }
    }

    public var id: String
    public var name: String
    /// Whether the carrier takes calls (a carrier marked down is skipped).
    public var active: Bool
    /// Lower is preferred between carriers of equal cost.
    public var priority: Int
    /// Whether the carrier's "intrastate" rate applies only within a LATA.
    public var intraMeansLATA: Bool
    public var gateways: [Gateway]
    /// Where the carrier's inbound calls come from.
    public var sources: [CIDRBlock]

    public init(
        id: String, name: String, active: Bool = true, priority: Int = 100, intraMeansLATA: Bool = false,
        gateways: [Gateway], sources: [CIDRBlock] = []
    ) {
        self.id = id
        self.name = name
        self.active = active
        self.priority = priority
        self.intraMeansLATA = intraMeansLATA
        self.gateways = gateways
        self.sources = sources
    }
}

/// A trunk with its account's rate plan, shared by reference so that a decision reads it without copying.
final class CompiledTrunk: Sendable {
    let route: TrunkRoute
    /// The account's sell rates; `nil` when it has no plan (outbound calls are then refused).
    let plan: RateDeck?

    init(route: TrunkRoute, plan: RateDeck?) {
        self.route = route
        self.plan = plan
    }
}

/// A carrier, shared by reference by the snapshot's decisions.
final class CompiledCarrier: Sendable {
    let route: CarrierRoute

    init(_ route: CarrierRoute) {
        self.route = route
    }
}

/// What rating reads of a carrier for every outbound call.
struct CarrierRating: Sendable {
    var active: Bool
    var priority: Int
    /// The carrier's deck in the snapshot's `CarrierRates`; `nil` when it has none.
    var slot: Int?
}

/// One of our numbers: who owns it and where calls to it go.
public struct NumberRoute: Sendable, Hashable {
    public var number: PhoneNumber
    public var accountId: String
    /// The trunk calls are delivered to; `nil` when the owner has not pointed the number anywhere yet.
    public var trunkId: String?
    /// Where calls go when the trunk cannot take them (or when there is none), in order.
    public var failover: [FailoverTarget]
    /// The validated address 911 calls from the number report; `nil` when the number has none.
    public var emergencyLocation: EmergencyLocation?
    /// Whether the owner's account is active: a suspended account's calls are not forwarded out at its expense.
    public var accountActive: Bool
    /// The number's caller name (CNAM), delivered with its calls.
    public var callerName: String?
    /// Where calls go first while a port-in's cutover lasts: the number's old path, at the losing carrier.
    public var cutoverForward: CutoverForward?

    public init(
        number: PhoneNumber, accountId: String, trunkId: String?, failover: [FailoverTarget] = [],
        emergencyLocation: EmergencyLocation? = nil, accountActive: Bool = true, callerName: String? = nil,
        cutoverForward: CutoverForward? = nil
    ) {
        self.callerName = callerName
        self.cutoverForward = cutoverForward
        self.number = number
        self.accountId = accountId
        self.trunkId = trunkId
        self.failover = failover
        self.emergencyLocation = emergencyLocation
        self.accountActive = accountActive
    }
}

/// A ported-in number's calls sent back to the losing carrier's switch for a while after activation, so that
/// they keep ringing where the customer's phones still are until the cutover to the new trunk is done.
public struct CutoverForward: Sendable, Hashable {
    /// The routing number of the old path: the LRN the number had before it was ported in, or `nil` when it
    /// was served natively by its exchange (the call then routes on the number itself).
    public var oldLRN: PhoneNumber?
    /// When forwarding stops, in Unix seconds; from then on calls go to the trunk.
    public var until: Int64

    public init(oldLRN: PhoneNumber?, until: Int64) {
        self.oldLRN = oldLRN
        self.until = until
    }
}

/// A number's validated E911 address, as 911 calls carry it.
public struct EmergencyLocation: Sendable, Hashable {
    /// The stored address's id, by which the provider dereferences the full civic address.
    public var addressId: String
    /// The address on one line.
    public var line: String
    public var esn: String
    public var psap: String

    public init(addressId: String, line: String, esn: String, psap: String) {
        self.addressId = addressId
        self.line = line
        self.esn = esn
        self.psap = psap
    }
}

/// A place calls to a number go after its trunk's hosts: another trunk of the owner's, or another number
/// (one of ours, delivered to its trunk, or any NANP number, reached through the carriers at the owner's rates).
///
/// In JSON: `{"trunk_id": "trk_..."}` or `{"number": "+1..."}`.
public enum FailoverTarget: Sendable, Hashable, Codable {
    case trunk(String)
    case number(PhoneNumber)

    private enum CodingKeys: String, CodingKey {
        case trunkId, number
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch (try container.decodeIfPresent(String.self, forKey: .trunkId),
                try container.decodeIfPresent(PhoneNumber.self, forKey: .number)) {
        case (let trunk?, nil): self = .trunk(trunk)
        case (nil, let number?): self = .number(number)
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: container.codingPath, debugDescription: "a failover target names either a trunk_id or a number"
            ))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .trunk(let id): try container.encode(id, forKey: .trunkId)
        case .number(let number): try container.encode(number, forKey: .number)
        }
    }
}

/// Where 911 and 933 calls go.
public struct EmergencyRoute: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var transport: String

    public init(host: String, port: Int = 5060, transport: String = "udp") {
        self.host = host
        self.port = port
        self.transport = transport
    }
}

// MARK: - Source lookup

/// Who sent a request: a customer trunk or an upstream carrier.
enum RequestSource: Sendable {
    case trunk(CompiledTrunk)
    case carrier(String)
}

/// Finds who a request comes from by its source address: exact host entries in one hash table, then one
/// hash table per CIDR prefix length, from the most specific to the least, so a lookup costs a few hash
/// probes however many trunks there are. Trunks win over carriers on the same address.
struct SourceTable: Sendable {
    private struct Level: Sendable {
        var prefixLength: Int
        var isV4: Bool
        var networks: [IPAddress: RequestSource]
    }

    private var hosts: [IPAddress: RequestSource] = [:]
    private var levels: [Level] = []

    init(trunks: [CompiledTrunk], carriers: [CarrierRoute]) {
        var levels: [String: Level] = [:]
        let entries = trunks.sorted { $0.route.id < $1.route.id }.map { (RequestSource.trunk($0), $0.route.sources) }
            + carriers.sorted { $0.id < $1.id }.map { (RequestSource.carrier($0.id), $0.sources) }
        for (source, blocks) in entries {
            for block in blocks {
                if block.prefixLength == block.address.bitWidth {
                    if hosts[block.address] == nil { hosts[block.address] = source }
                } else {
                    let key = "\(block.address.isV4)/\(block.prefixLength)"
                    var level = levels[key] ?? Level(prefixLength: block.prefixLength, isV4: block.address.isV4, networks: [:])
                    if level.networks[block.address] == nil { level.networks[block.address] = source }
                    levels[key] = level
                }
            }
        }
        self.levels = levels.values.sorted { $0.prefixLength > $1.prefixLength }
    }

    func source(for address: IPAddress) -> RequestSource? {
        if let source = hosts[address] { return source }
        let isV4 = address.isV4
        for level in levels where level.isV4 == isV4 {
            if let source = level.networks[CIDRBlock.masked(address, prefixLength: level.prefixLength)] { return source }
        }
        return nil
    }
}
