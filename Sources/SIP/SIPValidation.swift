// MARK: - Request validation

extension SIPRequest {
    /// The headers RFC 3261 §8.1.1 requires in every request, in canonical spelling.
    public static let requiredHeaders = ["To", "From", "CSeq", "Call-ID", "Max-Forwards", "Via"]

    /// The headers of ``requiredHeaders`` this request lacks, in that order (RFC 3261 §8.1.1).
    public var missingRequiredHeaders: [String] {
        Self.requiredHeaders.filter { !self.headers.contains($0) }
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
    /// - Throws: ``SIPParseError`` with the first problem; its ``SIPParseError/suggestedStatus`` is the answer.
    public func validate(requiringMaxForwards: Bool = true) throws(SIPParseError) {
        guard self.version == .sip2 else {
            throw SIPParseError(.unsupportedVersion, "SIP version \(self.version) is not supported")
        }
        if !self.uri.headers.isEmpty {
            throw SIPParseError(.badRequestURI, "Request-URI must not contain headers")
        }
        let missing = self.missingRequiredHeaders.filter { requiringMaxForwards || $0 != "Max-Forwards" }
        if let first = missing.first {
            throw SIPParseError(
                .missingRequiredHeader,
                "Missing required header\(missing.count > 1 ? "s" : ""): \(missing.joined(separator: ", "))",
                header: first
            )
        }
        try validateCommonHeaders(self.headers)
        _ = try self.contacts()
        guard let cseq = try self.cseq() else { return }
        guard cseq.method == self.method else {
            throw SIPParseError(.cseqMethodMismatch, "CSeq method does not match the request method", header: "CSeq")
        }
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
        try validateCommonHeaders(self.headers)
        _ = try self.contacts()
    }
}

// MARK: - Shared checks

private let singletonHeaders: [(String, SIPHeaderKey)] = [
    ("To", .to), ("From", .from), ("Call-ID", .callID), ("CSeq", .cseq), ("Max-Forwards", .maxForwards),
]

private func validateCommonHeaders(_ headers: SIPHeaders) throws(SIPParseError) {
    for (name, key) in singletonHeaders where headers.count(of: key) > 1 {
        throw SIPParseError(.duplicateHeader, "\(name) appears more than once", header: name)
    }
    if let callID = headers.callID {
        guard !callID.isEmpty, !callID.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) else {
            throw .badHeader("Call-ID", "not a word[@word]")
        }
    }
    _ = try headers.from()
    _ = try headers.to()
    _ = try headers.cseq()
    _ = try headers.maxForwards()
    _ = try headers.vias()
    if let date = headers[SIPHeaderKey.date], !isRFC1123Date(date) {
        throw .badHeader("Date", "not an RFC 1123 date in GMT")
    }
}

/// `wkday "," SP 2DIGIT SP month SP 4DIGIT SP 2DIGIT ":" 2DIGIT ":" 2DIGIT SP "GMT"` (RFC 3261 §20.17, §25.1).
private func isRFC1123Date(_ value: String) -> Bool {
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
