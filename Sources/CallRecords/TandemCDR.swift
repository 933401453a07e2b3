import Foundation
import Platform

/// Tandem's own JSON CDR, for a switch (or a script) that reports calls to `POST /v1/cdrs`: one call, with the
/// decision token from Tandem's 302 when the switch kept it. Members are `snake_case`, times ISO 8601.
public struct TandemCDR: Sendable, Codable, Hashable {
    public var callId: String
    /// The switch's own id for the record, when a Call-ID can have several (legs, forks); else the Call-ID is the key.
    public var recordId: String?
    public var setupAt: Date?
    /// `nil` (or absent) for a call nobody answered.
    public var answeredAt: Date?
    public var endedAt: Date
    /// The billable time in milliseconds; by default from the answer to the end.
    public var durationMs: Int64?
    /// The final SIP status; by default 200 for an answered call, required for one that was not.
    public var sipCode: Int?
    public var source: String?
    public var caller: String
    public var dialed: String
    /// The Contact from Tandem's 302 the call went to.
    public var gateway: String
    /// Tandem's `X-Tandem-Decision` from the 302.
    public var decision: String?

    public init(
        callId: String, recordId: String? = nil, setupAt: Date? = nil, answeredAt: Date?, endedAt: Date, durationMs: Int64? = nil,
        sipCode: Int? = nil, source: String? = nil, caller: String, dialed: String, gateway: String, decision: String?
    ) {
        self.callId = callId
        self.recordId = recordId
        self.setupAt = setupAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.sipCode = sipCode
        self.source = source
        self.caller = caller
        self.dialed = dialed
        self.gateway = gateway
        self.decision = decision
    }

    /// The call as Tandem stores it, or why it cannot be: a started second is billed whole.
    public func record() throws(CDRLineError) -> CallDetailRecord {
        func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000).rounded()) }
        let answered = answeredAt.map(ms)
        let ended = ms(endedAt)
        guard let code = sipCode ?? (answered == nil ? nil : 200) else {
            throw CDRLineError("sip_code is required for a call without answered_at")
        }
        if answered != nil, !(200...299).contains(code) { throw CDRLineError("sip_code \(code) is not an answer, but answered_at is set") }
        if answered == nil, (200...299).contains(code) { throw CDRLineError("sip_code \(code) is an answer, but answered_at is missing") }
        guard let started = answered ?? setupAt.map(ms) else {
            throw CDRLineError("a call without answered_at needs setup_at")
        }
        let duration = answered == nil ? 0 : durationMs ?? (ended - started)
        if answered == nil, let durationMs, durationMs != 0 { throw CDRLineError("duration_ms is set, but the call was not answered") }
        return try CallDetailRecord(
            format: .tandem, key: recordId ?? callId, callID: callId, setupAt: setupAt.map(ms), answeredAt: answered,
            startedAt: started, endedAt: ended, durationMs: duration, billableSeconds: (max(duration, 0) + 999) / 1_000,
            sipCode: code, source: source ?? "", caller: caller, dialed: dialed, gateway: gateway, decision: decision
        ).validated()
    }
}

extension CallDetailRecord.Format {
    /// One line of a file in this format, as Tandem stores it: a reference SBC CDR line (`kamailio`), one JSON object
    /// a line (`tandem`), a mod_json_cdr document on one line (`freeswitch-json`), a `Master.csv` line
    /// (`freeswitch-csv`, `asterisk`). `timeZone` is the switch's, which the last two write their times in without
    /// saying (UTC by default; Asterisk's `usegmtime`); the other formats' times carry their zone.
    public func record(fromLine line: ArraySlice<UInt8>, timeZone: TimeZone = .gmt) throws(CDRLineError) -> CallDetailRecord {
        switch self {
        case .freeswitchJSON:
            return try FreeSWITCHJSONCDR(document: line).record.validated()
        case .freeswitchCSV:
            return try FreeSWITCHCSVCDR(line: line, timeZone: timeZone).record.validated()
        case .asterisk:
            return try AsteriskCDR(line: line, timeZone: timeZone).record.validated()
        case .kamailio:
            return try KamailioCDR(line: line).record.validated()
        case .tandem:
            guard line.count <= KamailioCDR.maximumLineBytes else {
                throw CDRLineError("the line is longer than \(KamailioCDR.maximumLineBytes) bytes")
            }
            let cdr: TandemCDR
            do {
                cdr = try JSONDecoder.tandem.decode(TandemCDR.self, from: Data(line))
            } catch {
                throw CDRLineError(TandemCDR.reason(error))
            }
            return try cdr.record()
        }
    }
}

extension TandemCDR {
    /// A decoding error in a phrase naming the member at fault.
    public static func reason(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a JSON CDR" }
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .replacing(/([a-z])([A-Z])/) { "\($0.1)_\($0.2.lowercased())" }
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "not a JSON CDR"
        }
    }
}
