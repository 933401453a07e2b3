import Foundation
import Synchronization

/// A test hook: stops a file import once it has written some rows inside its transaction, before it commits.
///
/// The tests that interrupt an import (`Tests/InventoryTests/ImportInterruptionTests.swift`) must stop it at a
/// known point, with its transaction open and rows in it, not race the commit. `tandem import` turns the hook on
/// when `TANDEM_TEST_PAUSE_IMPORT_AFTER_ROWS` is set to a row count; nothing else does. Every file import
/// (``ReferenceData/importExchanges(from:progress:)``, ``RateDecks/importDeck(owner:from:progress:)``,
/// ``PortedNumbers/importLRN(from:progress:)``, ``EmergencyAddresses/importMSAG(from:progress:)``) reports each
/// write to ``rowsWritten(_:)``; once at least that many rows are written, the import writes ``marker(rows:)``
/// as a line to standard error and waits until the process is killed (or its task cancelled, which rolls the
/// import back). Unset, the hook costs a task-local read per batch written.
public struct ImportPauseHook: Sendable {
    /// The environment variable that turns the hook on: a number of rows.
    public static let environmentVariable = "TANDEM_TEST_PAUSE_IMPORT_AFTER_ROWS"

    /// The hook in force for the imports run by this task: set by `tandem import`, `nil` otherwise.
    @TaskLocal public static var current: ImportPauseHook?

    /// Rows to write before pausing; the pause comes after the write (a batch) that reaches it.
    public var afterRows: Int
    /// The rows ``rowsAdded(_:)`` has counted, across the transactions of an import that commits in batches.
    private let added = RowCount()

    /// The hook an environment asks for: `nil` when the variable is not set or is not a row count.
    public init?(environment: [String: String]) {
        guard let text = environment[Self.environmentVariable], let rows = Int(text), rows >= 0 else { return nil }
        self.afterRows = rows
    }

    /// The line a paused import writes to standard error.
    public static func marker(rows: Int) -> String {
        "import paused after \(rows) rows"
    }

    /// Called by an import inside its transaction after every write, with the rows written so far; pauses for
    /// good once they reach the hook's count.
    package static func rowsWritten(_ rows: Int) async throws {
        guard let hook = current, rows >= hook.afterRows else { return }
        FileHandle.standardError.write(Data((marker(rows: rows) + "\n").utf8))
        while true { try await Task.sleep(for: .seconds(3_600)) }
    }

    /// Called by an import that commits in batches (`tandem import cdrs`) inside each batch's transaction after every
    /// write, with the rows that write added; pauses for good once the import's rows in all reach the hook's count,
    /// so that batches before the pause are committed and the one it stops in is not.
    package static func rowsAdded(_ rows: Int) async throws {
        guard let hook = current else { return }
        try await rowsWritten(hook.added.add(rows))
    }
}

/// A running count, shared by the copies of a hook.
private final class RowCount: Sendable {
    private let count = Mutex(0)

    func add(_ rows: Int) -> Int {
        count.withLock { count in
            count += rows
            return count
        }
    }
}
