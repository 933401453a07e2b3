import API
import CallRecords
import CompressNIO
import Guard
import Foundation
import Hummingbird
import HummingbirdTesting
import Rating
import Routing
import TestSupport
import Testing
import Timekeeping

/// `/v1/cdrs` end to end over the router: switches report, customers and the operator read.
@Suite("API CDRs")
struct CDRsAPITests {
    /// A decision for Acme's outbound call `callID`, sealed with the tests' server key, routed to the fixture's carrier.
    static func token(_ callID: String, fixture: Fixture) -> String {
        Fixture.decisionTokens.seal(CallDecision(
            decidedAt: WallClock.system.unixSeconds() - 200, callDigest: CallDecision.digest(ofCallID: callID), kind: .outbound,
            accountId: fixture.acme.accountId, trunkId: fixture.acmeTrunk.id, destination: "+19525918123", jurisdiction: .interstate,
            price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6),
            carriers: [ChosenCarrier(id: fixture.carrier.id, rate: Rate(micros: 6_000, initialSeconds: 6, incrementSeconds: 6))]
        ))
    }

    /// acc_json's object for a call of 121.205 s that started 150 s ago, answered at the fixture carrier's gateway.
    static func accJSON(_ callID: String, decision: String, start: Int64) -> String {
        """
        {"start_time": "\(start).092", "end_time": "\(start + 121).297", "duration": "121.205", "callid": "\(callID)", \
        "setup_time": "\(start - 4).082787", "answer_time": "\(start).092113", "src_ip": "192.0.2.10", "caller": "+12025550100", \
        "dialed": "+19525918123", "gateway": "sip:+19525918123;npdi@198.51.100.40;user=phone", "decision": "\(decision)"}
        """
    }

    @Test("the SBC's pushed CDR and the same call read again from its file are stored once, rated; a customer sees its price",
          arguments: TestDatabase.available)
    func kamailio(_ database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let start = WallClock.system.unixSeconds() - 150
            let token = Self.token("k1@192.0.2.10", fixture: fixture)
            let basic = "Basic " + Data("switch:\(fixture.switchKey)".utf8).base64EncodedString()
            let pushed = try await client.execute(
                uri: "/v1/cdrs/kamailio", method: .post,
                headers: [.authorization: basic, .contentType: "application/json"],
                body: ByteBuffer(string: Self.accJSON("k1@192.0.2.10", decision: token, start: start))
            )
            #expect(pushed.status == .ok, "\(pushed.text)")
            #expect(pushed.object["stored"] as? Int == 1 && pushed.object["rated"] as? Int == 1)
            let line = "\(start)|\(start + 121)|121.205000|k1@192.0.2.10|\(start - 4).082787|\(start).092113|192.0.2.10|+12025550100|"
                + "+19525918123|sip:+19525918123;npdi@198.51.100.40;user=phone|\(token)\n"
            let fromFile = try await client.send(.post, "/v1/cdrs/kamailio", key: fixture.switchKey, json: line, contentType: "text/plain")
            #expect(fromFile.object["stored"] as? Int == 0 && fromFile.object["repeated"] as? Int == 1, "\(fromFile.text)")

            let operatorView = try await client.send(.get, "/v1/cdrs", key: fixture.operatorKey)
            let record = try #require(operatorView.items.first)
            #expect(operatorView.items.count == 1)
            #expect((record["price"] as? [String: Any])?["amount"] as? String == "0.021", "121.205 s: 122 s, billed as 126 s at 6/6")
            #expect((record["cost"] as? [String: Any])?["amount"] as? String == "0.0126")
            #expect(record["carrier_id"] as? String == fixture.carrier.id && record["margin"] as? String == "0.0084")
            let acmeView = try await client.send(.get, "/v1/cdrs?number=%2B19525918123", key: fixture.acmeKey)
            let acme = try #require(acmeView.items.first)
            #expect(acme["cost"] == nil && acme["carrier_id"] == nil && acme["gateway"] == nil && acme["margin"] == nil)
            #expect(try await client.send(.get, "/v1/cdrs", key: fixture.globexKey).items.isEmpty)

            let id = try #require(acme["id"] as? String)
            let explained = try await client.send(.get, "/v1/cdrs/\(id)", key: fixture.acmeKey)
            let steps = (explained.object["price"] as? [String: Any])?["explanation"] as? [String] ?? []
            #expect(steps.last == "total 0.021", "\(explained.text)")
            #expect((explained.object["decision"] as? [String])?.first?.hasPrefix("outbound call, routed at ") == true)
            #expect(try await client.send(.get, "/v1/cdrs/\(id)", key: fixture.globexKey).status == .notFound)
        }
    }

    @Test("a request with a malformed record stores none, and names each; bad input to the list is a 400",
          arguments: TestDatabase.available)
    func malformed(_ database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let body = """
                {"cdrs": [
                  {"call_id": "ok", "answered_at": "2026-11-20T15:04:05Z", "ended_at": "2026-11-20T15:05:05Z", "caller": "+12025550100", "dialed": "+19525918123", "gateway": "sip:x@198.51.100.40"},
                  {"call_id": "missed", "ended_at": "2026-11-20T15:05:05Z", "caller": "+12025550100", "dialed": "+19525918123", "gateway": "sip:x@198.51.100.40"},
                  {"call_id": "backwards", "answered_at": "2026-11-20T15:04:05Z", "ended_at": "2026-11-20T15:03:05Z", "caller": "a", "dialed": "b", "gateway": "sip:x@198.51.100.40"}
                ]}
                """
            let refused = try await client.send(.post, "/v1/cdrs", key: fixture.switchKey, json: body)
            #expect(refused.status == .unprocessableContent && refused.problemType == "urn:tandem:problem:invalid-cdrs")
            #expect(refused.object["errors"] as? [String] == [
                "cdrs[1]: sip_code is required for a call without answered_at", "cdrs[2]: the call ends before it starts",
            ])
            let lines = "1795705445|1795705566|121.2|c|1795705441.1|1795705445.1|ip|a|b|sip:x@y|\nnot a cdr\n"
            let badLine = try await client.send(.post, "/v1/cdrs/kamailio", key: fixture.switchKey, json: lines, contentType: "text/plain")
            #expect(badLine.object["errors"] as? [String] == [
                "line 2: 1 columns, not 12 (start_time|end_time|duration|callid|setup_time|answer_time|src_ip|caller|dialed|gateway|decision|from_tag)",
            ])
            let badJSON = try await client.send(.post, "/v1/cdrs/kamailio", key: fixture.switchKey, json: #"{"callid": 7}"#)
            #expect(badJSON.status == .badRequest && badJSON.problemType == "urn:tandem:problem:malformed-body")
            let missing = try await client.send(.post, "/v1/cdrs/kamailio", key: fixture.switchKey, json: #"{"callid": "x"}"#)
            #expect(missing.object["errors"] as? [String] == ["[0]: start_time is missing"])
            #expect(try await client.send(.get, "/v1/cdrs", key: fixture.operatorKey).items.isEmpty, "nothing was stored")
            for query in ["from=yesterday", "direction=sideways", "rated=maybe", "cursor=x"] {
                #expect(try await client.send(.get, "/v1/cdrs?\(query)", key: fixture.operatorKey).status == .badRequest, "\(query)")
            }
            let many = #"{"cdrs": ["# + Array(repeating: #"{"call_id": "x", "ended_at": "2026-11-20T15:05:05Z", "caller": "a", "dialed": "b", "gateway": "g"}"#, count: 1_001).joined(separator: ",") + "]}"
            #expect(try await client.send(.post, "/v1/cdrs", key: fixture.switchKey, json: many).status == .badRequest)
        }
    }

    @Test("a switch's key reports CDRs and does nothing else; a wrong key in Basic is a 401", arguments: [TestDatabase.sqlite])
    func switchRole(_ database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/cdrs"), (.get, "/v1/numbers"), (.get, "/v1/me"), (.post, "/v1/accounts")] {
                #expect(try await client.send(method, uri, key: fixture.switchKey, json: method == .post ? "{}" : nil).status == .forbidden, "\(uri)")
            }
            let wrong = "Basic " + Data("switch:tdm_not_a_key".utf8).base64EncodedString()
            let refused = try await client.execute(
                uri: "/v1/cdrs/kamailio", method: .post, headers: [.authorization: wrong, .contentType: "text/plain"], body: ByteBuffer(string: "x\n")
            )
            #expect(refused.status == .unauthorized)
            // A customer reporting its own calls would set its own price: refused.
            let body = #"{"cdrs": [{"call_id": "x", "answered_at": "2026-11-20T15:04:05Z", "ended_at": "2026-11-20T15:05:05Z", "caller": "a", "dialed": "b", "gateway": "g"}]}"#
            #expect(try await client.send(.post, "/v1/cdrs", key: fixture.acmeKey, json: body).status == .forbidden)
            let stored = try await client.send(.post, "/v1/cdrs", key: fixture.switchKey, json: body)
            #expect(stored.object["stored"] as? Int == 1 && stored.object["rated"] as? Int == 0, "no token: stored, unrated")
            let unrated = try await client.send(.get, "/v1/cdrs?rated=false", key: fixture.operatorKey).items
            #expect(unrated.first?["problem"] as? String == "no-decision")
        }
    }
}

@Suite("API channels")
struct ChannelsAPITests {
    @Test("the switch's events and the calls' CDRs give channels back; a trunk shows what it has in use; bad lines change nothing")
    func events() async throws {
        try await TestDatabase.sqlite.withStore { store in
            let fixture = try await Fixture.make(store)
            let channels = ChannelCounter()
            let router = buildRouter(fixture.apiDependencies(routing: RoutingTable(), channels: channels), limits: .forTests)
            try await Application(router: router).test(.router) { client in
                let trunk = fixture.acmeTrunk.id
                for call in ["c1", "c2", "c3"] { #expect(channels.take(trunk: trunk, limit: 3, callID: call)) }
                let events = "answered c1\nanswered c2\nended c2\nended unknown\n"
                let applied = try await client.send(.post, "/v1/channels/events", key: fixture.switchKey, json: events, contentType: "text/plain")
                #expect(applied.object["received"] as? Int == 4 && applied.object["matched"] as? Int == 3, "\(applied.text)")
                let usage = try await client.send(.get, "/v1/trunks/\(trunk)/channels", key: fixture.acmeKey)
                #expect(usage.object["in_use"] as? Int == 2 && usage.object["answered"] as? Int == 1 && usage.object["ringing"] as? Int == 1)
                #expect(usage.object["max_channels"] as? Int == fixture.acmeTrunk.maxChannels)
                #expect(try await client.send(.get, "/v1/trunks/\(trunk)/channels", key: fixture.globexKey).status == .notFound)

                let bad = try await client.send(.post, "/v1/channels/events", key: fixture.switchKey, json: "ended c1\nhung-up c3\n", contentType: "text/plain")
                #expect(bad.status == .unprocessableContent && bad.object["errors"] as? [String] == ["line 2: not `answered CALL-ID` or `ended CALL-ID`"])
                #expect(channels.usage(of: trunk).inUse == 2, "nothing applied")

                // c1's CDR: the call is over, whatever became of its end event.
                let cdr = #"{"cdrs": [{"call_id": "c1", "answered_at": "2026-11-20T15:04:05Z", "ended_at": "2026-11-20T15:05:05Z", "caller": "a", "dialed": "b", "gateway": "g"}]}"#
                #expect(try await client.send(.post, "/v1/cdrs", key: fixture.switchKey, json: cdr).status == .ok)
                #expect(channels.usage(of: trunk) == .init(ringing: 1, answered: 0))
                #expect(try await client.send(.post, "/v1/channels/events", key: fixture.acmeKey, json: "ended c3\n", contentType: "text/plain").status == .forbidden)
            }
        }
    }
}

@Suite("API CDR usage and export")
struct CDRUsageExportAPITests {
    /// Three of Acme's calls yesterday, one answered for 61 s, one for 1 s, one unanswered; and one of Globex's.
    static func report(_ fixture: Fixture) -> String {
        let yesterday = Date().addingTimeInterval(-86_400)
        func at(_ offset: Double) -> String { yesterday.addingTimeInterval(offset).formatted(.iso8601) }
        func cdr(_ id: String, answered: String?, ended: String, account: Fixture) -> String {
            let token = CDRsAPITests.token(id, fixture: fixture)
            let answer = answered.map { #""answered_at": "\#($0)", "# } ?? #""setup_at": "\#(at(0))", "sip_code": 486, "#
            return #"{"call_id": "\#(id)", \#(answer)"ended_at": "\#(ended)", "caller": "+12025550100", "dialed": "+1,952", "gateway": "sip:+19525918123;npdi@198.51.100.40", "decision": "\#(token)"}"#
        }
        return #"{"cdrs": ["# + [
            cdr("u1", answered: at(0), ended: at(61), account: fixture),
            cdr("u2", answered: at(100), ended: at(101), account: fixture),
            cdr("u3", answered: nil, ended: at(130), account: fixture),
        ].joined(separator: ",") + "]}"
    }

    @Test("a summary by day and destination class; a CSV export, plain or gzipped, a customer's without costs",
          arguments: TestDatabase.available)
    func usageAndExport(_ database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let stored = try await client.send(.post, "/v1/cdrs", key: fixture.switchKey, json: Self.report(fixture))
            #expect(stored.object["stored"] as? Int == 3, "\(stored.text)")
            let usage = try await client.send(.get, "/v1/cdrs/usage", key: fixture.operatorKey)
            let rows = usage.object["data"] as? [[String: Any]] ?? []
            #expect(rows.count == 1, "\(usage.text)")
            #expect(rows.first?["calls"] as? Int == 3 && rows.first?["answered"] as? Int == 2 && rows.first?["billable_seconds"] as? Int == 62)
            #expect(rows.first?["price"] as? String == "0.012" && rows.first?["cost"] as? String == "0.0072", "66 + 6 s at 0.01 and 0.006")
            #expect(rows.first?["direction"] as? String == "outbound" && rows.first?["jurisdiction"] as? String == "interstate")
            let acmeUsage = try await client.send(.get, "/v1/cdrs/usage", key: fixture.acmeKey)
            #expect((acmeUsage.object["data"] as? [[String: Any]])?.first?["cost"] == nil)
            #expect(try await client.send(.get, "/v1/cdrs/usage", key: fixture.globexKey).object["data"] as? [Any] != nil)
            let tooLong = try await client.send(.get, "/v1/cdrs/usage?from=2020-01-01T00:00:00Z", key: fixture.operatorKey)
            #expect(tooLong.status == .badRequest)

            let plain = try await client.send(.get, "/v1/cdrs/export", key: fixture.acmeKey)
            #expect(plain.status == .ok && plain.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = plain.text.split(separator: "\r\n").map(String.init)
            #expect(lines.count == 4 && lines[0].hasPrefix("id,call_id,direction,") && !lines[0].contains("cost"))
            #expect(lines.dropFirst().allSatisfy { $0.contains("\"+1,952\"") }, "a comma in a field is quoted")
            var gzipped = try await client.execute(
                uri: "/v1/cdrs/export?rated=true", method: .get,
                headers: [.authorization: "Bearer \(fixture.operatorKey)", .acceptEncoding: "gzip"], body: nil
            ).body
            let unzipped = String(buffer: try gzipped.decompress(with: .gzip()))
            let operatorLines = unzipped.split(separator: "\r\n")
            #expect(operatorLines.count == 4 && operatorLines[0].hasSuffix("cost_status,cost,margin,carrier_id,gateway"))
            #expect(try await client.send(.get, "/v1/cdrs/export", key: fixture.agentKey).status == .forbidden)
        }
    }
}

@Suite("API CDRs in the switches' own formats")
struct SwitchFormatsAPITests {
    @Test("Asterisk and FreeSWITCH CSV lines in the switch's time zone, and a mod_json_cdr leg as its form post")
    func formats() async throws {
        try await withAPI(.sqlite) { fixture, client in
            let asterisk = #""acme","+12025550100","+19525918123","from-trunk","""Alice"" <+12025550100>","PJSIP/acme-00000001","#
                + #""PJSIP/tandem-00000002","Dial","PJSIP/+19525918123@tandem,30","2026-11-20 09:04:01","2026-11-20 09:04:03","#
                + #""2026-11-20 09:05:08",67,65,"ANSWERED","DOCUMENTATION""# + "\n"
            let stored = try await client.send(
                .post, "/v1/cdrs/asterisk?time_zone=America/Chicago", key: fixture.switchKey, json: asterisk, contentType: "text/plain"
            )
            #expect(stored.object["stored"] as? Int == 1, "\(stored.text)")
            let zone = try await client.send(.post, "/v1/cdrs/asterisk?time_zone=Mars/Olympus", key: fixture.switchKey, json: asterisk,
                                             contentType: "text/plain")
            #expect(zone.status == .badRequest && zone.problemField == "time_zone")
            let records = try await client.send(.get, "/v1/cdrs?rated=false", key: fixture.operatorKey).items
            let started = records.first { $0["format"] as? String == "asterisk" }?["started_at"] as? String
            #expect(started == "2026-11-20T15:04:03Z", "09:04:03 in Chicago (UTC-6) is the answer, billing's start")

            let csv = #""Alice","+12025550100","+19525918123","public","2026-11-20 09:04:01","2026-11-20 09:04:03","#
                + #""2026-11-20 09:05:08","67","65","NORMAL_CLEARING","5a3a1d91-90d3-4db4-af5c-cc3ae15d93a4","#
                + #""9c1afb4f-1d4a-4e45-84a3-d25721981bf5", "acme""# + "\n"
            let fromCSV = try await client.send(
                .post, "/v1/cdrs/freeswitch-csv?time_zone=America/Chicago", key: fixture.switchKey, json: csv, contentType: "text/plain"
            )
            #expect(fromCSV.object["stored"] as? Int == 1, "\(fromCSV.text)")

            let document = #"{"variables": {"uuid": "leg-1", "sip_call_id": "c-9", "start_uepoch": "1795705441000000", "answer_uepoch": "1795705443000000", "end_uepoch": "1795705508000000", "billsec": "65", "sip_from_user": "%2B12025550100", "sip_req_user": "%2B19525918123", "sip_network_ip": "127.0.0.1", "sip_redirected_to": "sip%3A%2B19525918123%40198.51.100.40", "start_stamp": "2026-11-20%2009%3A04%3A01"}}"#
            let form = "cdr=" + document.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let leg = try await client.send(.post, "/v1/cdrs/freeswitch", key: fixture.switchKey, json: form,
                                            contentType: "application/x-www-form-urlencoded")
            #expect(leg.object["stored"] as? Int == 1, "\(leg.text)")
            let again = try await client.send(.post, "/v1/cdrs/freeswitch", key: fixture.switchKey, json: document)
            #expect(again.object["repeated"] as? Int == 1, "the same leg raw: stored once, by its uuid")
        }
    }
}
