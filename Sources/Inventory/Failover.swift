import Platform
import Routing
import SQLKit
import Store
import Telephony

// MARK: - Failover targets

extension NumberInventory {
    /// The most failover targets a number may have.
    public static let maximumFailoverTargets = 5

    /// A number's failover targets, in order. Its owner and the operator may read them.
    public func failover(of number: PhoneNumber, by principal: Principal) async throws -> [FailoverTarget] {
        try principal.requireCustomerOrOperator()
        return try await store.read { database in
            _ = try await visibleRecord(number, principal, in: database)
            return try await Self.failoverTargets(of: number, in: database)
        }
    }

    /// Replaces a number's failover targets (an empty list removes them). Routing tries them, in order,
    /// after the hosts of the number's trunk.
    ///
    /// The number must be assigned to the caller's account. A trunk target must be one of the same
    /// account's; a number target must be a geographic or toll-free NANP number other than this one. Any
    /// bad target refuses the whole list and changes nothing.
    public func setFailover(
        of number: PhoneNumber, to targets: [FailoverTarget], by principal: Principal
    ) async throws -> [FailoverTarget] {
        try principal.requireWrite()
        try principal.requireCustomerOrOperator()
        guard targets.count <= Self.maximumFailoverTargets else {
            throw ServiceError.invalid("targets", "at most \(Self.maximumFailoverTargets) failover targets")
        }
        guard Set(targets).count == targets.count else {
            throw ServiceError.invalid("targets", "a failover target is listed twice")
        }
        return try await store.transaction { database in
            let record = try await visibleRecord(number, principal, forUpdate: true, in: database)
            guard record.status == .assigned, let account = record.accountId else {
                throw ServiceError(.conflict, "only an assigned number routes calls; this one is \(record.status.rawValue)")
            }
            for (index, target) in targets.enumerated() {
                try await Self.validate(target, at: index, for: number, account: account, in: database)
            }
            try await database.raw("DELETE FROM number_failover WHERE tn = \(bind: number.national)").run()
            for (position, target) in targets.enumerated() {
                let (trunk, forward): (String?, String?) = switch target {
                case .trunk(let id): (id, nil)
                case .number(let forward): (nil, forward.national)
                }
                try await database.raw("""
                    INSERT INTO number_failover (tn, position, target_trunk, target_number)
                    VALUES (\(bind: number.national), \(bind: position), \(bind: trunk), \(bind: forward))
                    """).run()
            }
            try await RoutingEpoch.bump(in: database)
            return targets
        }
    }

    private static func validate(
        _ target: FailoverTarget, at index: Int, for number: PhoneNumber, account: String, in database: any SQLDatabase
    ) async throws {
        let field = "targets[\(index)]"
        switch target {
        case .trunk(let id):
            let owner = try await database.raw("SELECT account_id FROM trunks WHERE id = \(bind: id)\(database.forShare)")
                .first()?.decode(column: "account_id", as: String.self)
            guard owner == account else { throw ServiceError.invalid(field, "trunk \(id) is not one of the account's trunks") }
        case .number(let forward):
            guard forward != number else { throw ServiceError.invalid(field, "a number cannot fail over to itself") }
            switch DialedNumber(classifying: forward.e164) {
            case .geographic, .tollFree:
                break
            case .premium:
                throw ServiceError.invalid(field, "calls may not be forwarded to premium-rate (900) numbers")
            default:
                throw ServiceError.invalid(field, "\(forward.e164) is rated as international; forward to US and Canadian numbers only")
            }
        }
    }

    /// The failover targets of one number, in order.
    static func failoverTargets(of number: PhoneNumber, in database: any SQLDatabase) async throws -> [FailoverTarget] {
        try await database.raw("""
            SELECT target_trunk, target_number FROM number_failover WHERE tn = \(bind: number.national) ORDER BY position
            """).all().map(failoverTarget)
    }

    /// Every number's failover targets, in order, for the routing snapshot.
    package static func allFailoverTargets(in database: any SQLDatabase) async throws -> [UInt64: [FailoverTarget]] {
        var targets: [UInt64: [FailoverTarget]] = [:]
        for row in try await database.raw("SELECT tn, target_trunk, target_number FROM number_failover ORDER BY tn, position").all() {
            targets[try row.phoneNumber().digits, default: []].append(try failoverTarget(row))
        }
        return targets
    }

    private static func failoverTarget(_ row: any SQLRow) throws -> FailoverTarget {
        if let trunk = try row.decode(column: "target_trunk", as: String?.self) { return .trunk(trunk) }
        let text = try row.decode(column: "target_number", as: String.self)
        return .number(try PhoneNumber(parsing: text))
    }
}
