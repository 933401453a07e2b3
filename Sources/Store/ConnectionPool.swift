/// A fixed set of connections handed out one caller at a time, in arrival order.
///
/// SQLite connections are not safe to share between concurrent transactions, so every use leases one
/// exclusively. Waiters queue in FIFO order; nothing is ever created on demand, so the pool's size bounds
/// the number of open database handles.
actor ConnectionPool<Connection: Sendable> {
    private var idle: [Connection]
    private var waiters: [CheckedContinuation<Connection, Never>] = []

    init(_ connections: [Connection]) {
        precondition(!connections.isEmpty, "a pool needs at least one connection")
        self.idle = connections
    }

    /// Waits for a free connection and takes it.
    func lease() async -> Connection {
        if let connection = idle.popLast() {
            return connection
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Returns a leased connection to the pool or hands it straight to the next waiter.
    func giveBack(_ connection: Connection) {
        if waiters.isEmpty {
            idle.append(connection)
        } else {
            waiters.removeFirst().resume(returning: connection)
        }
    }

    /// Takes every connection out of the pool, for closing; waits for leased ones to come back.
    func drain(count: Int) async -> [Connection] {
        var drained: [Connection] = []
        while drained.count < count {
            drained.append(await lease())
        }
        return drained
    }
}
