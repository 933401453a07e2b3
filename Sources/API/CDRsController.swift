import CallRecords
import CompressNIO
import Foundation
import Guard
import Hummingbird
import Observability
import Platform
import Rating

/// `/v1/cdrs`: the calls switches reported, rated. Switches (and the operator) report them: Tandem's JSON CDRs at
/// `POST /v1/cdrs`, a switch's own format at `POST /v1/cdrs/{format}`. Customers list their own; the operator all.
struct CDRsController: Sendable {
    let records: CallDetailRecords
    /// Given back each stored call's channel: a CDR means the call is over, whatever became of its end event.
    let channels: ChannelCounter
    /// Counts the CDRs stored, and the calls that lost money.
    let metrics: TandemMetrics
    let uploadBodyBytes: Int

    /// The most records one request reports.
    static let maximumPerRequest = 1_000

    /// The body of `POST /v1/cdrs`.
    struct Report: Decodable {
        var cdrs: [TandemCDR]
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("cdrs", use: list)
        group.get("cdrs/usage", use: usage)
        group.get("cdrs/export", use: export)
        group.get("cdrs/:id", use: show)
        let reports = group.group("cdrs").add(middleware: BodyLimitMiddleware(bytes: uploadBodyBytes))
        reports.post(use: report)
        reports.post("kamailio", use: reportKamailio)
        reports.post("freeswitch", use: reportFreeSWITCH)
        reports.post("freeswitch-csv", use: reportLines(.freeswitchCSV))
        reports.post("asterisk", use: reportLines(.asterisk))
    }

    /// GET /v1/cdrs: the records the caller may see, newest first, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        try json(try await records.records(Self.filter(request), page: request.page(), by: context.caller()), context: context)
    }

    /// GET /v1/cdrs/usage: calls, minutes and charges by UTC day and destination class.
    @Sendable func usage(_ request: Request, context: APIContext) async throws -> Response {
        struct Summary: Encodable { var data: [CDRUsage] }
        return try json(Summary(data: try await records.usage(Self.filter(request), by: context.caller())), context: context)
    }

    /// GET /v1/cdrs/export: the records the list would give, all of them, as CSV streamed a page at a time (gzip
    /// when the client accepts it).
    @Sendable func export(_ request: Request, context: APIContext) async throws -> Response {
        let filter = try Self.filter(request)
        let principal = try context.caller()
        // Refusals (a role, another tenant) are answered before the stream starts, as problems.
        _ = try await records.records(filter, page: PageRequest(limit: 1), by: principal)
        let gzip = request.headers[.acceptEncoding].map { $0.lowercased().contains("gzip") } ?? false
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"cdrs.csv\""]
        if gzip { headers[.contentEncoding] = "gzip" }
        let records = records
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var csv = CDRExport(gzip: gzip ? try ZlibCompressor(algorithm: .gzip) : nil, forOperator: principal.isOperator)
            try await writer.write(try csv.header())
            var cursor: String?
            repeat {
                let page = try await records.records(filter, page: PageRequest(limit: PageRequest.maximumLimit, cursor: cursor), by: principal)
                try await writer.write(try csv.lines(page.data))
                cursor = page.nextCursor
            } while cursor != nil
            try await writer.write(try csv.end())
            try await writer.finish(nil)
        })
    }

    /// The list's filter, from the query.
    private static func filter(_ request: Request) throws -> CDRFilter {
        CDRFilter(
            from: try request.query("from", as: Date.self), to: try request.query("to", as: Date.self),
            accountId: request.query("account_id"), trunkId: request.query("trunk_id"), number: request.query("number"),
            direction: try request.query("direction").map(Self.direction), rated: try request.query("rated").map(Self.flag)
        )
    }

    /// GET /v1/cdrs/{id}: one record, its rating explained.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await records.record(id: context.parameters.require("id"), by: context.caller()), context: context)
    }

    /// POST /v1/cdrs: Tandem's JSON CDRs, `{"cdrs": [...]}`; all stored, or none when one is malformed.
    @Sendable func report(_ request: Request, context: APIContext) async throws -> Response {
        try context.caller().requireSwitchOrOperator()
        var request = request
        let report = try await request.decodeJSON(as: Report.self, context: context)
        try Self.checkCount(report.cdrs.count)
        var problems: [String] = []
        var parsed: [CallDetailRecord] = []
        for (index, cdr) in report.cdrs.enumerated() {
            do throws(CDRLineError) {
                parsed.append(try records.checkingStart(cdr.record()))
            } catch {
                problems.append("cdrs[\(index)]: \(error)")
            }
        }
        return try await ingest(parsed, problems: problems, context: context)
    }

    /// POST /v1/cdrs/kamailio: the reference SBC's records as Kamailio writes them: acc_json's object, or an array
    /// of them (`application/json`), or lines of its CDR file (`text/plain`).
    @Sendable func reportKamailio(_ request: Request, context: APIContext) async throws -> Response {
        try context.caller().requireSwitchOrOperator()
        let format = CallDetailRecord.Format.kamailio
        var request = request
        let body = try await request.collectBody(context: context)
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            let objects = try Self.objects(Data(buffer: body))
            try Self.checkCount(objects.count)
            var problems: [String] = []
            var parsed: [CallDetailRecord] = []
            for (index, object) in objects.enumerated() {
                do throws(CDRLineError) {
                    parsed.append(try records.checkingStart(KamailioCDR(json: object).record.validated()))
                } catch {
                    problems.append("[\(index)]: \(error)")
                }
            }
            return try await ingest(parsed, problems: problems, context: context)
        }
        return try await ingestLines(body, format: format, timeZone: .gmt, context: context)
    }

    /// POST /v1/cdrs/freeswitch: one call leg as FreeSWITCH's mod_json_cdr posts it (raw JSON, its `cdr=` form, or
    /// base64; values URL-encoded or not).
    @Sendable func reportFreeSWITCH(_ request: Request, context: APIContext) async throws -> Response {
        try context.caller().requireSwitchOrOperator()
        var request = request
        let body = try await request.collectBody(context: context)
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? true,
            (try? JSONSerialization.jsonObject(with: Data(buffer: body))) == nil
        {
            throw Problem.malformedBody("the body is not valid JSON")
        }
        let parsed: Result<CallDetailRecord, CDRLineError> = Result { () throws(CDRLineError) in
            try records.checkingStart(
                FreeSWITCHJSONCDR(body: body.readableBytesView, contentType: request.headers[.contentType]).record.validated()
            )
        }
        switch parsed {
        case .success(let record): return try await ingest([record], problems: [], context: context)
        case .failure(let error): return try await ingest([], problems: ["[0]: \(error)"], context: context)
        }
    }

    /// POST /v1/cdrs/freeswitch-csv, /v1/cdrs/asterisk: lines of the switch's CSV file (`text/plain` or `text/csv`), its
    /// times in the `time_zone` the query names (an IANA name; UTC by default), as the switch writes them.
    func reportLines(_ format: CallDetailRecord.Format) -> @Sendable (Request, APIContext) async throws -> Response {
        { request, context in
            try context.caller().requireSwitchOrOperator()
            let zoneName = request.query("time_zone") ?? "UTC"
            guard let timeZone = TimeZone(identifier: zoneName) else {
                throw Problem.badRequest("is not a time zone name such as America/Chicago", field: "time_zone")
            }
            var request = request
            let body = try await request.collectBody(context: context)
            return try await ingestLines(body, format: format, timeZone: timeZone, context: context)
        }
    }

    /// Reads `body`'s lines in `format` and stores them, or none when a line is malformed.
    private func ingestLines(_ body: ByteBuffer, format: CallDetailRecord.Format, timeZone: TimeZone, context: APIContext) async throws -> Response {
        var problems: [String] = []
        var parsed: [CallDetailRecord] = []
        var number = 0
        for line in body.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            guard !trimmed.isEmpty else { continue }
            do throws(CDRLineError) {
                parsed.append(try records.checkingStart(format.record(fromLine: ArraySlice(trimmed), timeZone: timeZone)))
            } catch {
                problems.append("line \(number): \(error)")
            }
        }
        try Self.checkCount(parsed.count + problems.count)
        return try await ingest(parsed, problems: problems, context: context)
    }

    /// Stores `parsed` when nothing in the request was malformed; answers what became of them.
    private func ingest(_ parsed: [CallDetailRecord], problems: [String], context: APIContext) async throws -> Response {
        guard problems.isEmpty else {
            throw Problem.malformedItems(problems, of: parsed.count + problems.count, code: "invalid-cdrs", title: "Malformed CDRs",
                                         items: "records", outcome: "none was stored")
        }
        let outcome = try await records.ingest(parsed)
        for record in parsed { channels.ended(record.callID) }
        metrics.cdrsStored.increment(by: Int64(outcome.stored))
        metrics.cdrsLosingMoney.increment(by: Int64(outcome.losingMoney))
        return try json(Received(received: parsed.count, outcome: outcome), context: context)
    }

    /// What a report came to.
    struct Received: Encodable {
        var received: Int
        var stored: Int
        var repeated: Int
        var rated: Int

        init(received: Int, outcome: IngestOutcome) {
            (self.received, stored, repeated, rated) = (received, outcome.stored, outcome.repeated, outcome.rated)
        }
    }

    /// acc_json's objects: one, or an array of them, every value a string (or null).
    private static func objects(_ data: Data) throws -> [[String: String?]] {
        let decoder = JSONDecoder()
        if let one = try? decoder.decode([String: String?].self, from: data) { return [one] }
        guard let many = try? decoder.decode([[String: String?]].self, from: data) else {
            throw Problem.malformedBody("the body is neither an acc_json CDR object (string values) nor an array of them")
        }
        return many
    }

    private static func checkCount(_ count: Int) throws {
        guard count > 0 else { throw Problem.badRequest("the request holds no CDR", field: "cdrs") }
        guard count <= maximumPerRequest else {
            throw Problem.badRequest("at most \(maximumPerRequest) CDRs a request", field: "cdrs")
        }
    }

    private static func direction(_ text: String) throws -> CallDecision.Kind {
        switch text {
        case "outbound": .outbound
        case "inbound": .inbound
        case "emergency": .emergency
        default: throw Problem.badRequest("must be outbound, inbound or emergency", field: "direction")
        }
    }

    private static func flag(_ text: String) throws -> Bool {
        switch text {
        case "true": true
        case "false": false
        default: throw Problem.badRequest("must be true or false", field: "rated")
        }
    }
}
