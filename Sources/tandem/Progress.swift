import Foundation
import Inventory
import Platform

/// Shows an import's progress on standard error: a redrawn bar with rows per second on a terminal, or a plain
/// line every few seconds when output goes to a file or a pipe.
final class ProgressDisplay {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlainReport = ContinuousClock.now
    private let label: String

    init(label: String) {
        self.label = label
    }

    func report(_ progress: ImportProgress) {
        let seconds = max(Double(progress.elapsed.components.seconds) + Double(progress.elapsed.components.attoseconds) / 1e18, 0.001)
        let rate = Int(Double(progress.rows) / seconds)
        let fraction = progress.totalBytes.map { $0 > 0 ? min(1, Double(progress.bytesRead) / Double($0)) : 1 }
        let counts = "\(progress.rows.formatted()) rows, \(rate.formatted()) rows/s, \(String(format: "%.1f", seconds)) s"
        if isTerminal {
            let width = 30
            let filled = Int((fraction ?? 0) * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let percent = fraction.map { String(format: "%3.0f%%", $0 * 100) } ?? "   "
            FileHandle.standardError.write(Data("\r\(label) \(bar) \(percent)  \(counts)\u{1B}[K".utf8))
            if progress.finished { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if progress.finished || ContinuousClock.now - lastPlainReport >= .seconds(2) {
            lastPlainReport = ContinuousClock.now
            let percent = fraction.map { String(format: " (%.0f%%)", $0 * 100) } ?? ""
            FileHandle.standardError.write(Data("\(label)\(percent): \(counts)\(progress.finished ? ", done" : "")\n".utf8))
        }
    }
}
