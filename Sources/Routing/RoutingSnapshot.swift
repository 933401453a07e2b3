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
    let trunks: [String: TrunkRoute]
    let sources: SourceTable
    let numbers: [UInt64: NumberRoute]
    let emergency: EmergencyRoute?

    /// Compiles a snapshot from provisioned data.
    public init(
        version: UInt64, epoch: Int64, trunks: [TrunkRoute], numbers: [NumberRoute], emergency: EmergencyRoute?
    ) {
        self.version = version
        self.epoch = epoch
        self.trunks = Dictionary(trunks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.sources = SourceTable(trunks)
        self.numbers = Dictionary(numbers.map { ($0.number.digits, $0) }, uniquingKeysWith: { first, _ in first })
        self.emergency = emergency
    }

    /// An empty snapshot: every call is refused (unknown source) until the first real one is published.
    public static let empty = RoutingSnapshot(version: 0, epoch: -1, trunks: [], numbers: [], emergency: nil)

    /// How many numbers and trunks the snapshot routes.
    public var counts: (numbers: Int, trunks: Int) { (numbers.count, trunks.count) }
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

    public var id: String
    public var accountId: String
    /// Whether the account may place calls (suspended accounts may still call 911).
    public var accountActive: Bool
    public var hosts: [Host]
    public var sources: [CIDRBlock]
    public var callerID: CallerIDRule

    public init(
        id: String, accountId: String, accountActive: Bool, hosts: [Host], sources: [CIDRBlock], callerID: CallerIDRule
    ) {
        self.id = id
        self.accountId = accountId
        self.accountActive = accountActive
        self.hosts = hosts
        self.sources = sources
        self.callerID = callerID
    }
}

/// One of our numbers: who owns it and where calls to it go.
public struct NumberRoute: Sendable, Hashable {
    public var number: PhoneNumber
    public var accountId: String
    /// The trunk calls are delivered to; `nil` when the owner has not pointed the number anywhere yet.
    public var trunkId: String?

    public init(number: PhoneNumber, accountId: String, trunkId: String?) {
        self.number = number
        self.accountId = accountId
        self.trunkId = trunkId
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

/// Finds the trunk a request comes from by its source address: exact host entries in one hash table, then one
/// hash table per CIDR prefix length, from the most specific to the least, so a lookup costs a few hash
/// probes however many trunks there are.
struct SourceTable: Sendable {
    private struct Level: Sendable {
        var prefixLength: Int
        var isV4: Bool
        var networks: [IPAddress: String]
    }

    private var hosts: [IPAddress: String] = [:]
    private var levels: [Level] = []

    init(_ trunks: [TrunkRoute]) {
        var levels: [String: Level] = [:]
        for trunk in trunks.sorted(by: { $0.id < $1.id }) {
            for block in trunk.sources {
                if block.prefixLength == block.address.bitWidth {
                    if hosts[block.address] == nil { hosts[block.address] = trunk.id }
                } else {
                    let key = "\(block.address.isV4)/\(block.prefixLength)"
                    var level = levels[key] ?? Level(prefixLength: block.prefixLength, isV4: block.address.isV4, networks: [:])
                    if level.networks[block.address] == nil { level.networks[block.address] = trunk.id }
                    levels[key] = level
                }
            }
        }
        self.levels = levels.values.sorted { $0.prefixLength > $1.prefixLength }
    }

    func trunk(for address: IPAddress) -> String? {
        if let trunk = hosts[address] { return trunk }
        let isV4 = address.isV4
        for level in levels where level.isV4 == isV4 {
            if let trunk = level.networks[CIDRBlock.masked(address, prefixLength: level.prefixLength)] { return trunk }
        }
        return nil
    }
}
