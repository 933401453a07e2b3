import Accounts
import Platform

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
