import Crypto
import Foundation
import Rating
import Routing
import Testing

private let key = SymmetricKey(data: Data(repeating: 7, count: 32))
private let outbound = CallDecision(
    decidedAt: 1_790_000_000, callDigest: CallDecision.digest(ofCallID: "a84b4c76e66710@pbx.acme.example"), kind: .outbound, accountId: "acc_acme", trunkId: "trk_acme_main", destination: "+13035550100",
    jurisdiction: .intraLATA, price: Rate(micros: 9_000, initialSeconds: 6, incrementSeconds: 6),
    carriers: [
        ChosenCarrier(id: "car_lakeshore", rate: Rate(micros: 4_000, initialSeconds: 6, incrementSeconds: 6)),
        ChosenCarrier(id: "car_bluegrass", rate: Rate(micros: 4_500, initialSeconds: 1, incrementSeconds: 1)),
    ]
)

@Suite("Decision tokens")
struct DecisionTokenTests {
    let sealer = DecisionToken(key: key)

    @Test("a sealed decision opens to itself, whatever its kind and whichever fields it lacks")
    func roundTrip() throws {
        let inbound = CallDecision(
            decidedAt: 1_790_000_001, callDigest: CallDecision.digest(ofCallID: "in-1"), kind: .inbound, accountId: "acc_acme", trunkId: "trk_acme_main", destination: "+12025550100",
            jurisdiction: nil, price: nil, carriers: []
        )
        let emergency = CallDecision(
            decidedAt: 1, callDigest: CallDecision.digest(ofCallID: "911-1"), kind: .emergency, accountId: nil, trunkId: nil, destination: nil, jurisdiction: nil, price: nil, carriers: []
        )
        for decision in [outbound, inbound, emergency] {
            #expect(try sealer.open(sealer.seal(decision)) == decision)
        }
        let token = sealer.seal(outbound)
        let digest = CallDecision.digest(ofCallID: "a84b4c76e66710@pbx.acme.example")
        #expect(digest.utf8.count == 12 && digest != CallDecision.digest(ofCallID: "a84b4c76e66711@pbx.acme.example"))
        #expect(token.hasPrefix(
            "1.1790000000.\(digest).o.acc_acme.trk_acme_main.+13035550100.intra-lata.9000:6:6.car_lakeshore:4000:6:6~car_bluegrass:4500:1:1."
        ))
        #expect(token.utf8.count < 180, "\(token.utf8.count) bytes")
        #expect(!token.contains(where: { "|,\"' \t;".contains($0) }), "safe in flat files, CSV and SIP headers: \(token)")
    }

    @Test("a changed rate, a token of another key, and truncations are refused")
    func forgeries() throws {
        let token = sealer.seal(outbound)
        let cheaper = token.replacingOccurrences(of: "9000:6:6", with: "1000:6:6")
        #expect(throws: DecisionTokenError.forged) { try sealer.open(cheaper) }
        #expect(throws: DecisionTokenError.forged) { try DecisionToken(key: SymmetricKey(data: Data(repeating: 8, count: 32))).open(token) }
        for broken in ["", "1.2.o", String(token.dropLast(3)), token + "AAAA", String(token.prefix(40))] {
            #expect(throws: DecisionTokenError.self) { try sealer.open(broken) }
        }
    }

    @Test("a signed token that is not in version 1's shape is malformed, not trusted")
    func malformed() throws {
        // A server's own key over text that is not a token: the signature holds, the shape does not.
        func signed(_ text: String) -> String {
            let mac = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)
            let base64 = Data(Array(mac.prefix(16))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            return text + "." + base64
        }
        #expect(try sealer.open(signed("1.5.c.o.-.-.-.-.-.-")).kind == .outbound)
        for text in ["2.5.c.o.-.-.-.-.-.-", "1.x.c.o.-.-.-.-.-.-", "1.5.-.o.-.-.-.-.-.-", "1.5.c.q.-.-.-.-.-.-",
                     "1.5.c.o.-.-.-.nowhere.-.-", "1.5.c.o.-.-.-.-.9000:0:6.-", "1.5.c.o.-.-.-.-.-.:4000:6:6",
                     "1.5.c.o.-.-.-.-.-.-:4000:6:6", "1.5.c.o.-.-.-.-.-", "1.5.c.o.-.-.-.-.-.-.-"] {
            #expect(throws: DecisionTokenError.self, "\(text)") { try sealer.open(signed(text)) }
        }
    }

    @Test("a field with characters a token cannot carry is sealed as absent")
    func unsafeFields() throws {
        var decision = outbound
        decision.accountId = "acc|evil"
        decision.destination = "+1 303 555"
        let opened = try sealer.open(sealer.seal(decision))
        #expect(opened.accountId == nil && opened.destination == nil && opened.trunkId == "trk_acme_main")
    }

    @Test("a key derived from the secrets key seals differently from the secrets key itself, and the same every time")
    func derivedKey() throws {
        let secrets = SymmetricKey(data: Data(repeating: 1, count: 32))
        let token = DecisionToken(secretsKey: secrets).seal(outbound)
        #expect(try DecisionToken(secretsKey: secrets).open(token) == outbound)
        #expect(throws: DecisionTokenError.forged) { try DecisionToken(key: secrets).open(token) }
    }
}
