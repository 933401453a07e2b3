import Testing

@testable import SIP

// MARK: - Header kinds

/// Fields of well-known headers are found by the kind given when they are made; these check that the kind agrees
/// with matching the name itself, in every spelling.
@Suite("Header kinds")
struct HeaderKindTests {
    @Test(arguments: [
        "Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq", "Max-Forwards", "Contact", "m", "Content-Length",
        "l", "Date", "Require", "P-Asserted-Identity", "Subject", "s", "Content-Type", "c", "Refer-To", "r",
        "Request-Disposition", "d", "Call-Info", "Contacts", "Tox", "X-Via", "Dates", "Reply-To", "Priority",
    ])
    func kindAgreesWithTheName(name: String) {
        let key = SIPHeaderKey(name)
        for spelling in [name, name.lowercased(), name.uppercased()] {
            let headers = SIPHeaders([(spelling, "a"), ("X-Other", "b")])
            #expect(headers.count(of: name) == 1, "\(spelling)")
            #expect(headers[key] == "a", "\(spelling)")
            if key.kind != .other { #expect(headers[known: key.kind] == "a", "\(spelling)") }
        }
    }

    @Test func compactAndFullFormsAreTheSameHeader() {
        let headers: SIPHeaders = ["i": "one", "CALL-ID": "two", "Call-Info": "<http://x>", "m": "<sip:a@b>"]
        #expect(headers.count(of: "Call-ID") == 2)
        #expect(headers.count(of: "i") == 2)
        #expect(headers.values("Contact") == ["<sip:a@b>"])
        #expect(headers["Call-Info"] == "<http://x>")
        #expect(SIPHeaderKey.kind(of: "Call-Info".utf8) == .other)
        #expect(SIPHeaderKey.kind(of: "Contact".utf8) == .contact)
        #expect(SIPHeaderKey.kind(of: "d".utf8) == .other)
    }
}
