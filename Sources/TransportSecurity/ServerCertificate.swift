import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// A server's TLS certificate chain and private key, read from PEM files and read again when the files change, so
/// that a renewed certificate is served from the next handshake on, without a restart.
///
/// The listeners take ``serverConfiguration()`` once; it asks this object for the chain and key at every handshake
/// (swift-nio-ssl's context callback), so a reload reaches listeners that are already bound.
public final class ServerCertificate: Sendable {
    /// Where the PEM files are.
    public struct Files: Sendable, Hashable {
        /// The certificate chain, leaf first.
        public var chain: String
        /// The leaf's private key (unencrypted PEM).
        public var key: String

        public init(chain: String, key: String) {
            self.chain = chain
            self.key = key
        }
    }

    /// What ``reloadIfChanged()`` did.
    public enum Reload: Sendable, Equatable {
        /// Neither file changed since the last read.
        case unchanged
        /// The files changed and hold a valid pair, served from the next handshake on.
        case reloaded
        /// The files changed but do not hold a valid pair (perhaps half written): the previous pair stays in use.
        case refused(String)
    }

    private struct Pair: Sendable {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        var stamp: FileStamp
    }

    /// The files' sizes and modification times: a change to either means the pair is read again.
    private struct FileStamp: Sendable, Equatable {
        var chain: [Int]
        var key: [Int]
    }

    public let files: Files
    private let pair: Mutex<Pair>

    /// Reads the files; a missing, unreadable or mismatched pair is an error naming the file and the reason.
    public init(files: Files) throws(CertificateError) {
        self.files = files
        pair = Mutex(try Self.load(files, stamp: Self.stamp(files)))
    }

    /// The leaf certificate in use.
    public var leaf: NIOSSLCertificate {
        pair.withLock { $0.chain[0] }
    }

    /// When the leaf in use expires.
    public var expires: Date {
        Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter))
    }

    /// Reads the files again if either changed since the last read.
    public func reloadIfChanged() -> Reload {
        let stamp = Self.stamp(files)
        guard stamp != pair.withLock({ $0.stamp }) else { return .unchanged }
        do {
            let loaded = try Self.load(files, stamp: stamp)
            pair.withLock { $0 = loaded }
            return .reloaded
        } catch {
            // Remember the stamp, so that the same bad files are reported once, not at every check.
            pair.withLock { $0.stamp = stamp }
            return .refused(error.description)
        }
    }

    /// A server TLS configuration (TLS 1.2 and later) that serves the pair in use at each handshake.
    public func serverConfiguration() -> TLSConfiguration {
        let (chain, key) = pair.withLock { ($0.chain, $0.key) }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            promise.succeed(currentPair())
        }
        return configuration
    }

    private func currentPair() -> NIOSSLContextConfigurationOverride {
        var current = NIOSSLContextConfigurationOverride()
        pair.withLock { pair in
            current.certificateChain = pair.chain.map { .certificate($0) }
            current.privateKey = .privateKey(pair.key)
        }
        return current
    }

    private static func load(_ files: Files, stamp: FileStamp) throws(CertificateError) -> Pair {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.chain)
        } catch {
            throw CertificateError(file: files.chain, reason: "cannot be read as PEM certificates (\(error))")
        }
        guard !chain.isEmpty else { throw CertificateError(file: files.chain, reason: "holds no PEM certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw CertificateError(file: files.key, reason: "cannot be read as an unencrypted PEM private key (\(error))")
        }
        // A context refuses a key that does not belong to the leaf.
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)
            ))
        } catch {
            throw CertificateError(file: files.key, reason: "is not the private key of the first certificate in \(files.chain)")
        }
        return Pair(chain: chain, key: key, stamp: stamp)
    }

    private static func stamp(_ files: Files) -> FileStamp {
        func read(_ path: String) -> [Int] {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return [] }
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return [(attributes[.size] as? Int) ?? -1, Int(modified * 1_000_000)]
        }
        return FileStamp(chain: read(files.chain), key: read(files.key))
    }
}

/// A certificate or key file that cannot be used, and why.
public struct CertificateError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public var description: String { "\(file) \(reason)" }
}
