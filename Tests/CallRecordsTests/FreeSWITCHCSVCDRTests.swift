import CallRecords
import Foundation
import Testing

/// Master.csv lines as mod_cdr_csv writes them: each `${variable}` of the template expanded between quotes, stamps in
/// the switch's local time (here America/Chicago, UTC−6 in December).
enum FreeSWITCHCSVFixtures {
    static let chicago = TimeZone(identifier: "America/Chicago")!

    /// The caller's leg, answered, with the built-in `default` template (its `, "${accountcode}"` has a blank).
    static let answered = #""Alice","+12025550100","+19525918123","public","2026-12-07 19:54:01","#
        + #""2026-12-07 19:54:03","2026-12-07 19:55:08","67","65","NORMAL_CLEARING","5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4","#
        + #""9c1afb4f-1d4a-4e45-84a3-d25721981bf5", "acme""#

    /// The `default` template's values, by column, for lines made to order.
    static let values = [
        "Alice", "+12025550100", "+19525918123", "public", "2026-12-07 19:54:01", "2026-12-07 19:54:03",
        "2026-12-07 19:55:08", "67", "65", "NORMAL_CLEARING", "5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4",
        "9c1afb4f-1d4a-4e45-84a3-d25721981bf5", "acme",
    ]
    /// Tandem's three columns for the B leg of the same call.
    static let tandemValues = [
        "7f1c2e30-3a26-123f-61ab-d0ad08a6", "<sip:+19525918123;npdi@127.0.0.1:25182;user=phone>;q=1",
        "1.1796694841.LLGHWHoxl2Ns.o.acc_acme.trk_acme_main.+19525918123.interstate.10000:6:6.3dihWUNI8",
    ]

    /// A line with `changes` (by column name) made to the `default` template's values, plus `extra` columns.
    static func line(_ changes: [String: String] = [:], extra: [String] = []) -> String {
        var fields = values
        for (name, value) in changes { fields[FreeSWITCHCSVCDR.defaultColumns.firstIndex(of: name)!] = value }
        return (fields + extra).map { "\"\($0)\"" }.joined(separator: ",")
    }

    static func record(_ line: String, in zone: TimeZone = chicago) throws -> CallDetailRecord {
        try CallDetailRecord.Format.freeswitchCSV.record(fromLine: ArraySlice(line.utf8), timeZone: zone)
    }
}

@Suite("FreeSWITCH mod_cdr_csv lines")
struct FreeSWITCHCSVCDRTests {
    typealias Fixtures = FreeSWITCHCSVFixtures

    @Test("an answered leg in the default template: its stamps in the switch's zone, billed from the answer for billsec")
    func answered() throws {
        let cdr = try FreeSWITCHCSVCDR(line: Array(Fixtures.answered.utf8), timeZone: Fixtures.chicago)
        #expect(cdr.template == .default && cdr.uuid == "5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4")
        let record = try Fixtures.record(Fixtures.answered)
        #expect(record.format == .freeswitchCSV && record.key == cdr.uuid)
        #expect(record.callID == cdr.uuid, "no Call-ID: the uuid stands in")
        #expect(record.setupAt == 1_796_694_841_000 && record.answeredAt == 1_796_694_843_000)
        #expect(record.endedAt == 1_796_694_908_000)
        #expect(record.startedAt == 1_796_694_843_000 && record.durationMs == 65_000 && record.billableSeconds == 65)
        #expect(record.sipCode == 200 && record.source.isEmpty)
        #expect(record.caller == "+12025550100" && record.dialed == "+19525918123")
        #expect(record.gateway == CallDetailRecord.unknownGateway && record.decision == nil, "the template names neither")
    }

    @Test("the template by the column count: default, example, either with Tandem's columns", arguments: [
        ([], FreeSWITCHCSVCDR.Template.default, false),
        (["PCMU", "PCMA"], .example, false),
        (FreeSWITCHCSVFixtures.tandemValues, .default, true),
        (["PCMU", "PCMA"] + FreeSWITCHCSVFixtures.tandemValues, .example, true),
    ] as [([String], FreeSWITCHCSVCDR.Template, Bool)])
    func templates(extra: [String], template: FreeSWITCHCSVCDR.Template, tandem: Bool) throws {
        let line = Fixtures.line(extra: extra)
        #expect(try FreeSWITCHCSVCDR(line: Array(line.utf8), timeZone: Fixtures.chicago).template == template)
        let record = try Fixtures.record(line)
        #expect(record.callID == (tandem ? Fixtures.tandemValues[0] : Fixtures.values[10]))
        #expect(record.gateway == (tandem ? Fixtures.tandemValues[1] : CallDetailRecord.unknownGateway))
        #expect(record.decision == (tandem ? Fixtures.tandemValues[2] : nil))
        #expect(template.columns.count + (tandem ? 3 : 0) == Fixtures.values.count + extra.count)
    }

    @Test("A and B legs read alike: a B leg's line has its own uuid and no bleg_uuid")
    func bLeg() throws {
        let changes = ["uuid": "9c1afb4f-1d4a-4e45-84a3-d25721981bf5", "bleg_uuid": ""]
        let line = Fixtures.line(changes, extra: ["PCMU", "PCMU"] + Fixtures.tandemValues)
        let record = try Fixtures.record(line)
        #expect(record.key == "9c1afb4f-1d4a-4e45-84a3-d25721981bf5" && record.callID == Fixtures.tandemValues[0])
        #expect(record.startedAt == 1_796_694_843_000 && record.sipCode == 200)
    }

    @Test("a leg nobody answered: no answer_stamp, billsec 0, the status from hangup_cause", arguments: [
        ("NO_ANSWER", 480), ("USER_BUSY", 486), ("CALL_REJECTED", 603), ("ORIGINATOR_CANCEL", 487),
        ("NORMAL_TEMPORARY_FAILURE", 503),
    ] as [(String, Int)])
    func unanswered(cause: String, status: Int) throws {
        let changes = ["answer_stamp": "", "billsec": "0", "duration": "30", "hangup_cause": cause]
        let record = try Fixtures.record(Fixtures.line(changes))
        #expect(record.sipCode == status && record.answeredAt == nil && record.startedAt == 1_796_694_841_000)
        #expect(record.durationMs == 0 && record.billableSeconds == 0)
    }

    @Test("the stamps are read in the zone named: the same line six hours apart in UTC and in Chicago's winter")
    func timeZones() throws {
        let utc = try Fixtures.record(Fixtures.answered, in: .gmt)
        let chicago = try Fixtures.record(Fixtures.answered)
        #expect(chicago.startedAt - utc.startedAt == 6 * 3_600_000 && utc.startedAt == 1_796_673_243_000)
    }

    @Test("across a change to summer time: the answer in standard time, the end in summer time, 30 s apart")
    func springForward() throws {
        let line = Fixtures.line([
            "start_stamp": "2026-03-08 01:59:30", "answer_stamp": "2026-03-08 01:59:40", "end_stamp": "2026-03-08 03:00:10",
            "duration": "40", "billsec": "30",
        ])
        let record = try Fixtures.record(line)
        #expect(record.answeredAt == 1_772_956_780_000 && record.endedAt == 1_772_956_810_000)
        #expect(record.durationMs == 30_000 && record.endedAt - record.answeredAt! == 30_000)
        let skipped = Fixtures.line(["start_stamp": "2026-03-08 02:30:00"])
        let reason = "start_stamp is not a YYYY-MM-DD HH:MM:SS time in America/Chicago"
        #expect(throws: CDRLineError(reason), "02:30 never happened that night") {
            try Fixtures.record(skipped)
        }
    }

    @Test("across a change back to standard time: the end in the repeated hour's second pass")
    func fallBack() throws {
        let line = Fixtures.line([
            "start_stamp": "2026-11-01 01:59:20", "answer_stamp": "2026-11-01 01:59:40", "end_stamp": "2026-11-01 01:00:10",
            "duration": "50", "billsec": "30",
        ])
        let record = try Fixtures.record(line)
        #expect(record.answeredAt == 1_793_516_380_000, "01:59:40 CDT")
        #expect(record.endedAt == 1_793_516_410_000, "01:00:10 CST, the second 01:00:10 of the night")
    }

    @Test("quotes: doubled ones are one; ones mod_cdr_csv left undoubled in a name are kept")
    func quotes() throws {
        for name in [#"Bob ""the builder"" Smith"#, #"Bob "the builder" Smith"#, #"O"Brien"#] {
            let line = Fixtures.line(["caller_id_name": name])
            #expect(try Fixtures.record(line).key == Fixtures.values[10], "\(name)")
        }
    }

    @Test("a malformed line is refused with the column at fault", arguments: [
        (["uuid": ""], "uuid is empty"),
        (["start_stamp": "2026-12-07T19:54:01"], "start_stamp is not a YYYY-MM-DD HH:MM:SS time in America/Chicago"),
        (["end_stamp": "2026-02-30 19:55:08"], "end_stamp is not a YYYY-MM-DD HH:MM:SS time in America/Chicago"),
        (["end_stamp": "2026-12-07 19:54:02"], "end_stamp is before answer_stamp"),
        (["answer_stamp": "2026-12-07 19:54:00"], "answer_stamp is before start_stamp"),
        (["billsec": "65.2"], "billsec is not a whole number of seconds up to 30 days"),
        (["billsec": "9999999"], "billsec is not a whole number of seconds up to 30 days"),
        (["duration": ""], "duration is not a whole number of seconds up to 30 days"),
        (["answer_stamp": ""], "billsec is 65, but answer_stamp is empty"),
        (["answer_stamp": "", "billsec": "0", "hangup_cause": ""], "hangup_cause is empty"),
        (["answer_stamp": "", "billsec": "0", "hangup_cause": "busy"], "hangup_cause busy is not a FreeSWITCH cause"),
        (["context": "pub\u{7}lic"], "the line holds a control character"),
    ] as [([String: String], String)])
    func malformed(changes: [String: String], reason: String) {
        #expect(throws: CDRLineError(reason)) { try Fixtures.record(Fixtures.line(changes)) }
    }

    @Test("a line of another template, or cut in a quoted field, is refused with why")
    func wrongShape() {
        let tandem = FreeSWITCHCSVCDR.tandemColumns.joined(separator: ", ")
        let reason = "14 columns, not 13 or 15 (FreeSWITCH's default or example template), "
            + "nor 16 or 18 (either with \(tandem))"
        #expect(throws: CDRLineError(reason)) { try Fixtures.record(Fixtures.line(extra: ["PCMU"])) }
        #expect(throws: CDRLineError("a quoted field is not closed before the end of the line")) {
            try Fixtures.record(#""Alice","+12025550100"#)
        }
    }

    @Test("read twice, the same key and start: a re-import is repeated, not stored again")
    func idempotent() throws {
        #expect(try Fixtures.record(Fixtures.answered) == Fixtures.record(Fixtures.answered))
    }
}
