import Benchmark
import Crypto
import Foundation
import Identity
import Routing
import Telephony

// MARK: - A test STI PKI

/// The clock every benchmark runs at: tokens are issued now, and verified at the same second.
private let now = Date()
private let issuedAt = Int64(now.timeIntervalSince1970)
private let chainURL = "https://cert.example.net/sp.pem"

/// A test STI-CA, and a service provider's key and certificate issued by it, as `tandem identity` makes them.
private let authority = try! CertificationAuthority.makeRoot(name: "Benchmark STI-CA", notBefore: now - 3_600)
private let providerKey = P256.Signing.PrivateKey()
private let providerCertificate = try! authority.issue(
    serviceProvider: "Tandem Benchmark", code: "709J", key: providerKey.publicKey, notBefore: now - 3_600
)
private let signer = PASSporTSigner(key: providerKey, certificateURL: chainURL)

/// A full-attestation SHAKEN claim set of the usual size (one destination, no Rich Call Data).
private func claims(dialed destination: String = "13125550100") -> SHAKENClaims {
    SHAKENClaims(attestation: .full, origin: "12025550143", destinations: [destination], issuedAt: issuedAt,
                 originIdentifier: "6f1a6a4e-2c5b-4c53-9a3c-7d3b2b8e0f11")
}

/// One signed call's Identity header, and the pieces of its token for the raw ES256 benchmarks.
private let identity = try! signer.identityHeader(for: claims())
private let token = identity.prefix { $0 != ";" }
private let signingInput = Data(token[..<token.lastIndex(of: ".")!].utf8)
private let signature = try! providerKey.signature(for: signingInput)

/// The signer's chain served from memory, as the x5u server would serve it, so the benchmarks measure no network.
private struct MemorySource: DocumentSource {
    let documents: [String: [UInt8]]

    func fetch(_ url: String) async throws(VerificationFailure) -> FetchedDocument {
        guard let bytes = documents[url] else { throw .certificateUnavailable("\(url) is not served") }
        return FetchedDocument(bytes: bytes)
    }
}

private let verifier = IdentityVerifier(
    configuration: VerificationConfiguration(trustAnchors: [authority.certificate]),
    source: MemorySource(documents: [
        chainURL: Array((try! providerCertificate.pem + "\n" + authority.certificate.pem).utf8),
    ])
)

// MARK: - An outbound routing snapshot

/// A small outbound snapshot: one customer trunk, three carriers with 1,000 prefixes each and a default route,
/// a customer rate plan, no ported numbers. Routing at full scale is RoutingBenchmarks' subject; this one gives the
/// decision that signing is added to.
private let outbound: RoutingSnapshot = {
    var decks: [String: RateDeck] = [:]
    var carriers: [CarrierRoute] = []
    for carrier in 0..<3 {
        var deck = RateDeck()
        for index in 0..<1_000 {
            let micros = Int64(2_000 + (index * 7 + carrier * 13) % 5_000)
            deck.add(prefix: "1312\(200 + index % 800)", rate: Rate(micros: micros))
        }
        deck.add(prefix: "1", rate: Rate(micros: 9_000))
        decks["car_\(carrier)"] = deck
        carriers.append(CarrierRoute(id: "car_\(carrier)", name: "Carrier \(carrier)", priority: carrier,
                                     gateways: [.init(address: "gw\(carrier).example")]))
    }
    var plan = RateDeck()
    plan.add(prefix: "1", rate: Rate(micros: 10_000))
    return RoutingSnapshot(
        version: 1, epoch: 1,
        trunks: [TrunkRoute(
            id: "trk_0", accountId: "acc_0", accountActive: true,
            hosts: [.init(address: "pbx0.example", port: 5060, transport: "udp", priority: 10, weight: 100)],
            sources: [try! CIDRBlock(address: .v4(0x0A00_0000), prefixLength: 29)],
            callerID: .init(allowAny: true, allowedPrefixes: [], rejectViolations: false),
            signing: .init(originIdentifier: "6f1a6a4e-2c5b-4c53-9a3c-7d3b2b8e0f11")
        )],
        numbers: [], emergency: nil,
        carriers: carriers, carrierRates: CarrierRates(decks: decks), customerDecks: ["acc_0": plan]
    )
}()

/// Dialed numbers drawn up front, so that every iteration routes (and signs) a different call.
private let dialed: [String] = (0..<4_096).map {
    "+1312\(200 + $0 * 37 % 800)\(String(format: "%04d", $0 * 7_919 % 10_000))"
}

private func outboundCall(_ iteration: Int) -> CallRequest {
    CallRequest(source: .v4(0x0A00_0001), dialed: dialed[iteration % dialed.count], caller: "+12025550143",
                callID: "o", time: issuedAt)
}

/// What the redirect server's `CallerIdentityService` does for an outbound decision: canonical numbers, the
/// attestation from the trunk's authorization, the claims, and the signed Identity header.
private func signedIdentity(for decision: RoutingDecision, call: CallRequest) -> String? {
    guard let trunkId = decision.sourceTrunk, let trunk = outbound.trunk(id: trunkId),
        let destination = decision.normalized, let caller = call.caller,
        let origin = canonicalTelephoneNumber(caller), let called = canonicalTelephoneNumber(destination)
    else { return nil }
    let authorized = (try? PhoneNumber(parsing: caller)).map { outbound.isAuthorized($0, for: trunk) } ?? false
    let claims = SHAKENClaims(
        attestation: authorized ? .full : .partial, origin: origin, destinations: [called], issuedAt: call.time,
        originIdentifier: trunk.signing.originIdentifier
    )
    return try? signer.identityHeader(for: claims)
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(5),
        maxIterations: 100_000
    )

    Benchmark("PASSporTSigner.identityHeader: a SHAKEN token signed") { benchmark in
        let claims = claims()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try! signer.identityHeader(for: claims))
        }
    }

    Benchmark("ES256 sign of a token-sized input (swift-crypto)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! providerKey.signature(for: signingInput))
        }
    }

    Benchmark(
        "IdentityVerifier.verifyCached: a SHAKEN token verified, chain cached",
        closure: { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(verifier.verifyCached(identity, caller: "+12025550143", called: "+13125550100", at: now))
            }
        },
        setup: {
            let primed = await verifier.verify(identity, caller: "+12025550143", called: "+13125550100", at: now)
            precondition(primed.verstat == .passed, "the benchmark's chain does not verify: \(primed)")
        }
    )

    Benchmark("ES256 verify of a token-sized input (swift-crypto)") { benchmark in
        let key = providerKey.publicKey
        for _ in benchmark.scaledIterations {
            blackHole(key.isValidSignature(signature, for: signingInput))
        }
    }

    Benchmark("Router.decide: outbound, small snapshot") { benchmark in
        _ = outbound
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            blackHole(Router.decide(outboundCall(iteration), in: outbound))
        }
    }

    Benchmark("Router.decide + signing: outbound, small snapshot") { benchmark in
        _ = outbound
        benchmark.startMeasurement()
        for iteration in benchmark.scaledIterations {
            let call = outboundCall(iteration)
            let decision = Router.decide(call, in: outbound)
            blackHole(signedIdentity(for: decision, call: call)!)
            blackHole(decision)
        }
    }
}
