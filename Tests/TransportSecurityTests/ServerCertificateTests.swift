import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import TestSupport
import Testing
import TransportSecurity

/// A real TLS listener on loopback, serving a ``ServerCertificate``'s configuration, and real TLS clients.
@Suite("Server certificates", .timeLimit(.minutes(1)))
struct ServerCertificateTests {
    /// Answers every connection with "ok" (the TLS handler holds it until the handshake is done), then closes it.
    final class Greeter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(string: "ok"))).whenComplete { _ in
                channel.close(promise: nil)
            }
            context.fireChannelActive()
        }
    }

    static func listen(_ certificate: ServerCertificate) async throws -> any Channel {
        let context = try NIOSSLContext(configuration: certificate.serverConfiguration())
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(Greeter())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    /// What a client that trusts only `authority` reads from the server: "ok", or the handshake's error.
    static func greeting(port: Int, trusting authority: String) async -> Result<String, any Error> {
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(authority)
            let context = try NIOSSLContext(configuration: configuration)
            let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            return .success(try await client.executeThenClose { inbound, _ in
                var text = ""
                for try await chunk in inbound { text += String(buffer: chunk) }
                return text
            })
        } catch {
            return .failure(error)
        }
    }

    @Test("a renewed certificate is served from the next handshake on, without rebinding")
    func renewal() async throws {
        let files = try TestTLSFiles.make(commonName: "first.tandem.test")
        defer { files.remove() }
        let certificate = try ServerCertificate(files: .init(chain: files.chain, key: files.key))
        let listener = try await Self.listen(certificate)
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)
        let firstAuthority = files.directory.appendingPathComponent("first-ca.pem").path
        try FileManager.default.copyItem(atPath: files.authority, toPath: firstAuthority)
        #expect(try await Self.greeting(port: port, trusting: firstAuthority).get() == "ok")
        #expect(certificate.reloadIfChanged() == .unchanged)

        // A renewal: a new key and certificate from another authority, written over the files.
        try files.issue(commonName: "renewed.tandem.test")
        #expect(certificate.reloadIfChanged() == .reloaded)
        #expect(certificate.leaf.description.contains("renewed.tandem.test"))
        #expect(try await Self.greeting(port: port, trusting: files.authority).get() == "ok")
        // The old certificate is no longer served: a client trusting only its authority refuses the new one.
        guard case .failure = await Self.greeting(port: port, trusting: firstAuthority) else {
            Issue.record("the previous certificate is still served after the reload")
            return
        }
    }

    @Test("a half-written or mismatched pair is refused with the reason, and the previous pair stays in use")
    func badRenewal() async throws {
        let files = try TestTLSFiles.make()
        defer { files.remove() }
        let certificate = try ServerCertificate(files: .init(chain: files.chain, key: files.key))
        let listener = try await Self.listen(certificate)
        defer { listener.close(promise: nil) }
        let port = try #require(listener.localAddress?.port)

        let goodChain = try Data(contentsOf: URL(fileURLWithPath: files.chain))
        try Data(goodChain.prefix(goodChain.count / 2)).write(to: URL(fileURLWithPath: files.chain))
        guard case .refused(let reason) = certificate.reloadIfChanged() else {
            Issue.record("a truncated certificate file was taken")
            return
        }
        #expect(reason.contains(files.chain))
        // Reported once, not at every check, until the files change again.
        #expect(certificate.reloadIfChanged() == .unchanged)
        #expect(try await Self.greeting(port: port, trusting: files.authority).get() == "ok")

        // The certificate back, but another key beside it.
        try goodChain.write(to: URL(fileURLWithPath: files.chain))
        let other = try TestTLSFiles.make()
        defer { other.remove() }
        try FileManager.default.removeItem(atPath: files.key)
        try FileManager.default.copyItem(atPath: other.key, toPath: files.key)
        guard case .refused(let mismatch) = certificate.reloadIfChanged() else {
            Issue.record("a key that is not the certificate's was taken")
            return
        }
        #expect(mismatch.contains("is not the private key"))
        #expect(try await Self.greeting(port: port, trusting: files.authority).get() == "ok")
    }

    @Test("missing or unreadable files are refused at start, naming the file")
    func unreadable() throws {
        let files = try TestTLSFiles.make()
        defer { files.remove() }
        #expect(throws: CertificateError.self) { try ServerCertificate(files: .init(chain: "/nonexistent/chain.pem", key: files.key)) }
        let error = #expect(throws: CertificateError.self) { try ServerCertificate(files: .init(chain: files.chain, key: files.chain)) }
        #expect(error?.file == files.chain)
        #expect(throws: CertificateError.self) { try ServerCertificate(files: .init(chain: files.key, key: files.key)) }
    }
}
