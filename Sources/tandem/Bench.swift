import ArgumentParser
import Foundation
import Inventory
import Logging
import Platform
import Schema
import SQLKit
import Store
import Telephony
import Timekeeping

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Tandem on this machine.",
        subcommands: [Search.self, CDRs.self]
    )

    /// Fills a database with a large inventory, then times searches of available numbers by kind.
    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time number searches (NPA-NXX, rate center, digit patterns) over a large inventory.",
            discussion: """
                Builds the inventory on first use (synthetic reference data, whole exchanges of 10,000 numbers, \
                about a third of them assigned), then runs each kind of search --queries times with random \
                arguments and prints p50, p90, p99 and max latencies in milliseconds.
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Numbers in the inventory (rounded up to whole exchanges of 10,000).")
        var numbers = 5_000_000

        @Option(help: "Searches of each kind.")
        var queries = 500

        @Option(help: "Numbers asked for per search.")
        var limit = 20

        func run() async throws {
            let location = try DatabaseLocation(parsing: database.database)
            var logger = Logger(label: "tandem.bench")
            logger.logLevel = .warning
            try await Store.withStore(location, logger: logger) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                let provisioning = Provisioning(store: store, clock: .system)
                let exchanges = try await prepare(provisioning)
                let principal = Principal(accountId: "acc_operator", role: .operatorAdmin, keyId: "bench")
                var generator = SystemRandomNumberGenerator()
                let rateCenters = Array(Set(exchanges.map { [$0.state, $0.rateCenter] }))
                let kinds: [(String, () throws -> NumberSearch)] = [
                    ("npa-nxx", { try NumberSearch(npaNXX: exchanges.randomElement(using: &generator)!.npaNXX) }),
                    ("rate center", {
                        let pick = rateCenters.randomElement(using: &generator)!
                        return try NumberSearch(rateCenter: pick[1], state: pick[0])
                    }),
                    ("contains 4 digits", { try NumberSearch(contains: Self.digits(4, &generator)) }),
                    ("ends with 4 digits", { try NumberSearch(endsWith: Self.digits(4, &generator)) }),
                    ("npa + contains 3 digits", {
                        try NumberSearch(npa: NANPCode.text(exchanges.randomElement(using: &generator)!.npa),
                                         contains: Self.digits(3, &generator))
                    }),
                ]
                say("inventory: \(numbers.formatted()) numbers in \(exchanges.count) exchanges on \(store.location)")
                say("search (limit \(limit))".padding(toLength: 28, withPad: " ", startingAt: 0)
                    + "    p50 ms    p90 ms    p99 ms    max ms   mean hits")
                for (name, make) in kinds {
                    var samples: [Double] = []
                    var hits = 0
                    for _ in 0..<queries {
                        let search = try make()
                        let started = ContinuousClock.now
                        let page = try await provisioning.numbers.search(search, page: PageRequest(limit: limit), by: principal)
                        samples.append((ContinuousClock.now - started).milliseconds)
                        hits += page.data.count
                    }
                    samples.sort()
                    func percentile(_ p: Double) -> String {
                        String(format: "%10.3f", samples[min(samples.count - 1, Int(Double(samples.count) * p))])
                    }
                    say(name.padding(toLength: 28, withPad: " ", startingAt: 0)
                        + percentile(0.5) + percentile(0.9) + percentile(0.99) + percentile(1.0)
                        + String(format: "%12.1f", Double(hits) / Double(queries)))
                }
            }
        }

        private static func digits(_ count: Int, _ generator: inout SystemRandomNumberGenerator) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
        }

        /// Stocks whole exchanges until the inventory holds `numbers`; returns the stocked exchanges.
        private func prepare(_ provisioning: Provisioning) async throws -> [ExchangeRecord] {
            let wanted = (numbers + 9_999) / 10_000
            if try await provisioning.reference.count() == 0 {
                say("loading synthetic reference data...")
                _ = try await provisioning.reference.replace(with: SyntheticNANP(exchanges: max(wanted * 2, 5_000)))
            }
            let exchanges = Array(SyntheticNANP(exchanges: max(wanted * 2, 5_000)).filter { $0.block == nil }.prefix(wanted))
            let (held, sold) = try await provisioning.numbers.counts()
            let started = ContinuousClock.now
            if held < wanted * 10_000 {
                for (index, exchange) in exchanges.enumerated().dropFirst(held / 10_000) {
                    let block = try (UInt16(0)..<10_000).map { try PhoneNumber(npa: exchange.npa, nxx: exchange.nxx, line: $0) }
                    _ = try await provisioning.numbers.add(block, actor: "bench")
                    if index % 25 == 0 {
                        say("stocked \(((index + 1) * 10_000).formatted()) numbers, \(Int((ContinuousClock.now - started).milliseconds / 1000)) s")
                    }
                }
                say("stocked \((exchanges.count * 10_000).formatted()) numbers in \(Int((ContinuousClock.now - started).milliseconds / 1000)) s")
            }
            if sold == 0 {
                // About a third of the inventory is sold, so that searches skip over rows as they would in production.
                let owner = try await provisioning.accounts.bootstrapOperator(name: "Operator")
                try await provisioning.numbers.assignSyntheticShare(to: owner.id)
            }
            return exchanges
        }
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }
}
