import Foundation

/// One call as Asterisk's cdr_csv writes it to `Master.csv` (cdr/cdr_csv.c, `build_csv_record`): the ``columns``,
/// text quoted with quotes doubled, `duration` and `billsec` bare, an unset time empty; then `uniqueid` when cdr.conf's
/// `[csv]` has `loguniqueid`, and `userfield` when it has `loguserfield`.
///
/// `start`, `answer` and `end` are `YYYY-MM-DD HH:MM:SS` in Asterisk's local time, or in UTC with `usegmtime`: name the
/// zone when reading. Of 17 columns, the last is `uniqueid` when it reads as one (`[systemname-]seconds.sequence`),
/// else `userfield`.
///
/// The record: keyed by `uniqueid` when logged, else by `src`, `channel` and `start` together; the caller is `src`,
/// what was dialed `dst`; the SIP status comes from `disposition` (``Disposition/sipStatus``). `userfield` carries what
/// the operator's dialplan set with `Set(CDR(userfield)=...)`: Tandem's decision token, then optionally a space and the
/// Call-ID of the INVITE Tandem's 302 answered (`${CHANNEL(pjsip,call-id)}` of the outbound channel: without it the
/// token reads as another call's), then optionally a space and the Contact the call went to (without it the gateway is
/// `dstchannel`, a channel name no carrier's gateway matches, so the cost is unrated). Asterisk's dialplan reads a
/// response's headers only from a 200 (`PJSIP_RESPONSE_HEADER`), not from a 302: the token reaches the dialplan only
/// if something else puts it there (a proxy that follows the 302 itself and adds the header to the 200 it relays).
public struct AsteriskCDR: Sendable, Hashable {
    /// How the call ended (`ast_cdr_disp2str`).
    public enum Disposition: String, Sendable, Hashable, CaseIterable {
        case answered = "ANSWERED"
        case noAnswer = "NO ANSWER"
        case busy = "BUSY"
        case failed = "FAILED"
        case congestion = "CONGESTION"

        /// The final SIP status the disposition stands for: the statuses RFC 3398 §8.2.5 gives the ISUP causes
        /// behind each (17 user busy → 486, 19 no answer → 480, 34 no circuit → 503), and its 500 for any other
        /// cause, which Asterisk reports as FAILED.
        public var sipStatus: Int {
            switch self {
            case .answered: 200
            case .noAnswer: 480
            case .busy: 486
            case .congestion: 503
            case .failed: 500
            }
        }
    }

    /// The columns cdr_csv always writes, in order.
    public static let columns = [
        "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp", "lastdata", "start",
        "answer", "end", "duration", "billsec", "disposition", "amaflags",
    ]

    public var src: String
    public var dst: String
    public var channel: String
    public var dstchannel: String
    /// Unix milliseconds, to the second.
    public var startedAt: Int64
    public var answeredAt: Int64?
    public var endedAt: Int64
    public var billsec: Int64
    public var disposition: Disposition
    public var uniqueID: String?
    public var userField: String?
    /// `start` as written: part of the key when `uniqueid` is not logged.
    private var startText: String

    /// Parses one line (its bytes, without the line end), its times read in `timeZone`.
    public init(line: some Collection<UInt8>, timeZone: TimeZone) throws(CDRLineError) {
        try CDRLineError.checkLine(line)
        var fields = try CSVLine.fields(of: line)
        guard (16...18).contains(fields.count) else {
            throw CDRLineError("""
                \(fields.count) columns, not 16 to 18 (\(Self.columns.joined(separator: ", ")), then uniqueid and \
                userfield when logged)
                """)
        }
        let extra = Array(fields[16...])
        fields.removeLast(extra.count)
        func value(_ name: String) -> String { fields[Self.columns.firstIndex(of: name)!] }

        switch extra.count {
        case 2: (uniqueID, userField) = (extra[0], extra[1])
        case 1 where Self.isUniqueID(extra[0]): (uniqueID, userField) = (extra[0], nil)
        case 1: (uniqueID, userField) = (nil, extra[0])
        default: (uniqueID, userField) = (nil, nil)
        }
        if uniqueID?.isEmpty == true { throw CDRLineError("uniqueid is empty") }
        (src, dst, channel, dstchannel) = (value("src"), value("dst"), value("channel"), value("dstchannel"))
        startText = value("start")
        (startedAt, answeredAt, endedAt) = try LocalTime(timeZone).call(
            start: (startText, "start"), answer: (value("answer"), "answer"), end: (value("end"), "end")
        )
        _ = try LocalTime.seconds(value("duration"), column: "duration")
        billsec = try LocalTime.seconds(value("billsec"), column: "billsec")
        guard let disposition = Disposition(rawValue: value("disposition")) else {
            let known = Disposition.allCases.map(\.rawValue).joined(separator: ", ")
            throw CDRLineError("disposition \(value("disposition")) is not one of \(known)")
        }
        self.disposition = disposition
        switch (disposition, answeredAt) {
        case (.answered, nil): throw CDRLineError("disposition is ANSWERED, but answer is empty")
        case (.answered, _), (_, nil): break
        case (_, _?): throw CDRLineError("answer is set, but disposition is \(disposition.rawValue)")
        }
        if answeredAt == nil, billsec != 0 { throw CDRLineError("billsec is \(billsec), but answer is empty") }
        guard userWords.count <= 3 else {
            throw CDRLineError("userfield has more than three words (token, Call-ID, Contact)")
        }
    }

    /// The call as Tandem stores it: billed from `answer` for `billsec` seconds.
    public var record: CallDetailRecord {
        let key = uniqueID ?? "\(src)|\(channel)|\(startText)"
        let words = userWords
        return CallDetailRecord(
            format: .asterisk, key: key, callID: words.count > 1 ? words[1] : uniqueID ?? key, setupAt: startedAt,
            answeredAt: answeredAt, startedAt: answeredAt ?? startedAt, endedAt: endedAt, durationMs: billsec * 1_000,
            billableSeconds: billsec, sipCode: disposition.sipStatus, source: "", caller: src, dialed: dst,
            gateway: words.count > 2 ? words[2] : dstchannel.isEmpty ? CallDetailRecord.unknownGateway : dstchannel,
            decision: words.first
        )
    }

    /// `userfield`'s words: the token, the Call-ID, the Contact.
    private var userWords: [String] {
        userField?.split(separator: " ").map(String.init) ?? []
    }

    /// Whether `text` reads as Asterisk's `uniqueid`: `seconds.sequence`, after the system name and a hyphen when
    /// `systemname` is set.
    private static func isUniqueID(_ text: String) -> Bool {
        let number = text.split(separator: "-").last ?? ""
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        return !text.contains(" ") && parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }
    }
}
