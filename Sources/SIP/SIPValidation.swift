// MARK: - Request validation

extension SIPRequest {
    /// The headers RFC 3261 §8.1.1 requires in every request, in canonical spelling.
    public static let requiredHeaders = requiredHeaderKeys.map(\.0)

    /// The headers of ``requiredHeaders`` this request lacks, in that order (RFC 3261 §8.1.1).
    public var missingRequiredHeaders: [String] {
        requiredHeaderKeys.compactMap { self.headers[known: $0.1] == nil ? $0.0 : nil }
    }

    /// Checks what a server needs before it processes a request, beyond the syntax ``SIPParser`` checks.
    ///
    /// In order: the version is `SIP/2.0` (otherwise the answer is `505`, RFC 3261 §21.5.26); the Request-URI has no
    /// `?headers` (RFC 3261 §19.1.1, table 1); every header of ``requiredHeaders`` is present (§8.1.1); To,
    /// From, Call-ID, CSeq and Max-Forwards appear once (§7.3.1); From, To, Via, Contact, CSeq and Max-Forwards
    /// parse, with CSeq below 2³¹ and Max-Forwards at most 255 (§8.1.1.5, §20.22); the CSeq method is the
    /// request method (§8.1.1.5); and a Date, if present, is an RFC 1123 date in GMT (§20.17).
    ///
    /// - Parameter requiringMaxForwards: pass `false` to accept requests without Max-Forwards, as RFC 2543
    ///   elements send them (RFC 4475 §3.1.1.13 `inv2543`); a proxy would add one (RFC 3261 §16.6 step 3).
    /// - Returns: the values validation parsed, so that the caller need not parse them again.
    /// - Throws: ``SIPParseError`` with the first problem; its ``SIPParseError/suggestedStatus`` is the answer.
    @discardableResult
    public func validate(requiringMaxForwards: Bool = true) throws(SIPParseError) -> SIPValidatedHeaders {
        guard self.version == .sip2 else {
            throw SIPParseError(.unsupportedVersion, "SIP version \(self.version) is not supported")
        }
        if !self.uri.headers.isEmpty {
            throw SIPParseError(.badRequestURI, "Request-URI must not contain headers")
        }
        // Nearly every request has them all: look before building the list of what is missing.
        let lacksOne = requiredHeaderKeys.contains { name, key in
            self.headers[known: key] == nil && (requiringMaxForwards || name != "Max-Forwards")
        }
        let missing = lacksOne ? self.missingRequiredHeaders.filter { requiringMaxForwards || $0 != "Max-Forwards" } : []
        if let first = missing.first {
            throw SIPParseError(
                .missingRequiredHeader,
                "Missing required header\(missing.count > 1 ? "s" : ""): \(missing.joined(separator: ", "))",
                header: first
            )
        }
        let validated = try validateCommonHeaders(self.headers)
        try checkContacts(self.headers)
        if let cseq = validated.cseq, cseq.method != self.method {
            throw SIPParseError(.cseqMethodMismatch, "CSeq method does not match the request method", header: "CSeq")
        }
        return validated
    }
}

// MARK: - Response validation

extension SIPResponse {
    /// The headers RFC 3261 §8.2.6.2 copies into every response, in canonical spelling.
    public static let requiredHeaders = ["From", "To", "Call-ID", "CSeq", "Via"]

    /// Checks a received response: version `SIP/2.0`, the headers of ``requiredHeaders`` present once (Via at
    /// least once) and parseable, CSeq below 2³¹ (RFC 3261 §8.1.3, §8.1.1.5; RFC 4475 §3.1.2.5).
    public func validate() throws(SIPParseError) {
        guard self.version == .sip2 else {
            throw SIPParseError(.unsupportedVersion, "SIP version \(self.version) is not supported")
        }
        if let missing = Self.requiredHeaders.first(where: { !self.headers.contains($0) }) {
            throw SIPParseError(.missingRequiredHeader, "Missing required header: \(missing)", header: missing)
        }
        _ = try validateCommonHeaders(self.headers)
        try checkContacts(self.headers)
    }
}

// MARK: - Validated headers

/// The header values that validation parsed (RFC 3261 §8.1.1), kept so that a server answering the message
/// reads each of them once.
///
/// Validation checks From and To without building them; ``from`` and ``to`` parse them when asked, and
/// ``fromUser`` reads the one part of From that a server routing by the caller needs.
public struct SIPValidatedHeaders: Sendable, Hashable {
    /// The top Via value (RFC 3261 §18.2.1): where a response goes, and the transaction's branch.
    public var topVia: SIPVia?
    /// The CSeq.
    public var cseq: SIPCSeq?
    /// Max-Forwards, 0–255.
    public var maxForwards: Int?
    /// Who From's URI names, read without parsing the rest of From: its user part percent-decoded (RFC 3261
    /// §19.1.2; a `tel` URI's telephone-subscriber), else for schemes other than sip, sips and tel everything after
    /// the colon, as ``SIPURI/user`` and ``SIPURI/opaque`` give them; empty when there is neither.
    public let fromUser: String?
    /// The From value as validated.
    private let fromValue: String?
    /// The To value as validated.
    private let toValue: String?

    init(topVia: SIPVia?, from: String?, fromUser: String?, to: String?, cseq: SIPCSeq?, maxForwards: Int?) {
        self.topVia = topVia
        self.fromValue = from
        self.fromUser = fromUser
        self.toValue = to
        self.cseq = cseq
        self.maxForwards = maxForwards
    }

    /// The From header (RFC 3261 §20.20).
    public var from: SIPNameAddress? {
        self.fromValue.flatMap { try? SIPNameAddress(parsing: $0, header: "From") }
    }

    /// The To header; its tag tells whether a response must add one (RFC 3261 §8.2.6.2).
    public var to: SIPNameAddress? {
        self.toValue.flatMap { try? SIPNameAddress(parsing: $0, header: "To") }
    }
}

// MARK: - Shared checks

private let requiredHeaderKeys: [(String, SIPHeaderKey.Kind)] = [
    ("To", .to), ("From", .from), ("CSeq", .cseq), ("Call-ID", .callID), ("Max-Forwards", .maxForwards), ("Via", .via),
]

private let singletonHeaders: [(String, SIPHeaderKey.Kind)] = [
    ("To", .to), ("From", .from), ("Call-ID", .callID), ("CSeq", .cseq), ("Max-Forwards", .maxForwards),
]

private func validateCommonHeaders(_ headers: SIPHeaders) throws(SIPParseError) -> SIPValidatedHeaders {
    for (name, key) in singletonHeaders where headers.count(of: key) > 1 {
        throw SIPParseError(.duplicateHeader, "\(name) appears more than once", header: name)
    }
    if let callID = headers.callID {
        guard !callID.isEmpty, !callID.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw .badHeader("Call-ID", "not a word[@word]")
        }
    }
    // From and To are checked, not built; of the Vias only the top one is built, the others checked.
    let from = headers[known: .from]
    let fromUser = try from.map { from throws(SIPParseError) in
        SIPNameAddress.user(in: from, try SIPNameAddress.check(from, header: "From"))
    }
    let to = headers[known: .to]
    if let to { try SIPNameAddress.check(to, header: "To") }
    let cseq = try headers.cseq()
    let maxForwards = try headers.maxForwards()
    var topVia: SIPVia?
    var isTop = true
    try headers.forEachListElement(.via) { element throws(SIPParseError) in
        if isTop {
            topVia = try SIPVia(parsing: element)
            isTop = false
        } else {
            try SIPVia.check(element)
        }
    }
    if let date = headers[known: .date], !isRFC1123Date(date) {
        throw .badHeader("Date", "not an RFC 1123 date in GMT")
    }
    return SIPValidatedHeaders(
        topVia: topVia, from: from, fromUser: fromUser, to: to, cseq: cseq, maxForwards: maxForwards
    )
}

/// Checks every Contact value as ``SIPHeaders/contacts()`` parses them, without building them.
private func checkContacts(_ headers: SIPHeaders) throws(SIPParseError) {
    try headers.forEachContact { element throws(SIPParseError) in
        if element != "*" { try SIPNameAddress.check(element, header: "Contact") }
    }
}

/// `wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"` (RFC 3261 §20.17, §25.1).
func isRFC1123Date(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard bytes.count == 29 else { return false }
    let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    func digits(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy(\.isASCIIDigit) }
    return weekdays.contains(text(0..<3)) && text(3..<5) == ", " && digits(5..<7) && bytes[7] == ASCII.space
        && months.contains(text(8..<11)) && bytes[11] == ASCII.space && digits(12..<16)
        && bytes[16] == ASCII.space && digits(17..<19) && bytes[19] == ASCII.colon && digits(20..<22)
        && bytes[22] == ASCII.colon && digits(23..<25) && text(25..<29) == " GMT"
}
