import Foundation
import Platform
import SQLKit
import Store
import Telephony
import Timekeeping

/// Where a number to port in comes from and where it lands: its losing carrier (by the exchange's or
/// block's OCN), its place, and the LRN of our switch in its LATA.
public struct PortSource: Sendable, Hashable {
    public var ocn: String
    public var company: String
    public var rateCenter: String
    public var state: String
    public var lata: String
    /// Our LRN in the number's LATA: what the ported-number table will say of it.
    public var lrn: PhoneNumber
}

extension PortSource {
    /// Where a number comes from (its exchange's or block's OCN and place) and our LRN in its LATA.
    public static func of(_ number: PhoneNumber, in database: any SQLDatabase) async throws -> Result<PortSource, ServiceError> {
        let rows = try await database.raw("""
            SELECT block, state, lata, rate_center, ocn, company FROM exchanges
            WHERE npa = \(bind: NANPCode.text(number.npa)) AND nxx = \(bind: NANPCode.text(number.nxx))
            """).all()
        let block = String(number.thousandsBlock)
        guard let row = try rows.first(where: { try $0.decode(column: "block", as: String.self) == block })
            ?? rows.first(where: { try $0.decode(column: "block", as: String.self).isEmpty })
        else {
            return .failure(.invalid("numbers", "no reference data for \(number.npaNXX.prefix(3))-\(number.npaNXX.suffix(3))"))
        }
        let lata = try row.decode(column: "lata", as: String.self)
        guard let lrn = try await database.raw("SELECT lrn FROM network_lrns WHERE lata = \(bind: lata)").first()
            .flatMap({ PhoneNumber(digits: UInt64(try $0.decode(column: "lrn", as: Int64.self))) })
        else {
            return .failure(.invalid("numbers", "we have no switch (LRN) in LATA \(lata), so \(number.e164) cannot be served"))
        }
        return .success(PortSource(
            ocn: try row.decode(column: "ocn", as: String.self), company: try row.decode(column: "company", as: String.self),
            rateCenter: try row.decode(column: "rate_center", as: String.self), state: try row.decode(column: "state", as: String.self),
            lata: lata, lrn: lrn
        ))
    }
}

/// The LRNs of our switches, one per LATA we serve: a number can be ported in only where we have one.
public struct NetworkLRNs: Sendable {
    let store: Store
    let clock: WallClock

    public init(store: Store, clock: WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Sets the LRN of a LATA (operator only). The LRN must be a number of an exchange in that LATA.
    public func set(lata: String, lrn: PhoneNumber, by principal: Principal) async throws {
        try principal.requireOperator()
        guard (3...5).contains(lata.count), lata.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ServiceError.invalid("lata", "must be 3 to 5 digits")
        }
        try await store.transaction { database in
            let exchange = try await database.raw("""
                SELECT lata FROM exchanges WHERE npa = \(bind: NANPCode.text(lrn.npa)) AND nxx = \(bind: NANPCode.text(lrn.nxx))
                """).first()
            guard try exchange?.decode(column: "lata", as: String.self) == lata else {
                throw ServiceError.invalid("lrn", "\(lrn.e164) is not in an exchange of LATA \(lata)")
            }
            try await database.raw("""
                INSERT INTO network_lrns (lata, lrn, updated_at) VALUES (\(bind: lata), \(bind: Int64(lrn.digits)), \(bind: clock.now().unixSeconds))
                ON CONFLICT (lata) DO UPDATE SET lrn = excluded.lrn, updated_at = excluded.updated_at
                """).run()
        }
    }

    /// Every LATA's LRN.
    public func all(by principal: Principal) async throws -> [String: PhoneNumber] {
        try principal.requireCustomerOrOperator()
        return try await store.read { try await Self.all(in: $0) }
    }

    /// Every LATA's LRN, read inside the caller's transaction.
    package static func all(in database: any SQLDatabase) async throws -> [String: PhoneNumber] {
        var lrns: [String: PhoneNumber] = [:]
        for row in try await database.raw("SELECT lata, lrn FROM network_lrns").all() {
            lrns[try row.decode(column: "lata", as: String.self)] = PhoneNumber(digits: UInt64(try row.decode(column: "lrn", as: Int64.self)))
        }
        return lrns
    }
}
