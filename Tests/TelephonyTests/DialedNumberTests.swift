import Testing
import Telephony

// MARK: - Vectors

/// A dialed string, the caller's NPA and the expected classification.
struct DialVector: Sendable, CustomTestStringConvertible {
    let text: String
    let callerNPA: UInt16?
    let expected: DialedNumber

    init(_ text: String, callerNPA: UInt16? = nil, _ expected: DialedNumber) {
        self.text = text
        self.callerNPA = callerNPA
        self.expected = expected
    }

    var testDescription: String { "\(text.debugDescription) (caller NPA \(callerNPA.map(String.init) ?? "none"))" }
}

private func number(_ text: String) -> PhoneNumber {
    guard let number = PhoneNumber(text) else { preconditionFailure("bad fixture \(text)") }
    return number
}

private let dialVectors: [DialVector] = [
    // Emergency and service codes.
    DialVector("911", .emergency),
    DialVector("1911", .emergency),
    DialVector("1-911", .emergency),
    DialVector("+1911", .emergency),
    DialVector("sip:911@10.0.0.1;user=phone", .emergency),
    DialVector("911", callerNPA: 202, .emergency),
    DialVector("933", .emergencyTest),
    DialVector("1933", .emergencyTest),
    DialVector("+1933", .emergencyTest),
    DialVector("211", .serviceCode(211)),
    DialVector("311", .serviceCode(311)),
    DialVector("411", .serviceCode(411)),
    DialVector("511", .serviceCode(511)),
    DialVector("611", .serviceCode(611)),
    DialVector("711", .serviceCode(711)),
    DialVector("811", .serviceCode(811)),
    // NANP numbers.
    DialVector("2025550143", .geographic(number("2025550143"))),
    DialVector("+1 (202) 555-0143", .geographic(number("2025550143"))),
    DialVector("tel:+1-202-555-0143", .geographic(number("2025550143"))),
    DialVector("2025550143", callerNPA: 303, .geographic(number("2025550143"))),
    DialVector("3405551234", .geographic(number("3405551234"))),
    DialVector("7875551234", .geographic(number("7875551234"))),
    DialVector("8005551234", .tollFree(number("8005551234"))),
    DialVector("1-888-555-1234", .tollFree(number("8885551234"))),
    DialVector("9005551234", .premium(number("9005551234"))),
    DialVector("8765551234", .caribbean(number("8765551234"))),
    DialVector("+1 809 555 1234", .caribbean(number("8095551234"))),
    DialVector("01112025550143", .geographic(number("2025550143"))),
    // Seven-digit local dialing.
    DialVector("5550143", .incomplete(digitsSoFar: 7)),
    DialVector("5550143", callerNPA: 202, .geographic(number("2025550143"))),
    DialVector("555-0143", callerNPA: 876, .caribbean(number("8765550143"))),
    DialVector("2025550", .incomplete(digitsSoFar: 7)),
    DialVector("5550143", callerNPA: 911, .invalid(.areaCodeIsServiceCode(911))),
    DialVector("4110143", callerNPA: 202, .invalid(.areaCodeIsServiceCode(411))),
    // International.
    DialVector("011441234567890", .international(e164Digits: "441234567890")),
    DialVector("+441234567890", .international(e164Digits: "441234567890")),
    DialVector("+44 20 7946 0958", .international(e164Digits: "442079460958")),
    DialVector("011 33 1 23 45 67 89", .international(e164Digits: "33123456789")),
    DialVector("+123456789012345", .invalid(.tooManyDigits(15))),
    DialVector("+493012345678901", .international(e164Digits: "493012345678901")),
    DialVector("+4930123456789012", .invalid(.tooManyDigits(16))),
    DialVector("0114930123456789012", .invalid(.tooManyDigits(16))),
    DialVector("+0123456789", .invalid(.notNANP(countryCode: "0"))),
    // Incomplete prefixes.
    DialVector("202555", .incomplete(digitsSoFar: 6)),
    DialVector("1202555", .incomplete(digitsSoFar: 7)),
    DialVector("202555014", .incomplete(digitsSoFar: 9)),
    DialVector("2021", .incomplete(digitsSoFar: 4)),
    DialVector("1", .incomplete(digitsSoFar: 1)),
    DialVector("0", .incomplete(digitsSoFar: 1)),
    DialVector("011", .incomplete(digitsSoFar: 3)),
    DialVector("01144", .incomplete(digitsSoFar: 5)),
    DialVector("+44", .incomplete(digitsSoFar: 2)),
    DialVector("+4412345", .incomplete(digitsSoFar: 7)),
    DialVector("+", .incomplete(digitsSoFar: 0)),
    // Invalid.
    DialVector("", .invalid(.empty)),
    DialVector("1-800-FLOWERS", .invalid(.containsLetters)),
    DialVector("*67", .invalid(.invalidCharacter("*"))),
    DialVector("0045", .invalid(.areaCodeStartsWithZeroOrOne)),
    DialVector("1011", .invalid(.areaCodeStartsWithZeroOrOne)),
    DialVector("2115", .invalid(.areaCodeIsServiceCode(211))),
    DialVector("12021", .invalid(.exchangeStartsWithZeroOrOne)),
    DialVector("1202155", .invalid(.exchangeStartsWithZeroOrOne)),
    DialVector("1202911", .invalid(.exchangeIsServiceCode(911))),
    DialVector("20255", .incomplete(digitsSoFar: 5)),
    DialVector("202155", .incomplete(digitsSoFar: 6)),
    DialVector("20215501", .invalid(.exchangeStartsWithZeroOrOne)),
    DialVector("9115550143", .invalid(.areaCodeIsServiceCode(911))),
    DialVector("2024110143", .invalid(.exchangeIsServiceCode(411))),
    DialVector("202555014311", .invalid(.tooManyDigits(12))),
    DialVector("22025550143", .invalid(.tooManyDigits(11))),
]

// MARK: - Tests

@Suite("DialedNumber")
struct DialedNumberTests {
    @Test("classifies each dial string", arguments: dialVectors)
    func classify(_ vector: DialVector) {
        #expect(DialedNumber(classifying: vector.text, callerNPA: vector.callerNPA) == vector.expected)
    }

    @Test("has at least 30 vectors")
    func vectorCount() {
        #expect(dialVectors.count >= 30)
    }

    @Test("isEmergency is true only for 911 and 933")
    func isEmergency() {
        #expect(DialedNumber(classifying: "911").isEmergency)
        #expect(DialedNumber(classifying: "933").isEmergency)
        #expect(DialedNumber(classifying: "1-911").isEmergency)
        #expect(!DialedNumber(classifying: "411").isEmergency)
        #expect(!DialedNumber(classifying: "9115550143").isEmergency)
        #expect(!DialedNumber(classifying: "2025550911").isEmergency)
        #expect(!DialedNumber(classifying: "91").isEmergency)
    }

    @Test("phoneNumber is present only for NANP numbers")
    func phoneNumber() {
        #expect(DialedNumber(classifying: "2025550143").phoneNumber?.e164 == "+12025550143")
        #expect(DialedNumber(classifying: "8005551234").phoneNumber?.e164 == "+18005551234")
        #expect(DialedNumber(classifying: "9005551234").phoneNumber?.e164 == "+19005551234")
        #expect(DialedNumber(classifying: "8765551234").phoneNumber?.e164 == "+18765551234")
        #expect(DialedNumber(classifying: "911").phoneNumber == nil)
        #expect(DialedNumber(classifying: "+441234567890").phoneNumber == nil)
        #expect(DialedNumber(classifying: "202555").phoneNumber == nil)
    }
}
