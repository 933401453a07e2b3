import Foundation

/// Where Tandem reads the time of day: every decision that depends on the date (a reservation expiring, a port's
/// due date, a cutover window, a certificate's validity, a record's timestamp) asks a `WallClock` it was given.
///
/// The process reads the system's clock in one place, ``system``; tests and simulations give each fixture one clock
/// of their own (``fixed(at:)``, or any closure), so that what a test decides does not change with the day it runs.
/// Durations (timeouts, rate limits, how long a build took) are measured with a monotonic clock
/// (`ContinuousClock`, `NIODeadline`) instead: those do not jump when the time of day is set.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock that reads the time from `read`.
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The current time.
    public func now() -> Date {
        read()
    }

    /// The current time in whole seconds since 1970, as Tandem stores times.
    public func unixSeconds() -> Int64 {
        now().unixSeconds
    }

    /// The current time in whole milliseconds since 1970.
    public func unixMilliseconds() -> Int64 {
        now().unixMilliseconds
    }

    /// The system's clock: the only place Tandem reads the time of day from the operating system.
    public static let system = WallClock { Date() }

    /// A clock that always answers `date`.
    public static func fixed(at date: Date) -> WallClock {
        WallClock { date }
    }
}

extension Date {
    /// Whole seconds since 1970, as stored in the database.
    public var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }

    /// Whole milliseconds since 1970, rounded down.
    public var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1_000).rounded(.down)) }

    /// The ISO 8601 date-time `text` (`2026-12-08T14:03:07Z`), with or without a fraction of a second
    /// (`2026-12-08T14:03:07.250Z`); `nil` when it is not one.
    public init?(iso8601 text: String) {
        guard let date = (try? Date(text, strategy: .iso8601))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        else { return nil }
        self = date
    }

    /// The time `unixSeconds` whole seconds after 1970.
    public init(unixSeconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(unixSeconds))
    }
}
