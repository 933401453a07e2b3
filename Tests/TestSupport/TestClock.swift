import Foundation
import Synchronization
import Timekeeping

/// A clock a test sets and moves by hand; hand its ``clock`` to every service of the fixture.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// A clock that starts at `start`.
    public init(_ start: Date) {
        current = Mutex(start)
    }

    /// The clock to give services: it reads this test clock's time.
    public var clock: WallClock {
        WallClock { self.current.withLock { $0 } }
    }

    /// The current time of this clock.
    public var now: Date {
        current.withLock { $0 }
    }

    /// Moves the clock to `date` (backward too).
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 += seconds }
    }
}
