import NIOCore
import Telephony
import Testing

@testable import SIP

// MARK: - Randomized mutation

@Suite("Mutated messages never crash or hang")
struct MutationTests {
    static let mutationsPerFixture = 2_000

    /// Applies one random edit: flip, insert, delete, truncate, or duplicate a run.
    static func mutate(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
        guard !bytes.isEmpty else {
            bytes.append(UInt8.random(in: 0...255, using: &generator))
            return
        }
        let position = Int.random(in: 0..<bytes.count, using: &generator)
        let interesting: [UInt8] = Array("\r\n:;,<>\"\\ \t%@=/0".utf8) + [0x00, 0xFF, 0xC3]
        switch Int.random(in: 0..<6, using: &generator) {
        case 0:
            bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
        case 1:
            bytes[position] = interesting.randomElement(using: &generator) ?? 0
        case 2:
            bytes.insert(interesting.randomElement(using: &generator) ?? 0, at: position)
        case 3:
            bytes.remove(at: position)
        case 4:
            bytes.removeLast(bytes.count - position)
        default:
            let length = min(Int.random(in: 1...16, using: &generator), bytes.count - position)
            bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
        }
    }

    /// Parses and exercises every typed accessor; only returning or throwing is allowed.
    static func exercise(_ bytes: [UInt8]) {
        var parser = SIPParser()
        guard let message = try? parser.parse(ByteBuffer(bytes: bytes)) else { return }
        _ = try? validate(message)
        let headers = message.headers
        _ = try? headers.vias()
        _ = try? headers.from()
        _ = try? headers.to()
        _ = try? headers.cseq()
        _ = try? headers.maxForwards()
        _ = try? headers.contacts()
        _ = headers.values("Accept")
        if case .request(let request) = message {
            _ = request.uri.user
            _ = try? SIPURI(parsing: request.uri.description)
            let response = SIPResponse(replyingTo: request, status: 400, reason: "Bad Request", toTag: "t")
            _ = serialize(.response(response))
        }
        _ = try? parser.parse(serialize(message))
    }

    @Test("2,000 random edits of each valid fixture", arguments: RFC4475.names("valid"))
    func mutateFixture(name: String) throws {
        let original = try RFC4475.bytes("valid", name)
        var generator = SplitMix64(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for _ in 0..<Self.mutationsPerFixture {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                Self.mutate(&bytes, using: &generator)
            }
            Self.exercise(bytes)
        }
    }

    @Test("random edits through the TCP frame decoder")
    func mutateStream() throws {
        var generator = SplitMix64(seed: 4475)
        let fixtures = try RFC4475.names("valid").map { try RFC4475.bytes("valid", $0) }
        for _ in 0..<500 {
            var stream: [UInt8] = []
            for _ in 0..<3 {
                stream += fixtures.randomElement(using: &generator) ?? []
            }
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                Self.mutate(&stream, using: &generator)
            }
            var decoder = SIPFrameDecoder()
            var buffer = ByteBuffer(bytes: stream)
            var frames = 0
            while frames < 100, let frame = try? decoder.nextFrame(&buffer) {
                if case .message(let message) = frame { _ = try? validate(message) }
                frames += 1
            }
            #expect(frames < 100)
        }
    }
}
