import Foundation
import Logging

extension Logger {
    /// The level tests log at: `TANDEM_TEST_LOG_LEVEL` (`trace` ... `critical`) when set, else warning, so that a
    /// failure is not buried in the servers' ordinary chatter.
    public static var testLevel: Logger.Level {
        ProcessInfo.processInfo.environment["TANDEM_TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
            ?? .warning
    }

    /// A logger for a test's servers and services, at ``testLevel``.
    public static func test(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = testLevel
        return logger
    }
}
