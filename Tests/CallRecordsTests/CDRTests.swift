import CallRecords
import Crypto
import Foundation
import Rating
import Routing
import Telephony
import Testing

/// A line of the reference SBC's CDR file, as docs/sbc.md shows it (a run of Interop/sbc-interop.sh).
private let sample = "1796690041|1796690042|0.907000|3-9547@127.0.0.1|1796690041.258456|1796690041.263725|127.0.0.1|"
    + "+12057090101|+19525918123|sip:+19525918123;npdi@127.0.0.1:25182;user=phone|1.1796690041.LLGHWHoxl2Ns.o.acc_acme."
    + "trk_acme_main.+19525918123.interstate.10000:6:6.car_9iz7tfmeyc4wskhv:5100:6:6~car_m4ksm9csxorv9lvn:6000:6:6."
    + "3dihWUNI8CATmsLBddX-QA"

@Suite("Kamailio CDR lines")
struct KamailioCDRTests {
    @Test("a line as the reference SBC writes it: every column, and a started second billed whole")
    func parses() throws {
        let cdr = try KamailioCDR(line: Array(sample.utf8))
        #expect(cdr.startedAt == 1_796_690_041 && cdr.endedAt == 1_796_690_042 && cdr.duration == 0.907)
        #expect(cdr.callID == "3-9547@127.0.0.1" && cdr.source == "127.0.0.1" && cdr.caller == "+12057090101")
        #expect(cdr.dialed == "+19525918123" && cdr.gateway == "sip:+19525918123;npdi@127.0.0.1:25182;user=phone")
        #expect(cdr.setupAt < cdr.answeredAt && cdr.decision?.hasPrefix("1.1796690041.") == true)
        #expect(cdr.billableSeconds == 1)
        var unsigned = sample.split(separator: "|", omittingEmptySubsequences: false).dropLast().joined(separator: "|") + "|"
        #expect(try KamailioCDR(line: Array(unsigned.utf8)).decision == nil, "an empty decision column: none")
        unsigned = unsigned.replacingOccurrences(of: "3-9547@127.0.0.1", with: "odd%7Cid")
        #expect(try KamailioCDR(line: Array(unsigned.utf8)).callID == "odd%7Cid",
                "kept as written: db_flatstore escapes | but not %, so %7C may be a Call-ID's own")
    }

    @Test("a line with the caller's From tag: the key is the dialog, so calls sharing a Call-ID are records apart")
    func fromTag() throws {
        let tagged = try KamailioCDR(line: Array((sample + "|9547SIPpTag003").utf8))
        #expect(tagged.fromTag == "9547SIPpTag003" && tagged.record.key == "3-9547@127.0.0.1;9547SIPpTag003")
        let other = try KamailioCDR(line: Array((sample + "|9547SIPpTag004").utf8))
        #expect(other.record.key != tagged.record.key && other.record.startedAt == tagged.record.startedAt)
        #expect(try KamailioCDR(line: Array(sample.utf8)).record.key == "3-9547@127.0.0.1", "an earlier configuration's line")
        let pushed = try KamailioCDR(json: [
            "start_time": "1796690041.262", "end_time": "1796690042.169", "duration": "0.907", "callid": "3-9547@127.0.0.1",
            "setup_time": "1796690041.258456", "answer_time": "1796690041.263725", "src_ip": "127.0.0.1", "caller": "+12057090101",
            "dialed": "+19525918123", "gateway": "sip:+19525918123;npdi@127.0.0.1:25182;user=phone", "decision": nil,
            "from_tag": "9547SIPpTag003",
        ])
        #expect(pushed.record.key == tagged.record.key && pushed.record.startedAt == tagged.record.startedAt,
                "pushed and read from the file: one record")
    }

    @Test("a malformed line is refused with the column at fault", arguments: [
        (10, "", "10 columns, not 12 (start_time|end_time|duration|callid|setup_time|answer_time|src_ip|caller|dialed|gateway|decision|from_tag)"),
        (0, "x", "start_time is not a Unix time"),
        (1, "1796690040", "end_time is before start_time"),
        (2, "-1", "duration is not a number of seconds"),
        (2, "nan", "duration is not a number of seconds"),
        (2, "9999999", "duration is more than 30 days"),
        (3, "", "callid is empty"),
        (5, "1796690041.1", "answer_time is before setup_time"),
        (9, "", "gateway is empty"),
    ] as [(Int, String, String)])
    func malformed(column: Int, value: String, reason: String) {
        var fields = sample.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        if column == 10 { fields.removeLast() } else { fields[column] = value }
        let line = fields.joined(separator: "|")
        #expect(throws: CDRLineError(reason)) { try KamailioCDR(line: Array(line.utf8)) }
    }

    @Test("a line past 8 KiB, or with a control character, is refused before it is split")
    func tooLongOrControl() {
        let line = sample + String(repeating: "x", count: 8_192)
        #expect(throws: CDRLineError("the line is longer than 8192 bytes")) { try KamailioCDR(line: Array(line.utf8)) }
        let tabbed = sample.replacingOccurrences(of: "3-9547@", with: "3-9547\t@")
        #expect(throws: CDRLineError("the line holds a control character")) { try KamailioCDR(line: Array(tabbed.utf8)) }
    }

    @Test("a file's lines: LF or CRLF, blank lines skipped, an overlong line cut for the parser, a last line without its end left out")
    func fileLines() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cdrs-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let overlong = String(repeating: "y", count: 20_000)
        try Data("first\r\nsecond\n\n\(overlong)\nfourth\nunfinished".utf8).write(to: URL(fileURLWithPath: path))
        var lines: [(Int, Int, String)] = []
        var offsets: [Int64] = []
        try await CDRFileLines(path: path).forEach { number, bytes, offset in
            lines.append((number, bytes.count, String(decoding: bytes.prefix(6), as: UTF8.self)))
            offsets.append(offset)
        }
        #expect(lines.map(\.0) == [1, 2, 4, 5])
        #expect(lines.map(\.2) == ["first", "second", "yyyyyy", "fourth"])
        #expect(lines[2].1 == KamailioCDR.maximumLineBytes + 1, "cut just past the limit, so the parser refuses it")
        #expect(offsets == [7, 14, 20_016, 20_023], "the bytes read through each line's end")
        await #expect(throws: CDRLineError.self) { try await CDRFileLines(path: path + ".missing").forEach { _, _, _ in } }
    }
}

@Suite("Rating CDRs from their decision tokens")
struct CDRRaterTests {
    let tokens = DecisionToken(key: SymmetricKey(data: Data(repeating: 9, count: 32)))
    let rater: CDRRater
    static let gateways = [
        "127.0.0.1:25181": ["car_lakeshore"], "127.0.0.1:25182": ["car_bluegrass"], "[2001:db8::7]:5060": ["car_v6"],
        "198.51.100.9:5060": ["car_lakeshore", "car_bluegrass"],
    ]

    init() {
        rater = CDRRater(tokens: tokens, gateways: Self.gateways)
    }

    func line(callID: String, duration: String = "65.200000", gateway: String = "sip:+19525918123@127.0.0.1:25182;user=phone",
              kind: CallDecision.Kind = .outbound, decision: String? = nil,
              carriers: [ChosenCarrier] = [ChosenCarrier(id: "car_lakeshore", rate: Rate(micros: 5_100, initialSeconds: 6, incrementSeconds: 6)),
                                           ChosenCarrier(id: "car_bluegrass", rate: Rate(micros: 6_000, initialSeconds: 6, incrementSeconds: 6))]
    ) -> CallDetailRecord {
        let token = decision ?? tokens.seal(CallDecision(
            decidedAt: 1_796_690_041, callDigest: CallDecision.digest(ofCallID: callID), kind: kind, accountId: "acc_acme",
            trunkId: "trk_acme_main", destination: "+19525918123", jurisdiction: .interstate,
            price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6), carriers: carriers
        ))
        let text = "1796690041|1796690107|\(duration)|\(callID)|1796690041.2|1796690041.3|127.0.0.1|+12057090101|+19525918123|"
            + "\(gateway)|\(token)"
        return try! KamailioCDR(line: Array(text.utf8)).record
    }

    @Test("price at the customer's rate, cost at the rate of the carrier whose gateway answered, both from the token")
    func rated() throws {
        let rated = rater.rate(line(callID: "c1"))
        #expect(rated.problem == nil && rated.carrierId == "car_bluegrass" && rated.decision?.accountId == "acc_acme")
        let rating = try #require(rated.rating)
        #expect(rating.price.amount == Money(micros: 11_000), "65.2 s: 66 s billed at 6/6, 10,000 µ a minute")
        #expect(rating.cost.amount == Money(micros: 6_600), "the second carrier's 6,000 µ a minute, not the first's")
        #expect(rating.margin == Money(micros: 4_400))
    }

    @Test("a record without a token, with a forged one, or with another call's is not rated")
    func problems() {
        var noToken = line(callID: "c2")
        noToken.decision = nil
        #expect(rater.rate(noToken).problem == .noDecision)
        var forged = line(callID: "c3")
        forged.decision = forged.decision?.replacingOccurrences(of: "10000:6:6", with: "100:6:6")
        #expect(rater.rate(forged).problem == .badDecision)
        var moved = line(callID: "c4")
        moved.callID = "c5"
        let movedRating = rater.rate(moved)
        #expect(movedRating.problem == .otherCall && movedRating.rating == nil, "a cheap call's token on another call")
    }

    @Test("a gateway no carrier of the token has leaves the cost unrated; 911 is free; sub-second calls bill a second")
    func sides() throws {
        let unknown = rater.rate(line(callID: "c6", gateway: "sip:+19525918123@203.0.113.9:5060"))
        #expect(unknown.carrierId == nil && unknown.rating?.cost == .unrated(.noRate))
        #expect(unknown.rating?.price.amount == Money(micros: 11_000))
        let emergency = rater.rate(line(callID: "c7", kind: .emergency))
        #expect(emergency.rating == RatedCall(price: .free(.emergency), cost: .free(.emergency)))
        let short = rater.rate(line(callID: "c8", duration: "0.200000"))
        #expect(short.rating?.price.amount == Money(micros: 1_000), "0.2 s: one second, billed as the first 6")
        let zero = rater.rate(line(callID: "c9", duration: "0.000000"))
        #expect(zero.rating?.price == .free(.noBillableSeconds))
        let v6Carriers = [ChosenCarrier(id: "car_v6", rate: Rate(micros: 7_000, initialSeconds: 6, incrementSeconds: 6))]
        let v6 = rater.rate(line(callID: "c10", gateway: "sip:+19525918123@[2001:db8::7];user=phone", carriers: v6Carriers))
        #expect(v6.carrierId == "car_v6" && v6.rating?.cost.amount == Money(micros: 7_700), "an IPv6 gateway, port 5060 by default")
        let notInToken = rater.rate(line(callID: "c11", gateway: "sip:+19525918123@[2001:db8::7];user=phone"))
        #expect(notInToken.carrierId == nil, "car_v6 is no carrier of this token: the gateway proves nothing alone")
        let shared = rater.rate(line(callID: "c12", gateway: "sip:+19525918123@198.51.100.9"))
        #expect(shared.carrierId == nil && shared.rating?.cost == .unrated(.noRate), "a gateway two of the token's carriers share")
    }

    @Test("a gateway's key from a Contact URI: the host and port, 5061 by default for sips: and TLS", arguments: [
        ("sip:+19525918123;npdi@127.0.0.1:25182;user=phone", "127.0.0.1:25182"),
        ("sip:+1952@gw.example.net", "gw.example.net:5060"),
        ("sips:+1952@gw.example.net", "gw.example.net:5061"),
        ("sip:+1952@gw.example.net;transport=tls", "gw.example.net:5061"),
        ("sip:+1952@[2001:db8::7]:5080;user=phone", "[2001:db8::7]:5080"),
        ("sip:+1952@gw.example.net:5070?X-H=1", "gw.example.net:5070"),
        ("<sip:+1952@gw.example.net:5070>;q=0.9", "gw.example.net:5070"),
    ] as [(String, String)])
    func gatewayKeys(uri: String, key: String) {
        #expect(CDRRater.hostAndPort(ofURI: uri) == key)
    }

    @Test("a URI without a host, or with a port that is no number, has no gateway key",
          arguments: ["sip:+1952", "sip:+1952@", "sip:+1952@gw.example.net:x", "sip:+1952@[2001:db8::7"])
    func noGatewayKey(uri: String) {
        #expect(CDRRater.hostAndPort(ofURI: uri) == nil)
    }
}
