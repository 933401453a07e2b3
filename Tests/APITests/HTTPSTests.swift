import API
import NIOCore
import NIOPosix
import NIOSSL
import TestSupport
import Testing

/// The API over HTTPS on a real listener, with a certificate from a test authority; every wait is bounded.
@Suite("HTTPS", .timeLimit(.minutes(3)))
struct HTTPSTests {
    /// Sends `request` over a connection that trusts only `authority` and returns the whole answer.
    static func fetch(_ request: String, port: Int, trusting authority: String?) async throws -> String {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let authority {
                        var configuration = TLSConfiguration.makeClientConfiguration()
                        configuration.trustRoots = .file(authority)
                        let context = try NIOSSLContext(configuration: configuration)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await client.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var answer = ""
            for try await chunk in inbound { answer += String(buffer: chunk) }
            return answer
        }
    }

    @Test("the API answers over HTTPS, and a plain-text request on the HTTPS port gets no HTTP answer")
    func health() async throws {
        let files = try TestTLSFiles.make()
        defer { files.remove() }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(files.chain).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))
        )
        try await withLiveAPI(APIConfiguration(tls: tls)) { port, _ in
            let request = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

            let secure = try await Self.fetch(request, port: port, trusting: files.authority)
            #expect(secure.hasPrefix("HTTP/1.1 200"), "\(secure.prefix(80))")
            #expect(secure.contains("\"status\":\"ok\""))

            let plain = try? await Self.fetch(request, port: port, trusting: nil)
            #expect(plain?.hasPrefix("HTTP/1.1") != true, "plain text on the HTTPS port is not answered as HTTP")
        }
    }
}
