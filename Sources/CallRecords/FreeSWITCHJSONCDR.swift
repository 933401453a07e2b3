import Foundation

/// One call leg as FreeSWITCH's mod_json_cdr reports it (`switch_ivr_generate_json_cdr`): a JSON document whose
/// `variables` object holds the channel's variables, every value a string, URL-encoded unless `encode-values` is false
/// (json_cdr.conf.xml; true by default). A and B legs are reported alike, each with its own `uuid`; a B leg's
/// `sip_call_id` is the Call-ID of the INVITE FreeSWITCH sent, the one Tandem's 302 answered.
///
/// What is read, from `variables` unless said:
/// - the key: `uuid`; the Call-ID: `sip_call_id` (a leg without one, not SIP, is known by its `uuid`);
/// - times: `start_uepoch`, `answer_uepoch` (`0` when nobody answered), `end_uepoch`, in microseconds (each
///   `*_epoch`, whole seconds, when the microseconds are missing); billed from the answer to the end;
/// - the SIP status: 200 for an answered leg; else `sip_term_status` (the final status of the leg), else
///   `sip_invite_failure_status` (a leg FreeSWITCH cancelled), else `hangup_cause` through
///   ``FreeSWITCHHangupCause``;
/// - the caller: the newest `callflow` entry's `caller_profile.caller_id_number`, else `sip_from_user`; what was
///   dialed: `sip_req_user` (an A leg's Request-URI), else `sip_to_user` (a B leg's), else the profile's
///   `destination_number` (`caller_id_number` and `destination_number` are caller-profile fields, not in
///   `variables`); the source: `sip_network_ip`, else the profile's `network_addr`;
/// - the gateway: `sip_redirected_to`, the first Contact of the 3xx the leg got (FreeSWITCH follows that one on the
///   same leg unless `manual-redirect` is set), else `sip_destination_url`, the URI an outbound leg was sent to;
/// - the decision token: `tandem_decision`, a variable the operator's dialplan may set, else
///   `sip_rh_X-Tandem-Decision`: mod_sofia keeps the `X-` headers of every final response to an INVITE, the 302's
///   included, as `sip_rh_<name>` on the leg that got it, and copies them to its partner unless
///   `sip_copy_custom_headers` is false (`sofia_glue_set_extra_headers`, sofia.c).
public struct FreeSWITCHJSONCDR: Sendable, Hashable {
    public var uuid: String
    public var callID: String
    /// Unix milliseconds.
    public var setupAt: Int64
    public var answeredAt: Int64?
    public var endedAt: Int64
    /// From the answer to the end, to the millisecond; 0 for a leg nobody answered.
    public var durationMs: Int64
    public var sipCode: Int
    public var source: String
    public var caller: String
    public var dialed: String
    /// `nil` when the leg names none (``CallDetailRecord/unknownGateway``).
    public var gateway: String?
    public var decision: String?

    /// The largest document read, as it arrives (encoded or not): a CDR is tens of kilobytes.
    public static let maximumDocumentBytes = 1 << 20

    /// A document as mod_json_cdr POSTs it: `application/json` (the default), `application/x-www-form-urlencoded`
    /// (`encode` true: `cdr=` and the URL-encoded JSON) or `application/x-www-form-base64-encoded` (`encode` base64:
    /// `cdr=` and the base64 JSON); another or no Content-Type is read as ``init(document:)`` reads a file.
    public init(body: some Collection<UInt8>, contentType: String?) throws(CDRLineError) {
        guard body.count <= Self.maximumDocumentBytes else {
            throw CDRLineError("the document is larger than \(Self.maximumDocumentBytes) bytes")
        }
        let bytes = Array(body)
        switch contentType?.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
        case "application/json": try self.init(json: bytes)
        case "application/x-www-form-urlencoded": try self.init(json: Self.urlDecoded(Self.formField(bytes)))
        case "application/x-www-form-base64-encoded": try self.init(json: Self.base64Decoded(Self.formField(bytes)))
        default: try self.init(document: bytes)
        }
    }

    /// A document as mod_json_cdr writes it to a file: the JSON in its `log-dir` (`<uuid>.cdr.json`), or, in its
    /// `err-log-dir`, what it failed to POST: the JSON, URL-encoded or base64, with or without `cdr=`.
    public init(document: some Collection<UInt8>) throws(CDRLineError) {
        guard document.count <= Self.maximumDocumentBytes else {
            throw CDRLineError("the document is larger than \(Self.maximumDocumentBytes) bytes")
        }
        var bytes = Array(document).trimmed
        if bytes.starts(with: Self.formPrefix) { bytes.removeFirst(Self.formPrefix.count) }
        switch bytes.first {
        case UInt8(ascii: "{"): try self.init(json: bytes)
        case UInt8(ascii: "%"): try self.init(json: Self.urlDecoded(bytes))
        default: try self.init(json: Self.base64Decoded(bytes))
        }
    }

    /// The call as Tandem stores it: billed from the answer, a started second counting whole.
    public var record: CallDetailRecord {
        CallDetailRecord(
            format: .freeswitchJSON, key: uuid, callID: callID, setupAt: setupAt, answeredAt: answeredAt,
            startedAt: answeredAt ?? setupAt, endedAt: endedAt, durationMs: durationMs,
            billableSeconds: (durationMs + 999) / 1_000, sipCode: sipCode, source: source, caller: caller,
            dialed: dialed, gateway: gateway ?? CallDetailRecord.unknownGateway, decision: decision
        )
    }

    // MARK: - Reading the JSON

    private init(json: [UInt8]) throws(CDRLineError) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(json))
        } catch {
            throw CDRLineError(Self.reason(error))
        }
        let variables = FreeSWITCHVariables(document.variables)
        let profile = document.callflow?.callerProfile
        func nonEmpty(_ value: String?) -> String? { value?.isEmpty == false ? value : nil }
        guard let uuid = try variables["uuid"] else { throw CDRLineError("variables.uuid is missing") }
        self.uuid = uuid
        callID = try variables["sip_call_id"] ?? uuid
        let start = try variables.microseconds("start", required: true)
        let answer = try variables.microseconds("answer", required: false)
        let end = try variables.microseconds("end", required: true)
        guard end >= start else { throw CDRLineError("variables.end_uepoch is before start_uepoch") }
        guard answer == 0 || (start...end).contains(answer) else {
            throw CDRLineError("variables.answer_uepoch is not between start_uepoch and end_uepoch")
        }
        (setupAt, endedAt) = ((start + 500) / 1_000, (end + 500) / 1_000)
        answeredAt = answer == 0 ? nil : (answer + 500) / 1_000
        durationMs = answer == 0 ? 0 : (end - answer + 500) / 1_000
        sipCode = try answer == 0 ? variables.failureStatus() : 200
        source = try variables.first("sip_network_ip") ?? nonEmpty(profile?.networkAddr) ?? ""
        let fromUser = try variables.first("sip_from_user")
        caller = nonEmpty(profile?.callerIdNumber) ?? fromUser ?? ""
        dialed = try variables.first("sip_req_user", "sip_to_user") ?? nonEmpty(profile?.destinationNumber) ?? ""
        gateway = try variables.first("sip_redirected_to", "sip_destination_url")
        let headerDecision = try variables.named(caseInsensitively: "sip_rh_x-tandem-decision")
        decision = try variables.first("tandem_decision") ?? headerDecision
        for (name, value) in [("caller_id_number", caller), ("destination_number", dialed), ("network_addr", source)]
        where value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw CDRLineError("callflow caller_profile.\(name) holds a control character")
        }
    }

    /// What mod_json_cdr writes that Tandem reads: `variables`, and the caller profile of `callflow`'s first entry (an
    /// array, newest profile first; in older FreeSWITCH a `callflow` member repeated per profile, newest first).
    private struct Document: Decodable {
        var variables: [String: String]
        var callflow: Callflow?

        struct Callflow: Decodable {
            var callerProfile: Profile?
            enum CodingKeys: String, CodingKey { case callerProfile = "caller_profile" }
        }

        struct Profile: Decodable {
            var callerIdNumber: String?
            var destinationNumber: String?
            var networkAddr: String?
            enum CodingKeys: String, CodingKey {
                case callerIdNumber = "caller_id_number", destinationNumber = "destination_number"
                case networkAddr = "network_addr"
            }
        }

        enum CodingKeys: String, CodingKey { case variables, callflow }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            variables = try container.decode([String: String].self, forKey: .variables)
            if let flows = try? container.decodeIfPresent([Callflow].self, forKey: .callflow) {
                callflow = flows.first
            } else {
                callflow = try container.decodeIfPresent(Callflow.self, forKey: .callflow)
            }
        }
    }

    /// A decoding error in a phrase naming the member at fault.
    private static func reason(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            return "\(path(context.codingPath)) has the wrong type"
        default: return "not a JSON CDR"
        }
    }

    // MARK: - Encodings

    private static let formPrefix = Array("cdr=".utf8)

    /// The `cdr` field of a form body, as sent.
    private static func formField(_ body: [UInt8]) throws(CDRLineError) -> ArraySlice<UInt8> {
        guard let field = body.split(separator: UInt8(ascii: "&")).first(where: { $0.starts(with: formPrefix) }) else {
            throw CDRLineError("the form has no cdr field")
        }
        return field.dropFirst(formPrefix.count)
    }

    /// Form-decoded (`+` a space, `%XX` a byte), as `application/x-www-form-urlencoded` is.
    private static func urlDecoded(_ bytes: some Collection<UInt8>) throws(CDRLineError) -> [UInt8] {
        guard let decoded = PercentDecoding.decode(bytes, plusIsSpace: true) else {
            throw CDRLineError("the document is not URL-encoded")
        }
        return decoded
    }

    /// Base64-decoded, line ends and blanks aside.
    private static func base64Decoded(_ bytes: some Collection<UInt8>) throws(CDRLineError) -> [UInt8] {
        guard let data = Data(base64Encoded: String(decoding: bytes.filter { $0 > 0x20 }, as: UTF8.self)) else {
            throw CDRLineError("the document is neither JSON, URL-encoded nor base64")
        }
        return Array(data)
    }
}

extension [UInt8] {
    /// Without leading and trailing ASCII whitespace.
    fileprivate var trimmed: [UInt8] {
        let isBlank = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return []
        }
        return Array(self[first...last])
    }
}
