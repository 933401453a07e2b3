/// Errors raised by the storage layer itself (not by the SQL a caller runs).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `--database` argument could not be understood.
    case invalidLocation(String)
    /// The database holds a schema version newer than this build knows.
    case schemaTooNew(found: Int, known: Int)
    /// The store was used after it was closed.
    case closed
    /// The database server could not be reached, refused the connection, or failed its certificate check.
    case unreachable(String)

    public var description: String {
        switch self {
        case .invalidLocation(let reason): "invalid database location: \(reason)"
        case .schemaTooNew(let found, let known):
            "the database schema is at version \(found) but this build of Tandem knows only up to \(known); upgrade Tandem"
        case .closed: "the store is closed"
        case .unreachable(let reason): reason
        }
    }
}
