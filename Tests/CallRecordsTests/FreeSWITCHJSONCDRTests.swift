import CallRecords
import Crypto
import Foundation
import Rating
import Routing
import Telephony
import Testing

/// mod_json_cdr's documents, written from switch_ivr_generate_json_cdr's shape (`core-uuid`, `switchname`,
/// `channel_data`, `variables`, `app_log`, `callflow`) and the variables a FreeSWITCH 1.10 SBC sets on its legs.
enum FreeSWITCHJSONFixtures {
    /// The caller's leg (inbound), answered: 65.2 s from the answer to the end. Its 302 came on the B leg, whose
    /// `X-Tandem-Decision` mod_sofia copied here as `sip_rh_X-Tandem-Decision`.
    static let aLeg: [String: String] = [
        "direction": "inbound", "uuid": "5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4", "session_id": "1",
        "sip_from_user": "+12025550100", "sip_from_uri": "+12025550100@198.51.100.20", "sip_network_ip": "198.51.100.20",
        "sip_network_port": "5060", "sip_req_user": "+19525918123", "sip_req_uri": "+19525918123@203.0.113.5",
        "sip_to_user": "+19525918123", "sip_call_id": "985e365faa0ec79a7fa75d001ef2449f@198.51.100.20",
        "channel_name": "sofia/external/+12025550100@198.51.100.20",
        "sip_redirected_to": "<sip:+19525918123;npdi@127.0.0.1:25182;user=phone>;q=1",
        "sip_rh_X-Tandem-Decision":
            "1.1796694841.LLGHWHoxl2Ns.o.acc_acme.trk_acme_main.+19525918123.interstate.10000:6:6.3dihWUNI8",
        "sip_term_status": "200", "sip_hangup_disposition": "recv_bye", "hangup_cause": "NORMAL_CLEARING",
        "hangup_cause_q850": "16", "start_stamp": "2026-12-07 19:54:01", "answer_stamp": "2026-12-07 19:54:03",
        "end_stamp": "2026-12-07 19:55:08", "start_epoch": "1796694841", "start_uepoch": "1796694841258456",
        "answer_epoch": "1796694843", "answer_uepoch": "1796694843100000", "end_epoch": "1796694908",
        "end_uepoch": "1796694908300000", "duration": "67", "billsec": "65", "mduration": "67042", "billmsec": "65200",
        "switch_m_sdp": "v=0\r\no=- 1 1 IN IP4 198.51.100.20\r\ns=-\r\n", "sip_user_agent": "Softphone~~~~~~1.0",
    ]

    /// The leg FreeSWITCH sent to Tandem, which followed the 302's first Contact on the same leg (and Call-ID).
    static let bLeg: [String: String] = aLeg.merging([
        "direction": "outbound", "uuid": "9c1afb4f-1d4a-4e45-84a3-d25721981bf5",
        "sip_call_id": "7f1c2e30-3a26-123f-61ab-d0ad08a6",
        "sip_destination_url": "sip:+19525918123@203.0.113.9:5060", "sip_req_uri": "+19525918123@203.0.113.9:5060",
        "sip_req_user": "", "sip_from_user": "+12025550100", "sip_network_ip": "127.0.0.1",
    ]) { $1 }

    /// A leg nobody answered, ended as `changes` say.
    static func unanswered(_ changes: [String: String]) -> [String: String] {
        var variables = bLeg.merging(["answer_epoch": "0", "answer_uepoch": "0", "billsec": "0", "billmsec": "0"]) { $1 }
        for name in ["answer_stamp", "sip_term_status", "hangup_cause"] { variables[name] = nil }
        return variables.merging(changes) { $1 }
    }

    /// The document, its values URL-encoded as `encode-values` (true by default) has it.
    static func document(_ variables: [String: String], encodeValues: Bool = true) -> String {
        let values = encodeValues ? variables.mapValues(urlEncoded) : variables
        let profile: [String: String] = [
            "username": "", "dialplan": "XML", "caller_id_name": "Alice",
            "caller_id_number": variables["sip_from_user"] ?? "", "network_addr": variables["sip_network_ip"] ?? "",
            "destination_number": "+19525918123", "uuid": variables["uuid"] ?? "", "source": "mod_sofia",
            "context": "public", "chan_name": "sofia/external/+12025550100@198.51.100.20",
        ]
        let object: [String: Any] = [
            "core-uuid": "63e2315b-d538-4dfa-9ed5-af73ba6210b6", "switchname": "sbc1",
            "channel_data": [
                "state": "CS_REPORTING", "direction": variables["direction"] ?? "inbound", "state_number": "11",
            ],
            "variables": values,
            "app_log": ["applications": [["app_name": "bridge", "app_data": "sofia/external/+19525918123@tandem.example.net"]]],
            "callflow": [[
                "dialplan": "XML", "profile_index": "1", "caller_profile": profile,
                "times": ["created_time": "1796694841258456"],
            ]],
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// `text` as `switch_url_encode` writes it: the bytes of `SWITCH_URL_UNSAFE` and non-ASCII ones as `%XX`.
    static func urlEncoded(_ text: String) -> String {
        let unsafe = Set("\r\n #%&+:;<=>?@[\\]^`{|}\"".utf8)
        return text.utf8.map { byte in
            unsafe.contains(byte) || byte > 0x7E ? String(format: "%%%02X", byte) : String(UnicodeScalar(byte))
        }.joined()
    }

    static func record(_ text: String) throws -> CallDetailRecord {
        try CallDetailRecord.Format.freeswitchJSON.record(fromLine: ArraySlice(text.utf8))
    }
}

@Suite("FreeSWITCH mod_json_cdr documents")
struct FreeSWITCHJSONCDRTests {
    typealias Fixtures = FreeSWITCHJSONFixtures

    @Test("an answered A leg, values URL-encoded: each field from its variable, times to the millisecond")
    func answeredALeg() throws {
        let record = try Fixtures.record(Fixtures.document(Fixtures.aLeg))
        #expect(record.format == .freeswitchJSON && record.key == "5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4")
        #expect(record.callID == "985e365faa0ec79a7fa75d001ef2449f@198.51.100.20")
        #expect(record.setupAt == 1_796_694_841_258 && record.answeredAt == 1_796_694_843_100)
        #expect(record.endedAt == 1_796_694_908_300)
        #expect(record.startedAt == 1_796_694_843_100, "billed from the answer")
        #expect(record.durationMs == 65_200 && record.billableSeconds == 66, "65.2 s: a started second counts whole")
        #expect(record.sipCode == 200 && record.source == "198.51.100.20")
        #expect(record.caller == "+12025550100" && record.dialed == "+19525918123", "decoded: %2B is +")
        #expect(record.gateway == "<sip:+19525918123;npdi@127.0.0.1:25182;user=phone>;q=1")
        #expect(record.decision == Fixtures.aLeg["sip_rh_X-Tandem-Decision"])
    }

    @Test("a B leg: its own uuid and Call-ID; the gateway is the 3xx's Contact, else the URI the leg was sent to")
    func bLeg() throws {
        let record = try Fixtures.record(Fixtures.document(Fixtures.bLeg))
        #expect(record.key == "9c1afb4f-1d4a-4e45-84a3-d25721981bf5")
        #expect(record.callID == "7f1c2e30-3a26-123f-61ab-d0ad08a6", "the Call-ID of the INVITE FreeSWITCH sent")
        #expect(record.dialed == "+19525918123", "sip_to_user where the leg has no Request-URI of its own")
        #expect(record.gateway.hasPrefix("<sip:+19525918123;npdi@127.0.0.1:25182"))
        var sentTo = Fixtures.bLeg
        sentTo["sip_redirected_to"] = nil
        #expect(try Fixtures.record(Fixtures.document(sentTo)).gateway == "sip:+19525918123@203.0.113.9:5060")
        var nowhere = Fixtures.aLeg
        nowhere["sip_redirected_to"] = nil
        #expect(try Fixtures.record(Fixtures.document(nowhere)).gateway == CallDetailRecord.unknownGateway)
    }

    @Test("a leg nobody answered: sip_term_status, else sip_invite_failure_status, else hangup_cause", arguments: [
        (["sip_term_status": "486", "hangup_cause": "USER_BUSY"], 486),
        (["sip_term_status": "302", "hangup_cause": "NORMAL_CLEARING"], 302),
        (["sip_invite_failure_status": "487", "hangup_cause": "ORIGINATOR_CANCEL"], 487),
        (["hangup_cause": "USER_BUSY"], 486),
        (["hangup_cause": "NO_ANSWER"], 480),
        (["hangup_cause": "CALL_REJECTED"], 603),
        (["hangup_cause": "ORIGINATOR_CANCEL"], 487),
    ] as [([String: String], Int)])
    func unanswered(changes: [String: String], status: Int) throws {
        let record = try Fixtures.record(Fixtures.document(Fixtures.unanswered(changes)))
        #expect(record.sipCode == status && record.answeredAt == nil)
        #expect(record.startedAt == 1_796_694_841_258, "started at its setup")
        #expect(record.durationMs == 0 && record.billableSeconds == 0)
    }

    @Test("hangup causes map as mod_sofia answers them", arguments: [
        ("USER_BUSY", 486), ("NO_ANSWER", 480), ("NO_USER_RESPONSE", 408), ("CALL_REJECTED", 603), ("ORIGINATOR_CANCEL", 487),
        ("UNALLOCATED_NUMBER", 404), ("NORMAL_CIRCUIT_CONGESTION", 503), ("RECOVERY_ON_TIMER_EXPIRE", 504),
        ("INCOMPATIBLE_DESTINATION", 488), ("NORMAL_CLEARING", 480), ("A_CAUSE_FROM_A_NEWER_FREESWITCH", 480),
    ] as [(String, Int)])
    func hangupCauses(cause: String, status: Int) {
        #expect(FreeSWITCHHangupCause.sipStatus(cause) == status)
    }

    @Test("the body as mod_json_cdr POSTs it, and the file as it writes it, read alike")
    func encodings() throws {
        let json = Fixtures.document(Fixtures.aLeg)
        let urlEncoded = Fixtures.urlEncoded(json)
        let base64 = Data(json.utf8).base64EncodedString()
        let expected = try Fixtures.record(json)
        let bodies: [(String, String?)] = [
            (json, "application/json"), ("cdr=" + urlEncoded, "application/x-www-form-urlencoded"),
            ("cdr=" + base64, "application/x-www-form-base64-encoded"),
            ("cdr=" + base64, "Application/X-WWW-Form-Base64-Encoded; charset=utf-8"),
            (json + "\n", nil), (urlEncoded + "\n", nil), (base64 + "\n", "text/plain"), ("cdr=" + urlEncoded, nil),
        ]
        for (body, contentType) in bodies {
            let cdr = try FreeSWITCHJSONCDR(body: Array(body.utf8), contentType: contentType)
            #expect(try cdr.record.validated() == expected, "\(contentType ?? "a file"): \(body.prefix(12))")
        }
        #expect(base64.contains("+"), "the tildes of sip_user_agent: base64's + is no form-encoded space")
    }

    @Test("encode-values false: values read as written, a % kept")
    func rawValues() throws {
        var variables = Fixtures.aLeg
        variables["sip_call_id"] = "100%41@198.51.100.20"
        let record = try Fixtures.record(Fixtures.document(variables, encodeValues: false))
        #expect(record.callID == "100%41@198.51.100.20" && record.caller == "+12025550100")
        #expect(try Fixtures.record(Fixtures.document(variables)).callID == "100%41@198.51.100.20", "encoded, %41 is %2541")
    }

    @Test("the decision: the dialplan's tandem_decision over the 302's header; the header named in any case")
    func decision() throws {
        var variables = Fixtures.aLeg
        variables["tandem_decision"] = "set-by-dialplan"
        #expect(try Fixtures.record(Fixtures.document(variables)).decision == "set-by-dialplan")
        variables = Fixtures.aLeg
        variables["sip_rh_x-tandem-decision"] = variables.removeValue(forKey: "sip_rh_X-Tandem-Decision")
        #expect(try Fixtures.record(Fixtures.document(variables)).decision?.hasPrefix("1.1796694841.") == true)
        variables["sip_rh_x-tandem-decision"] = nil
        #expect(try Fixtures.record(Fixtures.document(variables)).decision == nil)
    }

    @Test("a malformed document is refused with the member at fault", arguments: [
        (["uuid": nil], "variables.uuid is missing"),
        (["start_uepoch": nil, "start_epoch": nil], "variables.start_uepoch is missing"),
        (["end_uepoch": "1796694800000000"], "variables.end_uepoch is before start_uepoch"),
        (["answer_uepoch": "1796694999000000"], "variables.answer_uepoch is not between start_uepoch and end_uepoch"),
        (["start_uepoch": "yesterday"], "variables.start_uepoch is not a Unix time"),
        (["sip_call_id": "a\u{1}b"], "variables.sip_call_id holds a control character"),
    ] as [([String: String?], String)])
    func malformed(changes: [String: String?], reason: String) {
        var variables = Fixtures.aLeg
        for (name, value) in changes { variables[name] = value }
        #expect(throws: CDRLineError(reason)) { try Fixtures.record(Fixtures.document(variables)) }
    }

    @Test("a body that is no CDR, or one too large, is refused with why")
    func notACDR() {
        let unanswered = Fixtures.document(Fixtures.unanswered([:]))
        let noCause = "variables.hangup_cause is missing, and no sip_term_status says how the call ended"
        #expect(throws: CDRLineError(noCause)) {
            try Fixtures.record(unanswered)
        }
        let badStatus = Fixtures.document(Fixtures.unanswered(["sip_term_status": "180"]))
        let provisional = "variables.sip_term_status 180 is not the final status of a call nobody answered"
        #expect(throws: CDRLineError(provisional)) {
            try Fixtures.record(badStatus)
        }
        let encoded = Fixtures.document(Fixtures.aLeg).replacingOccurrences(of: "%2B12025550100", with: "%ZZ12025550100")
        #expect(throws: CDRLineError("variables.sip_from_user is not URL-encoded (encode-values is true by default)")) {
            try Fixtures.record(encoded)
        }
        #expect(throws: CDRLineError("variables is missing")) { try Fixtures.record(#"{"core-uuid":"x"}"#) }
        #expect(throws: CDRLineError("variables.uuid has the wrong type")) {
            try Fixtures.record(#"{"variables":{"uuid":7}}"#)
        }
        #expect(throws: CDRLineError("not a JSON CDR")) { try Fixtures.record("{not json") }
        #expect(throws: CDRLineError("the document is neither JSON, URL-encoded nor base64")) {
            try Fixtures.record("<cdr/>")
        }
        #expect(throws: CDRLineError("the form has no cdr field")) {
            try FreeSWITCHJSONCDR(body: Array("uuid=5a3a".utf8), contentType: "application/x-www-form-urlencoded")
        }
        let huge = Array(repeating: UInt8(ascii: " "), count: FreeSWITCHJSONCDR.maximumDocumentBytes + 1)
        #expect(throws: CDRLineError("the document is larger than 1048576 bytes")) {
            try FreeSWITCHJSONCDR(document: huge)
        }
    }

    @Test("read twice, the same key and start: a re-import is repeated, not stored again")
    func idempotent() throws {
        let document = Fixtures.document(Fixtures.bLeg)
        #expect(try Fixtures.record(document) == Fixtures.record(document))
    }

    @Test("a B leg rates end to end: its Call-ID is the token's call, its Contact names the carrier")
    func rated() throws {
        let tokens = DecisionToken(key: SymmetricKey(data: Data(repeating: 5, count: 32)))
        let callID = Fixtures.bLeg["sip_call_id"]!
        let token = tokens.seal(CallDecision(
            decidedAt: 1_796_694_841, callDigest: CallDecision.digest(ofCallID: callID), kind: .outbound, accountId: "acc_acme",
            trunkId: "trk_acme_main", destination: "+19525918123", jurisdiction: .interstate,
            price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6),
            carriers: [ChosenCarrier(id: "car_bluegrass", rate: Rate(micros: 6_000, initialSeconds: 6, incrementSeconds: 6))]
        ))
        let variables = Fixtures.bLeg.merging(["sip_rh_X-Tandem-Decision": token]) { $1 }
        let rated = CDRRater(tokens: tokens, gateways: ["127.0.0.1:25182": ["car_bluegrass"]])
            .rate(try Fixtures.record(Fixtures.document(variables)))
        #expect(rated.problem == nil && rated.carrierId == "car_bluegrass")
        #expect(rated.rating?.price.amount == Money(micros: 11_000), "66 s at 10,000 µ a minute, 6/6")
        let aLeg = Fixtures.aLeg.merging(["sip_rh_X-Tandem-Decision": token]) { $1 }
        let aLegRated = CDRRater(tokens: tokens, gateways: [:]).rate(try Fixtures.record(Fixtures.document(aLeg)))
        #expect(aLegRated.problem == .otherCall, "the A leg's Call-ID is the caller's, not the one the 302 answered")
    }
}
