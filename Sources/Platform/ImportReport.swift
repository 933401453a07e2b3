/// How far an import has come, for progress displays.
public struct ImportProgress: Sendable {
    public var rows: Int
    public var bytesRead: Int64
    /// The file's size, when known.
    public var totalBytes: Int64?
    public var elapsed: Duration
    /// Whether the import is finished (the last report of a run).
    public var finished: Bool

    package init(rows: Int, bytesRead: Int64, totalBytes: Int64?, elapsed: Duration, finished: Bool) {
        self.rows = rows
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.elapsed = elapsed
        self.finished = finished
    }
}

/// Why an import changed nothing.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    /// Most bad rows an import lists (it counts them all).
    public static let maximumReportedErrors = 100

    /// A bad row: its line in the file and what is wrong with it.
    public struct RowError: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }

        package init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    /// Bad rows, up to ``maximumReportedErrors``.
    public var rowErrors: [RowError]
    /// How many rows were bad in all.
    public var badRows: Int
    /// A problem with the file as a whole (unreadable, no header).
    public var fileError: String?

    package init(rowErrors: [RowError], badRows: Int, fileError: String? = nil) {
        self.rowErrors = rowErrors
        self.badRows = badRows
        self.fileError = fileError
    }

    public var description: String {
        if let fileError { return fileError }
        let listed = rowErrors.map(\.description).joined(separator: "\n")
        let more = badRows > rowErrors.count ? "\n... and \(badRows - rowErrors.count) more bad rows" : ""
        return "\(badRows) bad row\(badRows == 1 ? "" : "s"); nothing was imported\n\(listed)\(more)"
    }
}
