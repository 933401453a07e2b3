import CallRecords
import CompressNIO
import Foundation
import NIOCore

/// CDRs as CSV, a page at a time, gzipped when asked: the body of `GET /v1/cdrs/export`.
struct CDRExport {
    /// The compressor of a gzipped export; `nil` for plain CSV.
    let gzip: ZlibCompressor?
    /// Whether the cost, margin, carrier and gateway columns are in: the operator's export.
    let forOperator: Bool

    /// The columns, in order.
    var columns: [String] {
        ["id", "call_id", "direction", "account_id", "trunk_id", "caller", "dialed", "destination", "jurisdiction", "setup_at",
         "answered_at", "started_at", "ended_at", "duration_ms", "billable_seconds", "sip_code", "price_status", "price", "problem"]
            + (forOperator ? ["cost_status", "cost", "margin", "carrier_id", "gateway"] : [])
    }

    mutating func header() throws -> ByteBuffer {
        try encoded(columns.joined(separator: ",") + "\r\n")
    }

    mutating func lines(_ cdrs: [StoredCDR]) throws -> ByteBuffer {
        var text = ""
        for cdr in cdrs {
            var fields = [
                cdr.id, cdr.callId, cdr.direction, cdr.accountId, cdr.trunkId, cdr.caller, cdr.dialed, cdr.destination, cdr.jurisdiction,
                cdr.setupAt.map(Self.time), cdr.answeredAt.map(Self.time), Self.time(cdr.startedAt), Self.time(cdr.endedAt),
                String(cdr.durationMs), String(cdr.billableSeconds), String(cdr.sipCode), Self.status(cdr.price),
                cdr.price.amount?.description, cdr.problem,
            ]
            if forOperator {
                fields += [cdr.cost.map(Self.status), cdr.cost?.amount?.description, cdr.margin?.description, cdr.carrierId, cdr.gateway]
            }
            text += fields.map { Self.field($0 ?? "") }.joined(separator: ",") + "\r\n"
        }
        return try encoded(text)
    }

    /// What is left of a gzipped stream (its trailer); nothing for plain CSV.
    mutating func end() throws -> ByteBuffer {
        guard let gzip else { return ByteBuffer() }
        var empty = ByteBuffer()
        var out = ByteBufferAllocator().buffer(capacity: gzip.maxSize(from: empty) + 64)
        try gzip.deflate(from: &empty, to: &out, flush: .finish)
        return out
    }

    private mutating func encoded(_ text: String) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: text)
        guard let gzip else { return buffer }
        var out = ByteBufferAllocator().buffer(capacity: gzip.maxSize(from: buffer))
        try gzip.deflate(from: &buffer, to: &out, flush: .sync)
        return out
    }

    /// `charged`, `free:emergency`, `unrated:no-rate`.
    static func status(_ side: StoredCDR.Side) -> String {
        side.reason.map { "\(side.status):\($0)" } ?? side.status
    }

    static func time(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A CSV field (RFC 4180): quoted, its quotes doubled, when it holds a comma, a quote or a line break.
    static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
