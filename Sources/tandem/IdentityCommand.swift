import ArgumentParser
import Crypto
import Foundation
import Identity
import NetworkData
import SwiftASN1
import Timekeeping
import X509

struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "STIR/SHAKEN tools: a test PKI, certificate inspection, signing and verifying Identity headers.",
        subcommands: [TestPKICommand.self, Inspect.self, Sign.self, Verify.self]
    )

    struct TestPKICommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test-pki",
            abstract: "Create a test STI-CA and a service-provider certificate with a TNAuthList, for demos and labs.",
            discussion: """
                Writes ca.pem and ca.key (the root), sp.key and sp.pem (the provider's key, and its certificate followed \
                by the root: the chain to publish at the x5u URL), and ca.crl (a revocation list naming nothing). Not \
                for production: real certificates come from an STI-CA approved by the STI Policy Administrator.
                """
        )

        @Option(help: "Where to write the files (created if missing).")
        var out: String

        @Option(help: "The provider's Service Provider Code (OCN) for the TNAuthList.")
        var code = "709J"

        @Option(help: "The provider's name.")
        var name = "Tandem Test Carrier"

        @Option(help: "The URL the revocation list will be published at, named in the certificate (none by default).")
        var crlURL: String?

        func run() async throws {
            let files = try TestPKIFiles.create(in: out, name: name, code: code, revocationListURL: crlURL, clock: .system)
            print("Wrote \(files.directory)/{ca.pem,ca.key,sp.key,sp.pem,ca.crl}: SPC \(code), valid 365 days.")
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Describe the certificates in a PEM file.")

        @Argument(help: "A PEM file of one or more certificates.")
        var file: String

        func run() async throws {
            let certificates = try Certificate.certificates(pemFiles: [file])
            guard !certificates.isEmpty else { throw ValidationError("\(file) holds no certificate") }
            for (index, certificate) in certificates.enumerated() {
                print(Self.describe(certificate, index: index))
            }
        }

        static func describe(_ certificate: Certificate, index: Int) -> String {
            let formatter = ISO8601DateFormatter()
            var lines = [
                "certificate \(index)",
                "  subject:    \(certificate.subject)",
                "  issuer:     \(certificate.issuer)",
                "  serial:     \(certificate.serialNumber)",
                "  valid:      \(formatter.string(from: certificate.notValidBefore)) to \(formatter.string(from: certificate.notValidAfter))",
                "  key:        \(P256.Signing.PublicKey(certificate.publicKey) != nil ? "P-256 (ES256)" : "\(certificate.publicKey)")",
                "  CA:         \((try? certificate.extensions.basicConstraints).map { "\($0)" } ?? "no basic constraints")",
            ]
            switch Result(catching: { try certificate.extensions.tnAuthorizationList }) {
            case .success(let list?):
                lines.append("  TNAuthList: " + list.entries.map { entry in
                    switch entry {
                    case .serviceProviderCode(let code): "SPC \(code)"
                    case .number(let number): "TN \(number)"
                    case .range(let start, let count): "TN range \(start) +\(count)"
                    }
                }.joined(separator: ", "))
            case .success(nil): lines.append("  TNAuthList: none")
            case .failure(let error): lines.append("  TNAuthList: malformed (\(error))")
            }
            if let points = try? certificate.extensions.crlDistributionPoints {
                lines.append("  CRL:        \(points.urls.joined(separator: ", "))")
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an Identity header value for a call.")

        @Option(help: "The service provider's P-256 private key (PEM).")
        var key: String

        @Option(help: "Where verifiers fetch the certificate chain.")
        var x5u: String

        @Option(help: "Attestation: A, B or C.")
        var attest: Attestation

        @Option(help: "The calling number.")
        var orig: String

        @Option(help: "The called number.")
        var dest: String

        @Option(help: "The origination identifier (a UUID); a new one by default.")
        var origid = UUID().uuidString.lowercased()

        @Option(help: "The token's time, in Unix seconds; now by default.")
        var iat: Int64?

        @Option(help: "The caller's name, sent as Rich Call Data (rcd.nam).")
        var name: String?

        func run() async throws {
            guard let origin = canonicalTelephoneNumber(orig) else { throw ValidationError("--orig is not a telephone number") }
            guard let destination = canonicalTelephoneNumber(dest) else { throw ValidationError("--dest is not a telephone number") }
            let signingKey = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: key, encoding: .utf8))
            let claims = SHAKENClaims(
                attestation: attest, origin: origin, destinations: [destination],
                issuedAt: iat ?? WallClock.system.unixSeconds(), originIdentifier: origid, callerName: name
            )
            print(try PASSporTSigner(key: signingKey, certificateURL: x5u).identityHeader(for: claims))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an Identity header value exactly as the SIP engine does for a call.",
            discussion: "Prints the verstat and a reason code; exits 0 only when validation passed."
        )

        @Option(help: "The Identity header value.")
        var identity: String

        @Option(help: "The calling number, as the SIP request carried it.")
        var from: String

        @Option(help: "The called number, as the SIP request carried it.")
        var to: String

        @Option(help: "A PEM file of trusted STI-CA roots.")
        var trust: [String]

        @Option(help: "The time to verify at, in Unix seconds; now by default.")
        var at: Int64?

        @Flag(help: "Let the x5u be on loopback or a private network (labs only).")
        var allowPrivateX5u = false

        @Option(help: "Milliseconds to wait for the certificate and revocation list.")
        var timeoutMs = 2_000

        func run() async throws {
            let anchors = try Certificate.certificates(pemFiles: trust)
            guard !anchors.isEmpty else { throw ValidationError("--trust names no certificate") }
            let client = HTTPDocumentSource.makeClient()
            let source = HTTPDocumentSource(client: client, configuration: FetchConfiguration(
                timeout: .milliseconds(Int64(timeoutMs)), allowedPrivateNetworks: allowPrivateX5u ? FetchConfiguration.everyNetwork : []
            ), clock: .system)
            let verifier = IdentityVerifier(
                configuration: VerificationConfiguration(trustAnchors: anchors, timeBudget: .milliseconds(timeoutMs)), source: source
            )
            let time = at.map { Date(timeIntervalSince1970: Double($0)) } ?? WallClock.system.now()
            let result = await verifier.verify(identity, caller: from, called: to, at: time)
            try await client.shutdown()
            print("verstat=\(result.verstat.rawValue)")
            if let failure = result.failure {
                print("reason=\(failure.sipStatus) \(failure)")
            } else if let claims = result.claims {
                print("attest=\(claims.attestation.rawValue) orig=\(claims.origin) dest=\(claims.destinations.joined(separator: ",")) origid=\(claims.originIdentifier)")
            }
            if result.verstat != .passed { throw ExitCode(1) }
        }
    }
}

extension Attestation: ExpressibleByArgument {}

/// A test PKI on disk: the files `tandem identity test-pki` writes and `serve --demo` signs with.
struct TestPKIFiles {
    let directory: String

    var rootCertificate: String { directory + "/ca.pem" }
    var signingKey: String { directory + "/sp.key" }
    var signingChain: String { directory + "/sp.pem" }

    /// Writes a new PKI into `directory`, valid from an hour before `clock`'s now.
    static func create(
        in directory: String, name: String, code: String, revocationListURL: String?, clock: WallClock
    ) throws -> TestPKIFiles {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = clock.now()
        let authority = try CertificationAuthority.makeRoot(name: name, notBefore: now - 3_600)
        let key = P256.Signing.PrivateKey()
        let certificate = try authority.issue(serviceProvider: name, code: code, key: key.publicKey,
                                              revocationListURL: revocationListURL, notBefore: now - 3_600)
        let crl = PEMDocument(type: "X509 CRL", derBytes: try authority.revocationList(revoking: [], now: now - 60)).pemString
        let files = [
            ("ca.pem", try authority.certificate.pem), ("ca.key", authority.key.pemRepresentation),
            ("sp.key", key.pemRepresentation), ("sp.pem", try certificate.pem + "\n" + authority.certificate.pem),
            ("ca.crl", crl),
        ]
        for (file, content) in files {
            let path = directory + "/" + file
            try (content + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            if file.hasSuffix(".key") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            }
        }
        return TestPKIFiles(directory: directory)
    }

    /// The PKI in `directory`, created there anew if it is missing or its certificates are not valid at `clock`'s
    /// now (a demo database kept past the signing certificate's year).
    static func loadOrCreate(in directory: String, name: String, code: String, clock: WallClock) throws -> TestPKIFiles {
        let files = TestPKIFiles(directory: directory)
        if FileManager.default.fileExists(atPath: files.signingChain), FileManager.default.fileExists(atPath: files.signingKey),
            let chain = try? Certificate.certificates(pemFiles: [files.signingChain]), !chain.isEmpty,
            chain.allSatisfy({ $0.notValidBefore <= clock.now() && clock.now() < $0.notValidAfter })
        {
            return files
        }
        return try create(in: directory, name: name, code: code, revocationListURL: nil, clock: clock)
    }
}
