/// A call as a switch reported it, in whichever format the switch wrote: what Tandem stores and rates. Times are
/// Unix milliseconds.
public struct CallDetailRecord: Sendable, Hashable {
    /// The formats Tandem reads.
    public enum Format: String, Sendable, Hashable, CaseIterable, Codable {
        /// The reference SBC's records (docs/sbc.md): db_flatstore lines, or acc_json's pushed objects.
        case kamailio
        /// Tandem's own JSON CDR (`POST /v1/cdrs`).
        case tandem
        /// FreeSWITCH's mod_json_cdr documents, a leg each (``FreeSWITCHJSONCDR``).
        case freeswitchJSON = "freeswitch-json"
        /// FreeSWITCH's mod_cdr_csv lines, its `default` or `example` template, optionally with Tandem's columns
        /// (``FreeSWITCHCSVCDR``).
        case freeswitchCSV = "freeswitch-csv"
        /// Asterisk's cdr_csv `Master.csv` lines (``AsteriskCDR``).
        case asterisk
    }

    public var format: Format
    /// The record's identity in its format (Kamailio: the dialog, its Call-ID and the caller's From tag; Tandem's JSON:
    /// its `record_id`, else the Call-ID). With the format and ``startedAt`` it is the key a record is stored once under.
    public var key: String
    public var callID: String
    /// When the call reached the switch, when known.
    public var setupAt: Int64?
    /// When the call was answered; `nil` for a call nobody answered.
    public var answeredAt: Int64?
    /// When the call started for billing: the answer (or the switch's confirmation of it), else the setup.
    public var startedAt: Int64
    public var endedAt: Int64
    /// The billable time, from ``startedAt`` to the end, to the millisecond.
    public var durationMs: Int64
    /// The seconds the call is billed from, as the format counts them (a started second counting whole).
    public var billableSeconds: Int64
    /// The call's final SIP status: 200 for an answered call.
    public var sipCode: Int
    /// The address the call came from.
    public var source: String
    public var caller: String
    /// What the caller dialed, as it was sent.
    public var dialed: String
    /// Where the call went: the Contact from Tandem's 302 that answered (or was tried last).
    public var gateway: String
    /// Tandem's `X-Tandem-Decision` from the 302, when the switch kept it.
    public var decision: String?

    public init(
        format: Format, key: String, callID: String, setupAt: Int64?, answeredAt: Int64?, startedAt: Int64, endedAt: Int64,
        durationMs: Int64, billableSeconds: Int64, sipCode: Int, source: String, caller: String, dialed: String,
        gateway: String, decision: String?
    ) {
        self.format = format
        self.key = key
        self.callID = callID
        self.setupAt = setupAt
        self.answeredAt = answeredAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationMs = durationMs
        self.billableSeconds = billableSeconds
        self.sipCode = sipCode
        self.source = source
        self.caller = caller
        self.dialed = dialed
        self.gateway = gateway
        self.decision = decision
    }

    /// Whether the call was answered.
    public var answered: Bool { answeredAt != nil }

    /// The longest value a text field may hold (a Call-ID, a URI, a token): a bound on what a switch can make Tandem
    /// store.
    public static let maximumFieldBytes = 2_048

    /// The fields every format must fill, checked once for all of them: non-empty where required, within
    /// ``maximumFieldBytes``, times in order, and a start no earlier than 2000 (a zero or a misread clock).
    public func validated() throws(CDRLineError) -> CallDetailRecord {
        for (name, value) in [("key", key), ("call_id", callID), ("gateway", gateway)] where value.isEmpty {
            throw CDRLineError("\(name) is empty")
        }
        for (name, value) in [
            ("key", key), ("call_id", callID), ("source", source), ("caller", caller), ("dialed", dialed), ("gateway", gateway),
            ("decision", decision ?? ""),
        ] where value.utf8.count > Self.maximumFieldBytes {
            throw CDRLineError("\(name) is longer than \(Self.maximumFieldBytes) bytes")
        }
        guard startedAt >= Self.earliest else { throw CDRLineError("the call starts before 2000") }
        guard endedAt >= startedAt else { throw CDRLineError("the call ends before it starts") }
        if let setupAt, let answeredAt, answeredAt < setupAt { throw CDRLineError("the answer is before the setup") }
        guard (0...Self.maximumDurationMs).contains(durationMs) else { throw CDRLineError("the duration is negative or more than 30 days") }
        guard (100...699).contains(sipCode) else { throw CDRLineError("the SIP status \(sipCode) is not one") }
        return self
    }

    /// 2000-01-01T00:00:00Z, in Unix milliseconds.
    static let earliest: Int64 = 946_684_800_000
    /// Thirty days.
    static let maximumDurationMs: Int64 = 30 * 86_400_000
}

extension KamailioCDR {
    /// The call as Tandem stores it: billed from `start_time`, its duration to the millisecond. Its key is the dialog:
    /// the Call-ID and the caller's From tag (`CALL-ID;FROM-TAG`), so that two calls sharing a Call-ID are two records.
    /// The start is kept to
    /// the whole second, as the file has it, so that a call pushed as JSON (to the millisecond) and read again from
    /// the file has the same key and is stored once.
    public var record: CallDetailRecord {
        CallDetailRecord(
            format: .kamailio, key: fromTag.isEmpty ? callID : "\(callID);\(fromTag)", callID: callID,
            setupAt: Int64((setupAt * 1_000).rounded()),
            answeredAt: Int64((answeredAt * 1_000).rounded()), startedAt: Int64(startedAt.rounded(.down)) * 1_000,
            endedAt: Int64((endedAt * 1_000).rounded()),
            durationMs: Int64((duration * 1_000).rounded()), billableSeconds: billableSeconds, sipCode: 200, source: source,
            caller: caller, dialed: dialed, gateway: gateway, decision: decision
        )
    }
}
