import CallRecords
import Foundation
import Testing

/// Master.csv lines as Asterisk's cdr_csv writes them: text quoted (quotes doubled), `duration` and `billsec` bare, an
/// unset time empty, then `uniqueid` (loguniqueid) and `userfield` (loguserfield) when cdr.conf's `[csv]` logs them.
enum AsteriskFixtures {
    static let chicago = TimeZone(identifier: "America/Chicago")!

    /// An answered call out through the PJSIP endpoint `tandem`, without the optional columns.
    static let answered = #""acme","+12025550100","+19525918123","from-trunk","""Alice"" <+12025550100>","#
        + #""PJSIP/acme-00000001","PJSIP/tandem-00000002","Dial","PJSIP/+19525918123@tandem,30","#
        + #""2026-12-07 19:54:01","2026-12-07 19:54:03","2026-12-07 19:55:08",67,65,"ANSWERED","DOCUMENTATION""#

    /// Nobody answered: the answer time is empty, unquoted.
    static func unanswered(_ disposition: String) -> String {
        #""acme","+12025550100","+19525918123","from-trunk","""Alice"" <+12025550100>","PJSIP/acme-00000003","#
            + #""PJSIP/tandem-00000004","Dial","PJSIP/+19525918123@tandem,30","2026-12-07 19:54:01",,"#
            + #""2026-12-07 19:54:31",30,0,"\#(disposition)","DOCUMENTATION""#
    }

    static let uniqueID = "1796694841.42"
    static let callID = "7f1c2e30-3a26-123f-61ab-d0ad08a6"
    static let token = "1.1796694841.LLGHWHoxl2Ns.o.acc_acme.trk_acme_main.+19525918123.interstate.10000:6:6.3dihWUNI8"
    static let contact = "sip:+19525918123@127.0.0.1:25182"
    /// What a dialplan sets to give Tandem the token, the Call-ID it was sealed for and the Contact that answered.
    static let fullUserField = "\(token) \(callID) \(contact)"
    static let dstchannel = "PJSIP/tandem-00000002"
    /// The key of the answered call when uniqueid is not logged.
    static let plainKey = "+12025550100|PJSIP/acme-00000001|2026-12-07 19:54:01"

    static func record(_ line: String, in zone: TimeZone = chicago) throws -> CallDetailRecord {
        try CallDetailRecord.Format.asterisk.record(fromLine: ArraySlice(line.utf8), timeZone: zone)
    }
}

@Suite("Asterisk cdr_csv lines")
struct AsteriskCDRTests {
    typealias Fixtures = AsteriskFixtures

    @Test("an answered call without the optional columns: keyed by src, channel and start; times in Asterisk's zone")
    func answered() throws {
        let cdr = try AsteriskCDR(line: Array(Fixtures.answered.utf8), timeZone: Fixtures.chicago)
        #expect(cdr.disposition == .answered && cdr.channel == "PJSIP/acme-00000001" && cdr.uniqueID == nil)
        let record = try Fixtures.record(Fixtures.answered)
        #expect(record.format == .asterisk && record.key == Fixtures.plainKey)
        #expect(record.callID == record.key && record.decision == nil)
        #expect(record.setupAt == 1_796_694_841_000 && record.startedAt == 1_796_694_843_000)
        #expect(record.endedAt == 1_796_694_908_000)
        #expect(record.durationMs == 65_000 && record.billableSeconds == 65 && record.sipCode == 200)
        #expect(record.caller == "+12025550100" && record.dialed == "+19525918123")
        #expect(record.gateway == "PJSIP/tandem-00000002", "no Contact in the userfield: the bridged channel")
    }

    @Test("usegmtime: the same line read in UTC")
    func utc() throws {
        #expect(try Fixtures.record(Fixtures.answered, in: .gmt).startedAt == 1_796_673_243_000)
    }

    @Test("with uniqueid and userfield: the key, and the token, Call-ID and Contact the dialplan set", arguments: [
        ([AsteriskFixtures.uniqueID, AsteriskFixtures.fullUserField], AsteriskFixtures.uniqueID, AsteriskFixtures.callID,
         AsteriskFixtures.contact, AsteriskFixtures.token as String?),
        ([AsteriskFixtures.uniqueID, AsteriskFixtures.token], AsteriskFixtures.uniqueID, AsteriskFixtures.uniqueID,
         AsteriskFixtures.dstchannel, AsteriskFixtures.token),
        ([AsteriskFixtures.uniqueID, ""], AsteriskFixtures.uniqueID, AsteriskFixtures.uniqueID,
         AsteriskFixtures.dstchannel, nil),
        (["sbc1-1796694841.42"], "sbc1-1796694841.42", "sbc1-1796694841.42", AsteriskFixtures.dstchannel, nil),
        ([AsteriskFixtures.token], AsteriskFixtures.plainKey, AsteriskFixtures.plainKey, AsteriskFixtures.dstchannel,
         AsteriskFixtures.token),
    ] as [([String], String, String, String, String?)])
    func optionalColumns(extra: [String], key: String, callID: String, gateway: String, decision: String?) throws {
        let line = Fixtures.answered + extra.map { ",\"\($0)\"" }.joined()
        let record = try Fixtures.record(line)
        #expect(record.key == key && record.callID == callID)
        #expect(record.gateway == gateway && record.decision == decision)
    }

    @Test("the disposition of a call nobody answered, as a SIP status", arguments: [
        ("NO ANSWER", 480), ("BUSY", 486), ("CONGESTION", 503), ("FAILED", 500),
    ] as [(String, Int)])
    func unanswered(disposition: String, status: Int) throws {
        let record = try Fixtures.record(Fixtures.unanswered(disposition))
        #expect(record.sipCode == status && record.answeredAt == nil && record.startedAt == 1_796_694_841_000)
        #expect(record.durationMs == 0 && record.billableSeconds == 0 && record.endedAt == 1_796_694_871_000)
    }

    @Test("a malformed line is refused with the column at fault", arguments: [
        (#""ANSWERED""#, #""MAYBE""#, "disposition MAYBE is not one of ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION"),
        (#""2026-12-07 19:54:03""#, "", "disposition is ANSWERED, but answer is empty"),
        (#""ANSWERED""#, #""BUSY""#, "answer is set, but disposition is BUSY"),
        (#""2026-12-07 19:55:08""#, #""2026-12-07 19:54:00""#, "end is before answer"),
        (#""2026-12-07 19:54:03""#, #""2026-12-07 19:53:00""#, "answer is before start"),
        (#""2026-12-07 19:54:01""#, #""07/12/2026 19:54""#,
         "start is not a YYYY-MM-DD HH:MM:SS time in America/Chicago"),
        (",67,65,", ",67,-1,", "billsec is not a whole number of seconds up to 30 days"),
        (",67,65,", ",6.7,65,", "duration is not a whole number of seconds up to 30 days"),
        (#""DOCUMENTATION""#, #""DOCUMENTATION","1796694841.42","a b c d""#,
         "userfield has more than three words (token, Call-ID, Contact)"),
        (#""DOCUMENTATION""#, #""DOCUMENTATION","","""#, "uniqueid is empty"),
        (#""Dial""#, "\"Di\u{8}al\"", "the line holds a control character"),
    ] as [(String, String, String)])
    func malformed(replacing: String, with replacement: String, reason: String) {
        let line = Fixtures.answered.replacingOccurrences(of: replacing, with: replacement)
        #expect(throws: CDRLineError(reason)) { try Fixtures.record(line) }
    }

    @Test("a line of too few columns, or an unanswered call billed, is refused with why")
    func wrongShape() {
        let columns = AsteriskCDR.columns.joined(separator: ", ")
        #expect(throws: CDRLineError("1 columns, not 16 to 18 (\(columns), then uniqueid and userfield when logged)")) {
            try Fixtures.record(#""acme""#)
        }
        let billed = Fixtures.unanswered("NO ANSWER").replacingOccurrences(of: ",30,0,", with: ",30,5,")
        #expect(throws: CDRLineError("billsec is 5, but answer is empty")) { try Fixtures.record(billed) }
    }

    @Test("read twice, the same key and start: a re-import is repeated, not stored again")
    func idempotent() throws {
        let line = Fixtures.answered + ",\"\(Fixtures.uniqueID)\",\"\(Fixtures.token)\""
        #expect(try Fixtures.record(line) == Fixtures.record(line))
        #expect(try Fixtures.record(Fixtures.answered).key == Fixtures.record(Fixtures.answered).key)
    }
}
