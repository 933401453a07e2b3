import Foundation

/// A streaming reader of RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
///
/// Reads the file in chunks and hands out one record at a time with the line it started on, so files of
/// millions of rows use constant memory. A record longer than ``maximumRecordBytes`` (an unterminated quote,
/// usually) is an error naming its line, not an unbounded allocation.
struct CSVReader {
    /// The longest record accepted, in bytes.
    static let maximumRecordBytes = 64 * 1024

    struct Record {
        /// The 1-based line number where the record starts.
        var line: Int
        var fields: [String]
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    /// Bytes consumed from the file so far, for progress.
    private(set) var bytesRead: Int64 = 0

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure(line: 0, reason: "cannot open \(path)")
        }
        self.handle = handle
    }

    /// The next record, or `nil` at the end of the file. Blank lines are skipped.
    mutating func next() throws -> Record? {
        while true {
            guard let record = try readRecord() else { return nil }
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            return record
        }
    }

    private mutating func fill() throws -> Bool {
        if atEnd { return false }
        let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
        if chunk.isEmpty {
            atEnd = true
            try? handle.close()
            return false
        }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: chunk)
        bytesRead += Int64(chunk.count)
        return true
    }

    private mutating func readRecord() throws -> Record? {
        if position >= buffer.count, !(try fill()) { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStarted = false
        var recordBytes = 0
        while true {
            if position >= buffer.count, !(try fill()) {
                if quoted { throw Failure(line: startLine, reason: "a quoted field is not closed before the end of the file") }
                fields.append(String(decoding: field, as: UTF8.self))
                return Record(line: startLine, fields: fields)
            }
            let byte = buffer[position]
            position += 1
            recordBytes += 1
            if recordBytes > Self.maximumRecordBytes {
                throw Failure(line: startLine, reason: "the record is longer than \(Self.maximumRecordBytes) bytes")
            }
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if position >= buffer.count { _ = try fill() }
                    if position < buffer.count, buffer[position] == UInt8(ascii: "\"") {
                        field.append(byte)
                        position += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                fieldStarted = false
            case UInt8(ascii: "\n"):
                line += 1
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                fields.append(String(decoding: field, as: UTF8.self))
                return Record(line: startLine, fields: fields)
            case UInt8(ascii: "\"") where !fieldStarted && field.isEmpty:
                quoted = true
                fieldStarted = true
            default:
                field.append(byte)
                fieldStarted = true
            }
        }
    }
}
