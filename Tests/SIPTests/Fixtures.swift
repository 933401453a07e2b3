import Foundation
import NIOCore
import Testing

@testable import SIP

// MARK: - Fixtures

/// The RFC 4475 torture messages, loaded byte-exact from the test bundle.
enum RFC4475 {
    static let directory: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures missing from the test bundle")
        }
        return url.appendingPathComponent("rfc4475")
    }()

    static func names(_ kind: String) -> [String] {
        let url = self.directory.appendingPathComponent(kind)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return files.filter { $0.hasSuffix(".dat") }.map { String($0.dropLast(4)) }.sorted()
    }

    static func bytes(_ kind: String, _ name: String) throws -> [UInt8] {
        let url = self.directory.appendingPathComponent(kind).appendingPathComponent("\(name).dat")
        return Array(try Data(contentsOf: url))
    }

    static func buffer(_ kind: String, _ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try self.bytes(kind, name))
    }
}

/// Builds a message from lines joined with CRLF, ending with an empty line and `body`.
func sipText(_ lines: [String], body: String = "") -> String {
    lines.joined(separator: "\r\n") + "\r\n\r\n" + body
}

/// Parses text as one UDP datagram.
func parse(_ text: String, configuration: SIPParserConfiguration = .init()) throws(SIPParseError) -> SIPMessage {
    var parser = SIPParser(configuration: configuration)
    return try parser.parse(ByteBuffer(string: text))
}

func parseRequest(_ text: String) throws -> SIPRequest {
    guard case .request(let request) = try parse(text) else {
        throw SIPParseError(.malformedStartLine, "expected a request")
    }
    return request
}

/// Serializes a message.
func serialize(_ message: SIPMessage) -> ByteBuffer {
    var buffer = ByteBuffer()
    message.write(into: &buffer)
    return buffer
}

/// Validates a request or response.
func validate(_ message: SIPMessage, requiringMaxForwards: Bool = true) throws(SIPParseError) {
    switch message {
    case .request(let request): try request.validate(requiringMaxForwards: requiringMaxForwards)
    case .response(let response): try response.validate()
    }
}

/// Returns the code of the error `body` throws, or `nil` if it does not throw.
func errorCode(_ body: () throws -> Void) -> SIPParseError.Code? {
    do {
        try body()
        return nil
    } catch {
        return (error as? SIPParseError)?.code
    }
}
