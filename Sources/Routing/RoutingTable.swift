import Atomics

/// The current routing snapshot, readable from any thread without a lock and replaced atomically.
///
/// Readers take the snapshot with one atomic load and keep using it for the whole decision, even if a new
/// one is published meanwhile; the old snapshot is freed when its last reader lets go of it.
public final class RoutingTable: Sendable {
    private final class Box: AtomicReference, Sendable {
        let snapshot: RoutingSnapshot
        let publishedAt: ContinuousClock.Instant

        init(_ snapshot: RoutingSnapshot) {
            self.snapshot = snapshot
            self.publishedAt = .now
        }
    }

    private let box: ManagedAtomic<Box>

    public init(_ snapshot: RoutingSnapshot = .empty) {
        self.box = ManagedAtomic(Box(snapshot))
    }

    /// The snapshot to route with.
    public var current: RoutingSnapshot {
        box.load(ordering: .acquiring).snapshot
    }

    /// How long ago the current snapshot was published (or the table made), for the snapshot-age metric.
    public var age: Duration {
        .now - box.load(ordering: .acquiring).publishedAt
    }

    /// Makes `snapshot` the one new decisions use.
    public func publish(_ snapshot: RoutingSnapshot) {
        box.store(Box(snapshot), ordering: .releasing)
    }
}
