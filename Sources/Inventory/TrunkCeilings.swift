import Accounts
import Platform
import Telephony

extension TrunkDirectory {
    /// The default limits of a new trunk, where the draft names none: 30 channels and 5 calls per second, or the
    /// account's ceiling where that is lower and a customer makes the trunk.
    static func defaultLimits(for account: Account, by principal: Principal) -> (channels: Int, callsPerSecond: Int) {
        guard !principal.isOperator else { return (30, 5) }
        return (min(30, account.trunkCeiling.maxChannels), min(5, account.trunkCeiling.maxCallsPerSecond))
    }

    /// Holds a customer to its account's ceiling (``TrunkCeiling``): a limit may be set at most to the ceiling, or
    /// kept where the operator set it higher (a customer may lower it, never raise it). The operator is not held.
    ///
    /// - Throws: `forbidden`, naming the field and the most it may be.
    static func requireWithinCeiling(
        _ trunk: Trunk, previous: Trunk?, account: Account, by principal: Principal
    ) throws(ServiceError) {
        guard !principal.isOperator else { return }
        let ceiling = account.trunkCeiling
        let callsPerSecond = max(ceiling.maxCallsPerSecond, previous?.maxCallsPerSecond ?? 0)
        guard trunk.maxCallsPerSecond <= callsPerSecond else {
            throw ServiceError(.forbidden, field: "max_calls_per_second",
                               "may be at most \(callsPerSecond), the account's ceiling; the operator can raise it")
        }
        let channels = max(ceiling.maxChannels, previous?.maxChannels ?? 0)
        guard trunk.maxChannels <= channels else {
            throw ServiceError(.forbidden, field: "max_channels",
                               "may be at most \(channels), the account's ceiling; the operator can raise it")
        }
    }
}

extension TrunkDirectory {
    /// Holds a customer's trunk hosts to the public network, unless the operator gave the account leave
    /// (``Account/privateTrunkHosts``): a trunk's hosts become the Contacts the carrier's SBC dials, so a loopback or
    /// private address would aim the SBC into the carrier's own network. Hosts the trunk already had (where the
    /// operator put them) are kept. The operator is not held.
    ///
    /// - Throws: `forbidden`, naming the host's field.
    static func requirePublicHosts(_ trunk: Trunk, previous: Trunk?, account: Account, by principal: Principal) throws(ServiceError) {
        guard !principal.isOperator, !account.privateTrunkHosts else { return }
        let kept = Set(previous?.hosts.map(\.address) ?? [])
        for (index, host) in trunk.hosts.enumerated() where !kept.contains(host.address) && namesPrivateNetwork(host.address) {
            throw ServiceError(.forbidden, field: "hosts[\(index)].address",
                               "'\(host.address)' is not a public address; the operator can allow private hosts for the account")
        }
    }

    /// Whether a valid host (``HostName/validate(_:)``) points inside a private network rather than at the public
    /// internet: an IP literal that is not publicly routable, `localhost` and names under `.localhost` (RFC 6761)
    /// or `.local` (multicast DNS, RFC 6762), and a single label, which the SBC would complete with its own
    /// search domains.
    static func namesPrivateNetwork(_ host: String) -> Bool {
        if let address = IPAddress(host) { return !address.isPubliclyRoutable }
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return HostName.isLoopbackName(name) || name.hasSuffix(".local") || !name.contains(".")
    }
}
