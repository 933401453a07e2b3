import Foundation

/// A streaming reader of RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
///
/// Reads the file in chunks and hands out one record at a time with the line it started on, so files of
/// millions of rows use constant memory. A record longer than ``maximumRecordBytes`` (an unterminated quote,
/// usually) is an error naming its line, not an unbounded allocation.
package struct CSVReader {
    /// The longest record accepted, in bytes.
    package static let maximumRecordBytes = 64 * 1024

    package struct Record {
        /// The 1-based line number where the record starts.
        package var line: Int
        package var fields: [String]
    }

    package struct Failure: Error, CustomStringConvertible {
        package var line: Int
        package var reason: String
        package var description: String { "line \(line): \(reason)" }
    }

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var line = 1
    /// Bytes consumed from the file so far, for progress.
    package private(set) var bytesRead: Int64 = 0

    package init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure(line: 0, reason: "cannot open \(path)")
        }
        self.handle = handle
    }

    /// The next record, or `nil` at the end of the file. Blank lines are skipped.
    package mutating func next() throws -> Record? {
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

// MARK: - Import files

extension CSVReader {
    /// Opens a file to import, turning failure into the import's file error.
    package static func opening(_ path: String) throws(ImportError) -> CSVReader {
        do {
            return try CSVReader(path: path)
        } catch {
            throw ImportError(rowErrors: [], badRows: 0, fileError: "\(error)")
        }
    }

    /// Reads the header record: column names, trimmed and lowercased, with their positions.
    package mutating func header() throws(ImportError) -> CSVColumns {
        let record: Record?
        do {
            record = try next()
        } catch {
            throw ImportError(rowErrors: [], badRows: 0, fileError: "\(error)")
        }
        guard let record else { throw ImportError(rowErrors: [], badRows: 0, fileError: "the file is empty") }
        var indexes: [String: Int] = [:]
        for (index, name) in record.fields.enumerated() {
            indexes[name.trimmingCharacters(in: .whitespaces).lowercased()] = index
        }
        return CSVColumns(indexes: indexes, count: record.fields.count)
    }
}

extension CSVReader {
    /// The next record of an import, or `nil` at the end. A record that cannot be read at all (an unterminated
    /// quote, an over-long record) is counted and listed as a bad row, and ends the reading: nothing after it
    /// can be framed reliably.
    package mutating func nextRow(badRows: inout Int, errors: inout [ImportError.RowError]) throws -> Record? {
        do {
            return try next()
        } catch let failure as Failure {
            badRows += 1
            errors.append(.init(line: failure.line, reason: failure.reason))
            return nil
        }
    }
}

/// The columns of an import file, by name, as its header lists them.
package struct CSVColumns {
    package var indexes: [String: Int]
    /// How many fields the header has; every row must have as many.
    package var count: Int

    package func contains(_ name: String) -> Bool { indexes[name] != nil }

    /// Refuses a header that lacks any of `required`, naming them.
    package func require(_ required: [String]) throws(ImportError) {
        let missing = required.filter { indexes[$0] == nil }
        guard missing.isEmpty else {
            throw ImportError(
                rowErrors: [], badRows: 0,
                fileError: "line 1: the header lacks column\(missing.count == 1 ? "" : "s") "
                    + "\(missing.joined(separator: ", ")) (required: \(required.joined(separator: ", ")))"
            )
        }
    }

    /// The named field of a record, `nil` when the header has no such column.
    package func field(_ name: String, in record: CSVReader.Record) -> String? {
        guard let index = indexes[name], index < record.fields.count else { return nil }
        return record.fields[index]
    }

    /// Refuses a record whose field count differs from the header's.
    package func checkWidth(of record: CSVReader.Record) throws(ImportRowFault) {
        guard record.fields.count == count else {
            throw ImportRowFault("row", "has \(record.fields.count) fields; the header has \(count)")
        }
    }
}

/// What is wrong with one row of an import file: the column at fault and why.
package struct ImportRowFault: Error {
    package var field: String
    package var reason: String

    package init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    /// The row error to report for a row on `line`.
    package func rowError(line: Int) -> ImportError.RowError {
        ImportError.RowError(line: line, reason: "\(field): \(reason)")
    }
}
