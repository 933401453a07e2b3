import API
import Accounts
import ArgumentParser
import AsyncHTTPClient
import CallRecords
import Foundation
import Demo
import Guard
import Identity
import Hummingbird
import Inventory
import Logging
import NetworkData
import Observability
import Platform
import Porting
import Rating
import Routing
import RoutingFeed
import Schema
import SIPServer
import ServiceLifecycle
import Synchronization
import Telephony
import Store
import Timekeeping
import TransportSecurity
import X509
import Webhooks

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the Tandem servers: the SIP redirect server (UDP, TCP and TLS) and the REST API (HTTP or HTTPS)."
    )

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Fill the database with demo data on first start and print demo API keys.")
    var demo = false

    @Option(help: "Where the HTTP API listens.")
    var http = Endpoint(host: "127.0.0.1", port: 8080)

    @Option(help: "Where the SIP redirect server listens, on UDP and TCP.")
    var sip = Endpoint(host: "127.0.0.1", port: 5060)

    @Option(help: "The TLS certificate chain (PEM, leaf first) for HTTPS and SIP over TLS. The files are read again when they change, without a restart.")
    var tlsCertificate: String?

    @Option(help: "The private key of --tls-certificate (unencrypted PEM).")
    var tlsKey: String?

    @Option(help: "The port of SIP over TLS (sips:) on the --sip host, with --tls-certificate.")
    var sipTlsPort = 5061

    @Option(help: "Seconds between checks of --tls-certificate and --tls-key for a renewed pair.")
    var tlsReloadSeconds = 60

    @Flag(help: "Serve the HTTP API in plain text on an address other than loopback (behind a TLS-terminating proxy).")
    var allowPlainHttp = false

    @Option(help: "Where 911 and 933 calls go (HOST:PORT of the emergency provider's gateway). --demo defaults to 127.0.0.1:5090.")
    var emergencyRoute: Endpoint?

    @Option(help: "The API's address as the emergency provider reaches it (https://tandem.example.net); 911 calls' locations are published under it. Defaults to http://<--http>.")
    var publicURL: String?

    @Option(help: "The STIR/SHAKEN signing key (PEM, P-256). With --sti-chain, outbound calls are signed. --demo makes and keeps a test PKI beside the database when none is given.")
    var stiKey: String?

    @Option(help: "The certificate chain of --sti-key (PEM, leaf first). It is published at <public-url>\(signingChainPath), the x5u of every signature.")
    var stiChain: String?

    @Option(help: "A PEM file of trusted STI-CA roots, for verifying inbound calls' Identity headers (repeatable). Without one, inbound calls are passed on as No-TN-Validation.")
    var stiTrust: [String] = []

    @Flag(help: "Let x5u URLs point at loopback and private networks (labs only; --demo allows them).")
    var allowPrivateX5u = false

    @Option(help: "Milliseconds an inbound call waits for its signer's certificate; past it, the call goes on as No-TN-Validation.")
    var verifyBudgetMs = 1_000

    @Option(help: "An external CNAM provider's URL template ({tn}: the caller's digits, {e164}: with +), asked for callers our records do not name.")
    var cnamURL: String?

    @Option(help: "The Authorization header value for --cnam-url (Basic ..., Bearer ...).")
    var cnamAuthorization: String?

    @Flag(help: "Let --cnam-url's host be on loopback or a private network (a provider inside the carrier's own network).")
    var allowPrivateCnam = false

    @Option(help: "Milliseconds an inbound call waits for the CNAM provider.")
    var cnamBudgetMs = 300

    @Flag(help: "Let webhook endpoints be on loopback and private networks (a lab; --demo allows them).")
    var allowPrivateWebhooks = false

    @Option(help: "A file holding a 32-byte key (base64 or hex: openssl rand -base64 32) that seals webhook secrets at rest (AES-256-GCM). Keep it beside, not in, the database's backups.")
    var secretsKeyFile: String?

    @Option(help: "Seconds an HTTP connection may stay idle before it is closed; a request head sent a byte at a time never completes, so it is closed too.")
    var httpIdleSeconds = 30

    @Option(help: "HTTP connections open at once at most; past it, new ones are closed at accept.")
    var httpMaxConnections = 512

    @Option(help: "Seconds a request may take from its head to the end of its body (a body dripped byte by byte is closed).")
    var httpRequestSeconds = 60

    @Option(help: "API requests a second per customer, agent or partner key (bursts of 5 seconds' worth); past it, 429 with Retry-After.")
    var apiRequestsPerSecond = 20

    @Option(help: "API requests a second per operator key (bursts of 5 seconds' worth).")
    var apiOperatorRequestsPerSecond = 100

    @Option(help: "Failed API authentications a second per source address, an IPv6 /64 counting as one (bursts of 10 seconds' worth); past it, the source's /v1 requests get 429 before any key is looked up. 0: no limit (behind a proxy, where every client has the proxy's address).")
    var apiFailedAuthenticationsPerSecond = 10

    @Option(help: "A file holding the bearer token GET /metrics asks for (Prometheus's authorization credentials); without it, /metrics is open to all.")
    var metricsTokenFile: String?

    @Option(help: "SIP TCP connections open at once at most; past it, trunks' and carriers' connections replace unknown sources' oldest.")
    var sipTcpMaxConnections = 1_024

    @Option(help: "SIP TCP connections open at once from one address that is no trunk's or carrier's.")
    var sipTcpMaxPerUnknownSource = 16

    @Option(help: "Seconds a SIP TCP connection may go without a complete message or keep-alive before it is closed.")
    var sipTcpIdleSeconds = 300

    @Option(help: "Seconds a SIP TCP message may take to arrive whole once its first bytes have come.")
    var sipTcpMessageSeconds = 10

    @Option(help: "An SBC (address or CIDR block, repeatable) whose X-Tandem-Source header names the address each of its calls came from; calls are routed as from there. Anyone else's header is ignored. With --demo and none given: 127.0.0.10/31, the reference SBC's (docs/sbc.md).")
    var trustedSbc: [String] = []

    @Option(help: "Seconds after a 911 call in which the same caller's repeats from the same trunk are counted into one Kari's Law notification, not told one by one.")
    var emergencyNoticeWindowSeconds = 60

    @Option(help: "Hours a customer has to approve a port-out request against its numbers.")
    var portOutApprovalHours = 72

    @Option(help: "Minutes a reservation holds a number.")
    var reservationMinutes = 15

    @Option(help: "Days a released number ages before it is available again.")
    var agingDays = 90

    @Option(help: "Days routing records are kept before they are deleted.")
    var recordRetentionDays = 30

    @Option(help: "Days CDRs are kept, from the call's start, before they are deleted: 548 (18 months) by default, as 47 CFR 42.6 asks of toll records.")
    var cdrRetentionDays = 548

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...10_080).contains(reservationMinutes) else {
            throw ValidationError("--reservation-minutes must be 1 to 10080")
        }
        guard (0...3_650).contains(agingDays) else { throw ValidationError("--aging-days must be 0 to 3650") }
        guard (1...720).contains(portOutApprovalHours) else { throw ValidationError("--port-out-approval-hours must be 1 to 720") }
        if let publicURL, !(publicURL.hasPrefix("https://") || publicURL.hasPrefix("http://")) || publicURL.hasSuffix("/") {
            throw ValidationError("--public-url must be an http(s) URL without a trailing slash")
        }
        guard (1...3_650).contains(recordRetentionDays) else {
            throw ValidationError("--record-retention-days must be 1 to 3650")
        }
        guard (1...3_650).contains(cdrRetentionDays) else { throw ValidationError("--cdr-retention-days must be 1 to 3650") }
        guard (stiKey == nil) == (stiChain == nil) else { throw ValidationError("--sti-key and --sti-chain go together") }
        guard (1...3_600).contains(httpIdleSeconds) else { throw ValidationError("--http-idle-seconds must be 1 to 3600") }
        guard httpMaxConnections > 0, (1...3_600).contains(httpRequestSeconds) else {
            throw ValidationError("--http-max-connections must be positive, --http-request-seconds 1 to 3600")
        }
        guard apiRequestsPerSecond > 0, apiOperatorRequestsPerSecond > 0, apiFailedAuthenticationsPerSecond >= 0 else {
            throw ValidationError(
                "--api-requests-per-second and --api-operator-requests-per-second must be positive, "
                    + "--api-failed-authentications-per-second 0 or more"
            )
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
        if tlsCertificate == nil, !http.isLoopback, !allowPlainHttp {
            throw ValidationError("""
                --http \(http) is not a loopback address: serve HTTPS with --tls-certificate and --tls-key, or say \
                --allow-plain-http (behind a TLS-terminating proxy)
                """)
        }
        if tlsCertificate != nil {
            guard (1...65_535).contains(sipTlsPort), sipTlsPort != sip.port else {
                throw ValidationError("--sip-tls-port must be a port (1 to 65535) other than --sip's")
            }
        }
        guard (1...86_400).contains(tlsReloadSeconds) else { throw ValidationError("--tls-reload-seconds must be 1 to 86400") }
        guard (1...3_600).contains(sipTcpMessageSeconds) else { throw ValidationError("--sip-tcp-message-seconds must be 1 to 3600") }
        for block in trustedSbc {
            do throws(AddressError) {
                _ = try CIDRBlock(parsing: block)
            } catch {
                throw ValidationError("--trusted-sbc \(block): \(error.reason)")
            }
        }
        guard sipTcpMaxConnections > 0, sipTcpMaxPerUnknownSource > 0, (1...86_400).contains(sipTcpIdleSeconds) else {
            throw ValidationError("--sip-tcp-max-connections and --sip-tcp-max-per-unknown-source must be positive, --sip-tcp-idle-seconds 1 to 86400")
        }
        guard (1...3_600).contains(emergencyNoticeWindowSeconds) else {
            throw ValidationError("--emergency-notice-window-seconds must be 1 to 3600")
        }
        guard (10...10_000).contains(verifyBudgetMs), (10...10_000).contains(cnamBudgetMs) else {
            throw ValidationError("--verify-budget-ms and --cnam-budget-ms must be 10 to 10000")
        }
        if let cnamURL, !(cnamURL.hasPrefix("https://") || cnamURL.hasPrefix("http://")) {
            throw ValidationError("--cnam-url must be an http(s) URL template")
        }
    }

    func run() async throws {
        var logger = Logger(label: "tandem")
        logger.logLevel = logLevel
        Self.raiseOpenFileLimit(logger: logger)
        let location = try DatabaseLocation(parsing: database.database)
        let store = try await Store.open(location, logger: logger)
        // The one clock every service of this process reads.
        let clock = WallClock.system
        // The schema first: the services below read the store as they are made (the decision token's kept key).
        try await store.migrate(TandemSchema.migrations, clock: clock)
        let provisioning = Provisioning(
            store: store,
            numbers: .init(reservationTime: .seconds(reservationMinutes * 60), agingDays: agingDays),
            clock: clock
        )
        let emergency = (emergencyRoute ?? (demo ? Endpoint(host: "127.0.0.1", port: 5090) : nil))
            .map { EmergencyRoute(host: $0.host, port: $0.port) }
        if emergency == nil {
            logger.warning("no --emergency-route: 911 and 933 calls will be answered 503 until one is configured")
        }
        if cdrRetentionDays < 548 {
            logger.warning("--cdr-retention-days is under 18 months: 47 CFR 42.6 asks carriers to keep toll records that long")
        }
        // The demo trusts the reference SBC's default addresses (docs/sbc.md), so that a call through it is rated.
        let trustedSBCs = trustedSbc.isEmpty && demo ? Self.demoSBCs : trustedSbc
        let table = RoutingTable()
        let publisher = RoutingPublisher(compiler: RoutingCompiler(store: store, emergency: emergency, clock: clock), table: table, logger: logger)
        let records = RoutingRecordQueue()
        let emergencyCalls = EmergencyCallQueue()
        let channels = ChannelCounter()
        let metrics = TandemMetrics(scraping: ScrapedFigures(
            snapshot: { (table.current.version, table.age) },
            recordsDropped: { records.dropped },
            noticesDropped: { emergencyCalls.dropped },
            channelsInUse: { channels.allUsage().mapValues(\.inUse) }
        ))
        let routingRecords = RoutingRecords(store: store, clock: clock)
        let recordWriter = RoutingRecordWriter(
            records: routingRecords, queue: records,
            configuration: .init(retention: .seconds(recordRetentionDays * 86_400)), metrics: metrics, logger: logger
        )
        let certificate = try serverCertificate(clock: clock, logger: logger)
        let tls = certificate?.serverConfiguration()
        let baseURL = publicURL ?? "\(tls == nil ? "http" : "https")://\(http)"
        let httpClient = HTTPDocumentSource.makeClient()
        let (identity, signingChain) = try callerIdentity(baseURL: baseURL, location: location, client: httpClient, clock: clock, logger: logger)
        let decisions = try await Self.decisionTokens(secretsKeyFile: secretsKeyFile, store: store)
        // Webhooks: the outbox's deliveries, and Kari's Law notifications of the emergency calls routing makes.
        let webhookPolicy = WebhookURLPolicy(allowPrivateNetworks: allowPrivateWebhooks || demo)
        let sealer = try secretsKeyFile.map { WebhookSecretSealer(key: try WebhookSecretSealer.key(fromFile: $0)) } ?? .plaintext
        let webhookDelivery = WebhookDelivery(
            store: store, configuration: .init(policy: webhookPolicy), secrets: sealer, clock: clock, logger: logger
        )
        let emergencyNotifier = EmergencyNotifier(
            queue: emergencyCalls, store: store, delivery: webhookDelivery,
            configuration: .init(window: .seconds(emergencyNoticeWindowSeconds)), logger: logger
        )
        let sipServer = SIPRedirectServer(
            configuration: SIPServerConfiguration(
                host: sip.host, port: sip.port, tcpIdleTimeout: .seconds(Int64(sipTcpIdleSeconds)),
                tcpMessageDeadline: .seconds(Int64(sipTcpMessageSeconds)),
                maximumTCPConnections: sipTcpMaxConnections, maximumTCPConnectionsPerUnknownSource: sipTcpMaxPerUnknownSource,
                tls: tls.map { (port: sipTlsPort, configuration: $0) }
            ),
            responder: RedirectResponder(
                clock: clock, table: table, admission: AdmissionPolicies {
                    CallsPerSecondPolicy(limiter: CallRateLimiter())
                    ChannelPolicy(counter: channels)
                },
                records: records, metrics: metrics, emergencyLocations: baseURL + emergencyLocationsPath, identity: identity,
                emergencyCalls: emergencyCalls, trustedProxies: TrustedProxies(trustedSBCs.compactMap(CIDRBlock.init)),
                decisions: decisions
            ),
            logger: logger
        )
        // Port orders go to the simulated losing carrier: the demo's holds Acme's other office.
        let porting = PortOrders(
            store: store, partner: demo ? SimulatedLosingCarrier.demo() : SimulatedLosingCarrier(records: []), clock: clock
        )
        let portOuts = PortOuts(
            store: store, numbers: provisioning.numbers,
            configuration: .init(approvalWindow: .seconds(portOutApprovalHours * 3_600)), clock: clock
        )
        // Routing starts once the schema is migrated and the first snapshot is published.
        let ready = StartupGate()
        let cdrs = CallDetailRecords(
            store: store, tokens: decisions, gateways: { CDRRater.gatewayOwners(table.current.carrierRoutes) },
            losses: { losses, database in
                // The operator hears of every call that lost money, in the transaction that stores it.
                guard let operatorId = try await AccountDirectory.operatorAccountId(in: database) else { return }
                for loss in losses {
                    try await WebhookOutbox.enqueue(.cdrLoss, account: operatorId, data: loss, at: clock.now(), in: database)
                }
            },
            clock: clock
        )
        let dependencies = APIDependencies(
            provisioning: provisioning, routing: table, routingRecords: routingRecords, cdrs: cdrs, channels: channels,
            metrics: metrics,
            portOrders: porting, portOuts: portOuts,
            webhookEndpoints: WebhookEndpoints(store: store, policy: webhookPolicy, secrets: sealer, clock: clock),
            signingChain: signingChain
        )
        let certificateReload = certificate.map { certificate in
            PeriodicService("TLS certificate reload", every: .seconds(tlsReloadSeconds), logger: logger) { [logger] in
                Self.reload(certificate, clock: clock, logger: logger)
            }
        }
        var app = try buildApplication(
            dependencies,
            configuration: .init(
                host: http.host, port: http.port, idleTimeout: .seconds(httpIdleSeconds), tls: tls,
                limits: HTTPLimits(
                    maximumConnections: httpMaxConnections, requestDeadline: .seconds(httpRequestSeconds),
                    operatorKeyRate: .init(perSecond: Double(apiOperatorRequestsPerSecond), burst: Double(5 * apiOperatorRequestsPerSecond)),
                    customerKeyRate: .init(perSecond: Double(apiRequestsPerSecond), burst: Double(5 * apiRequestsPerSecond)),
                    failedAuthenticationRate: apiFailedAuthenticationsPerSecond == 0 ? nil : .init(
                        perSecond: Double(apiFailedAuthenticationsPerSecond), burst: Double(10 * apiFailedAuthenticationsPerSecond)
                    )
                ),
                metricsToken: try metricsToken()
            ),
            // Services stop in reverse order: the SIP server first, then the emergency notifier and the record
            // writer write what is left while the store is still open.
            services: [
                store, PeriodicService.lifecycleSweeper(numbers: provisioning.numbers, logger: logger),
                ready.gating(PeriodicService.portActivation(orders: porting, logger: logger)),
                ready.gating(PeriodicService.portOutCompletion(portOuts: portOuts, logger: logger)),
                ready.gating(PeriodicService.cdrRetention(records: cdrs, days: cdrRetentionDays, clock: clock, logger: logger)),
                ready.gating(publisher), ready.gating(recordWriter), ready.gating(webhookDelivery),
                ready.gating(emergencyNotifier), ready.gating(sipServer),
            ] + (certificateReload.map { [$0] } ?? []),
            logger: logger,
            onServerRunning: { [http, sip, sipTlsPort, demo] _ in
                Self.printReady(
                    http: http, sip: sip, sipTLS: tls == nil ? nil : Endpoint(host: sip.host, port: sipTlsPort),
                    demo: demo, location: location
                )
            }
        )
        app.beforeServerStarts { [demo, secretsKeyFile, logger] in
            // Every stored webhook secret must open with this configuration before anything is signed with it.
            let sealed = try await sealer.sealStoredSecrets(in: store)
            if sealed > 0 { logger.notice("sealed the webhook secrets stored before a key was configured", metadata: ["endpoints": "\(sealed)"]) }
            if secretsKeyFile == nil, !demo {
                logger.notice("no --secrets-key-file: webhook secrets are stored unsealed in the database")
            }
            if demo {
                if try await DemoData.seed(provisioning) {
                    say("Seeded demo data: 2 customers, an agent, trunks and \(DemoData.stockedExchanges * 1_000) numbers.")
                }
                Self.printKeys(try await DemoData.issueKeys(provisioning))
            } else {
                let operatorAccount = try await provisioning.accounts.bootstrapOperator(name: "Operator")
                if try await !provisioning.accounts.hasActiveKey(role: .operatorAdmin) {
                    let issued = try await provisioning.accounts.issueKeyAsSystem(
                        accountId: operatorAccount.id, role: .operatorAdmin, name: "bootstrap operator"
                    )
                    say("""
                        Created the first operator API key. It is shown only this once; store it now:
                          export TANDEM_KEY=\(issued.secret)
                        (Lost it? `tandem keys create --role operator-admin` issues another.)
                        """)
                }
            }
            try await publisher.refresh()
            ready.open()
        }
        do {
            try await app.runService()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    /// The token in --metrics-token-file, without its line end; at least 16 characters.
    private func metricsToken() throws -> String? {
        guard let metricsTokenFile else { return nil }
        let token = try String(contentsOfFile: metricsTokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16, !token.contains(where: \.isWhitespace) else {
            throw ValidationError("--metrics-token-file must hold one token of at least 16 characters")
        }
        return token
    }

    /// The certificate for HTTPS and SIP over TLS, when one is configured.
    private func serverCertificate(clock: WallClock, logger: Logger) throws -> ServerCertificate? {
        guard let tlsCertificate, let tlsKey else { return nil }
        let certificate = try ServerCertificate(files: .init(chain: tlsCertificate, key: tlsKey))
        Self.noteExpiry(certificate, clock: clock, logger: logger)
        return certificate
    }

    /// Reads the certificate files again when they changed; a bad pair is logged and the previous one kept.
    private static func reload(_ certificate: ServerCertificate, clock: WallClock, logger: Logger) {
        switch certificate.reloadIfChanged() {
        case .unchanged:
            break
        case .reloaded:
            logger.notice("reloaded the TLS certificate", metadata: ["file": "\(certificate.files.chain)"])
            noteExpiry(certificate, clock: clock, logger: logger)
        case .refused(let reason):
            logger.error("the changed TLS certificate files cannot be used; still serving the previous certificate", metadata: [
                "reason": "\(reason)",
            ])
        }
    }

    /// Logs when the certificate expires: a warning within 14 days, an error once it has.
    private static func noteExpiry(_ certificate: ServerCertificate, clock: WallClock, logger: Logger) {
        let remaining = certificate.expires.timeIntervalSince(clock.now())
        let metadata: Logger.Metadata = ["file": "\(certificate.files.chain)", "expires": "\(certificate.expires)"]
        if remaining <= 0 {
            logger.error("the TLS certificate has expired", metadata: metadata)
        } else if remaining < 14 * 86_400 {
            logger.warning("the TLS certificate expires within 14 days", metadata: metadata)
        } else {
            logger.info("serving TLS", metadata: metadata)
        }
    }

    /// Signing, verification and caller names as configured; and the chain to publish as the x5u, if signing.
    private func callerIdentity(
        baseURL: String, location: DatabaseLocation, client: HTTPClient, clock: WallClock, logger: Logger
    ) throws -> (CallerIdentityService, String?) {
        var keyFile = stiKey
        var chainFile = stiChain
        var trust = stiTrust
        if demo, keyFile == nil {
            let directory = switch location {
            case .sqlite(let path): path + "-sti"
            case .postgres: "./tandem-sti"
            }
            let pki = try TestPKIFiles.loadOrCreate(in: directory, name: "Tandem Demo Carrier", code: "709J", clock: clock)
            (keyFile, chainFile) = (pki.signingKey, pki.signingChain)
            trust.append(pki.rootCertificate)
            say("STIR/SHAKEN: signing with the demo's test PKI in \(directory) (its root, ca.pem, is trusted for inbound calls).")
        }
        var service = CallerIdentityService()
        var published: String?
        if let keyFile, let chainFile {
            let credentials = try ServiceProviderCredentials(keyFile: keyFile, chainFile: chainFile)
            service.signer = PASSporTSigner(key: credentials.key, certificateURL: baseURL + signingChainPath)
            published = credentials.chainPEM
            if publicURL == nil, !demo {
                logger.warning("signing without --public-url: verifiers elsewhere cannot fetch the x5u \(baseURL + signingChainPath)")
            }
        }
        let anchors = try Certificate.certificates(pemFiles: trust)
        if !anchors.isEmpty {
            let source = HTTPDocumentSource(client: client, configuration: FetchConfiguration(
                allowedPrivateNetworks: demo || allowPrivateX5u ? FetchConfiguration.everyNetwork : []
            ), clock: clock)
            service.verifier = IdentityVerifier(
                configuration: VerificationConfiguration(trustAnchors: anchors, timeBudget: .milliseconds(verifyBudgetMs)),
                source: source
            )
        } else {
            logger.notice("no --sti-trust: inbound calls' Identity headers are not verified (verstat No-TN-Validation)")
        }
        if let cnamURL {
            service.names = CallerNameLookup(
                provider: HTTPCallerNameProvider(
                    template: cnamURL, authorization: cnamAuthorization, client: client,
                    fetch: FetchConfiguration(
                        maximumSize: 4_096, allowedPrivateNetworks: allowPrivateCnam ? FetchConfiguration.everyNetwork : []
                    )
                ),
                budget: .milliseconds(cnamBudgetMs)
            )
        }
        return (service, published)
    }

    /// Raises the process's open-file limit to its hard limit: at a soft limit of 1,024, a thousand idle SIP
    /// connections would leave the HTTP API no descriptor to accept with. The SIP server's own connection limit
    /// (1,024 by default) then stays well below it.
    private static func raiseOpenFileLimit(logger: Logger) {
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        let wanted = min(limit.rlim_max, 1 << 20)
        var raised = limit
        raised.rlim_cur = wanted
        if setrlimit(resource, &raised) == 0 {
            logger.debug("raised the open-file limit", metadata: ["from": "\(limit.rlim_cur)", "to": "\(wanted)"])
        }
    }

    /// What seals and opens decision tokens: the key derived from the secrets key when there is one, else the one kept
    /// in the database (made the first time), so that every node and restart seals alike.
    static func decisionTokens(secretsKeyFile: String?, store: Store) async throws -> DecisionToken {
        if let secretsKeyFile {
            return DecisionToken(secretsKey: try WebhookSecretSealer.key(fromFile: secretsKeyFile))
        }
        return DecisionToken(storedKey: try await ServerKeys.key(named: decisionKeyName, in: store, at: WallClock.system.unixSeconds()))
    }

    /// The addresses the reference SBC listens on by default (`Interop/kamailio/sbc.cfg`), trusted by the demo.
    static let demoSBCs = ["127.0.0.10/31"]

    /// The name the decision tokens' key is kept under when there is no secrets key.
    static let decisionKeyName = "decision-token"

    private static func printKeys(_ keys: DemoData.Keys) {
        say("""
            Demo API keys for this run (earlier runs' demo keys are revoked):
              export TANDEM_KEY=\(keys.operatorKey.secret)        # operator-admin
              export ACME_KEY=\(keys.acmeKey.secret)          # customer-admin of Acme Dental Group (\(DemoData.acmeId))
              export PARTNER_KEY=\(keys.partnerKey.secret)       # partner: Rival Telecom (OCN 7Q2X) files port-outs
              export SWITCH_KEY=\(keys.switchKey.secret)        # switch: the reference SBC reports CDRs (docs/sbc.md)
            """)
    }

    private static func printReady(http: Endpoint, sip: Endpoint, sipTLS: Endpoint?, demo: Bool, location: DatabaseLocation) {
        let scheme = sipTLS == nil ? "http" : "https"
        var lines = [
            "Tandem is up.",
            "  database:  \(location)",
            "  SIP:       sip:\(sip) on UDP and TCP (a 302 redirect server: point your SBC or sipp here)",
        ]
        if let sipTLS { lines.append("  SIP TLS:   sips:\(sipTLS)") }
        lines.append(
            "  HTTP API:  \(scheme)://\(http)/v1   (OpenAPI: \(scheme)://\(http)/openapi.json, health: \(scheme)://\(http)/health)"
        )
        if demo, let exchange = DemoData.stocked.first, DemoData.acmeNumbers.count > 1,
            let outbound = DemoData.outboundNumber, let ported = DemoData.portedNumbers.first?.number
        {
            let (dialed, caller) = (DemoData.acmeNumbers[0].e164, DemoData.acmeNumbers[1].e164)
            lines += [
                "Try it:",
                "  curl -s -H \"Authorization: Bearer $TANDEM_KEY\" 'http://\(http)/v1/numbers/available?npanxx=\(exchange.npaNXX)&limit=3'",
                "  sipp -sf Interop/sipp/redirect.xml -m 1 -s \(dialed) -key caller \(caller) \(sip)",
                "  sipp -sf Interop/sipp/redirect.xml -m 1 -s \(outbound.e164) -key caller \(caller) \(sip)   # outbound",
                "  sipp -sf Interop/sipp/redirect.xml -m 1 -s \(ported.e164) -key caller \(caller) \(sip)   # ported",
                "  The demo customer Acme (\(DemoData.acmeId)) has trunk \(DemoData.acmeTrunkId), which accepts calls from 127.0.0.1.",
            ]
        }
        say(lines.joined(separator: "\n"))
    }
}

/// Holds services back until startup work (migrations, the first routing snapshot) is done.
///
/// Each gated service waits on a stream of its own that `open()` finishes; waiting on a stream ends early
/// when the task is cancelled, so a shutdown during startup does not hang.
final class StartupGate: Sendable {
    private let pending = Mutex<[AsyncStream<Never>.Continuation]>([])

    /// Lets every gated service start.
    func open() {
        for continuation in pending.withLock({ $0 }) { continuation.finish() }
    }

    /// A service that waits for the gate, then runs `service`. Create all of them before calling `open()`.
    func gating(_ service: some Service) -> some Service {
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        pending.withLock { $0.append(continuation) }
        return GatedService(opened: stream, service: service)
    }
}

private struct GatedService<Wrapped: Service>: Service {
    let opened: AsyncStream<Never>
    let service: Wrapped

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in opened {}
        }
        guard !Task.isCancelled else { return }
        try await service.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
