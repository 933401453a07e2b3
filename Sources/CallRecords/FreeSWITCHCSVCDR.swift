import Foundation

/// One call leg as FreeSWITCH's mod_cdr_csv writes it to `Master.csv`: its template's `${variable}`s expanded, each
/// quoted. The template is recognized by the line's column count:
///
/// | columns | template |
/// | --- | --- |
/// | 13 | the module's built-in `default` (mod_cdr_csv.c) |
/// | 15 | `example`, the shipped `cdr_csv.conf.xml`'s `default-template`: `default`'s, `read_codec`, `write_codec` |
/// | 16, 18 | either, followed by ``tandemColumns`` |
///
/// Neither built-in template names the Call-ID, where the call went, or Tandem's decision token: such a record is
/// known by its `uuid`, its gateway is ``CallDetailRecord/unknownGateway``, and it is stored unrated (`no-decision`).
/// To rate calls, append Tandem's three columns to the template:
///
/// ```xml
/// <template name="tandem">"${caller_id_name}",...,"${write_codec}","${sip_call_id}","${sip_redirected_to}",
///   "${sip_rh_X-Tandem-Decision}"</template>
/// ```
///
/// and log B legs (`<param name="legs" value="b"/>`, or `ab`): a B leg's Call-ID is the one Tandem's 302 answered, an
/// A leg's is the caller's (its token reads as another call's). A and B legs' lines are read alike.
///
/// `start_stamp`, `answer_stamp` (empty when nobody answered) and `end_stamp` are the switch's local time, to the
/// second; `billsec` is the whole seconds from the answer to the end. The SIP status is 200 for an answered leg, else
/// `hangup_cause` through ``FreeSWITCHHangupCause``.
public struct FreeSWITCHCSVCDR: Sendable, Hashable {
    /// The templates FreeSWITCH ships.
    public enum Template: String, Sendable, Hashable, CaseIterable {
        /// mod_cdr_csv's built-in template.
        case `default`
        /// The template the shipped `cdr_csv.conf.xml` makes the default.
        case example

        /// The variables the template expands, in order.
        public var columns: [String] {
            switch self {
            case .default: FreeSWITCHCSVCDR.defaultColumns
            case .example: FreeSWITCHCSVCDR.defaultColumns + ["read_codec", "write_codec"]
            }
        }
    }

    /// The built-in `default` template's variables (mod_cdr_csv.c).
    public static let defaultColumns = [
        "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp",
        "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid", "accountcode",
    ]
    /// The variables Tandem reads after either template's: the Call-ID, the Contact the leg went to (the 3xx's first,
    /// which FreeSWITCH follows), and the decision token from the 302's header.
    public static let tandemColumns = ["sip_call_id", "sip_redirected_to", "sip_rh_X-Tandem-Decision"]

    public var template: Template
    public var uuid: String
    /// `sip_call_id`, when the template has Tandem's columns and it is set.
    public var callID: String?
    /// Unix milliseconds, to the second.
    public var setupAt: Int64
    public var answeredAt: Int64?
    public var endedAt: Int64
    /// `billsec`: 0 for a leg nobody answered.
    public var billableSeconds: Int64
    public var hangupCause: String
    /// 200 for an answered leg, else from `hangup_cause`.
    public var sipCode: Int
    public var callerIDNumber: String
    public var destinationNumber: String
    public var gateway: String?
    public var decision: String?

    /// Parses one line (its bytes, without the line end), its stamps read in `timeZone`, the switch's.
    public init(line: some Collection<UInt8>, timeZone: TimeZone) throws(CDRLineError) {
        try CDRLineError.checkLine(line)
        let fields = try CSVLine.fields(of: line)
        let tandem = fields.count == 16 || fields.count == 18
        switch fields.count {
        case 13, 16: template = .default
        case 15, 18: template = .example
        default:
            throw CDRLineError("""
                \(fields.count) columns, not 13 or 15 (FreeSWITCH's default or example template), nor 16 or 18 \
                (either with \(Self.tandemColumns.joined(separator: ", ")))
                """)
        }
        let columns = template.columns + (tandem ? Self.tandemColumns : [])
        func value(_ name: String) -> String { fields[columns.firstIndex(of: name)!] }
        func tandemValue(_ name: String) -> String? { tandem && !value(name).isEmpty ? value(name) : nil }

        uuid = value("uuid")
        guard !uuid.isEmpty else { throw CDRLineError("uuid is empty") }
        let times = try LocalTime(timeZone).call(
            start: (value("start_stamp"), "start_stamp"), answer: (value("answer_stamp"), "answer_stamp"),
            end: (value("end_stamp"), "end_stamp")
        )
        (setupAt, answeredAt, endedAt) = times
        _ = try LocalTime.seconds(value("duration"), column: "duration")
        billableSeconds = try LocalTime.seconds(value("billsec"), column: "billsec")
        if answeredAt == nil, billableSeconds != 0 {
            throw CDRLineError("billsec is \(billableSeconds), but answer_stamp is empty")
        }
        hangupCause = value("hangup_cause")
        guard let status = answeredAt == nil ? FreeSWITCHHangupCause.sipStatus(hangupCause) : 200 else {
            let problem = hangupCause.isEmpty ? "is empty" : "\(hangupCause) is not a FreeSWITCH cause"
            throw CDRLineError("hangup_cause \(problem)")
        }
        sipCode = status
        (callerIDNumber, destinationNumber) = (value("caller_id_number"), value("destination_number"))
        callID = tandemValue("sip_call_id")
        gateway = tandemValue("sip_redirected_to")
        decision = tandemValue("sip_rh_X-Tandem-Decision")
    }

    /// The call as Tandem stores it: billed from `answer_stamp` for `billsec` seconds.
    public var record: CallDetailRecord {
        CallDetailRecord(
            format: .freeswitchCSV, key: uuid, callID: callID ?? uuid, setupAt: setupAt, answeredAt: answeredAt,
            startedAt: answeredAt ?? setupAt, endedAt: endedAt, durationMs: billableSeconds * 1_000,
            billableSeconds: billableSeconds, sipCode: sipCode, source: "", caller: callerIDNumber,
            dialed: destinationNumber,
            gateway: gateway ?? CallDetailRecord.unknownGateway, decision: decision
        )
    }
}
