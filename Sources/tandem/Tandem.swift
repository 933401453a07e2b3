import ArgumentParser
import Foundation
import Telephony

@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Tandem: the routing, numbering and provisioning engine behind business SIP trunks.",
        subcommands: [Serve.self, Route.self, Import.self, Carriers.self, Demo.self, Keys.self, IdentityCommand.self, Bench.self]
    )
}

/// Options every command that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "A SQLite file path or a postgres://user:password@host:port/database URL.")
    var database = "./tandem.db"
}

/// A `HOST:PORT` pair from the command line.
struct Endpoint: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the host is a loopback address (127.0.0.0/8, ::1) or `localhost`, reachable from this machine only.
    var isLoopback: Bool {
        if HostName.isLoopbackName(host) { return true }
        guard let address = IPAddress(host) else { return false }
        return address == IPAddress("::1") || CIDRBlock("127.0.0.0/8")!.contains(address)
    }
}

/// Writes a line to standard output at once (unbuffered), so the banner and keys show immediately even when
/// output goes to a pipe or a log file.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
