import Accounts
import ArgumentParser
import Inventory
import Logging
import Platform
import Schema
import Store
import Timekeeping

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API keys directly in the database (for bootstrap and recovery).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new API key and print it once.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The account that holds the key (default: the operator account).")
        var account: String?

        @Option(help: "operator-admin, customer-admin, customer-read, agent, partner, or switch (on the operator's account: reports CDRs and call events only).")
        var role: String = Role.operatorAdmin.rawValue

        @Option(help: "A name to recognize the key by.")
        var name = "issued by tandem keys create"

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let location = try DatabaseLocation(parsing: database.database)
            let issued = try await Store.withStore(location, logger: Logger(label: "tandem.keys")) { store in
                try await store.migrate(TandemSchema.migrations, clock: .system)
                let accounts = AccountDirectory(store: store, clock: .system)
                let operatorAccount = try await accounts.bootstrapOperator(name: "Operator")
                let principal = Principal(accountId: operatorAccount.id, role: .operatorAdmin, keyId: "cli")
                let holder = try await accounts.account(account ?? operatorAccount.id, for: principal)
                guard holder.kind == role.accountKind else {
                    throw ValidationError("a \(holder.kind.rawValue) account cannot hold \(role.rawValue) keys")
                }
                return try await accounts.issueKeyAsSystem(accountId: holder.id, role: role, name: name)
            }
            print("Issued \(issued.key.id) (\(role.rawValue)) for \(issued.key.accountId). Shown only once:")
            print(issued.secret)
        }
    }
}
