import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Observability
import Platform
import ServiceLifecycle
import Store

/// How to run the HTTP API.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String
    /// A connection idle this long is closed (Hummingbird's idle timeout, which runs after HTTP decoding: a request
    /// head dripped a byte at a time never completes, so it cannot keep a connection open; a body dripped part by
    /// part still resets it, see docs/security.md).
    public var idleTimeout: Duration
    /// HTTPS with this server configuration; plain HTTP when `nil`.
    public var tls: TLSConfiguration?
    /// Connections, request time, body sizes and requests per key.
    public var limits: HTTPLimits
    /// The bearer token `GET /metrics` asks for; open to all when `nil`.
    public var metricsToken: String?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, serverName: String = "Tandem", idleTimeout: Duration = .seconds(30),
        tls: TLSConfiguration? = nil, limits: HTTPLimits = HTTPLimits(), metricsToken: String? = nil
    ) {
        self.host = host
        self.port = port
        self.serverName = serverName
        self.idleTimeout = idleTimeout
        self.tls = tls
        self.limits = limits
        self.metricsToken = metricsToken
    }
}

/// The OpenAPI 3.1 document describing the API: the contract the server is tested against.
public enum OpenAPIDocument {
    /// The document's bytes, as shipped in the module's resources.
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { preconditionFailure("the OpenAPI document is missing from the API module's resources") }
        return data
    }()
}

/// Where the HTTP server publishes emergency calls' locations (PIDF-LO, RFC 6442's location by reference): a
/// location is this, `/`, and its address id.
public let emergencyLocationsPath = "/v1/e911/locations"

/// Where the HTTP server publishes the certificate chain of Tandem's STIR/SHAKEN signatures (the x5u).
public let signingChainPath = "/sti/cert.pem"

/// Builds the router: `/health` and `/openapi.json` open to all, `/metrics` too unless `metricsToken` names the
/// bearer token it asks for, everything under `/v1` authenticated (before routing: unknown paths included) and
/// held to its key's rate. With a signing chain, the chain is published at ``signingChainPath``, open to all.
public func buildRouter(
    _ dependencies: APIDependencies, limits: HTTPLimits = HTTPLimits(), metricsToken: String? = nil
) -> Hummingbird.Router<APIContext> {
    let router = Hummingbird.Router(context: APIContext.self)
    let methods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(methods: methods))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: BodyLimitMiddleware(bytes: limits.jsonBodyBytes))
    router.add(middleware: AuthenticationMiddleware(
        accounts: dependencies.accounts, failures: FailedAuthenticationLimiter(limits: limits, metrics: dependencies.metrics)
    ))
    router.add(middleware: KeyRateMiddleware(limiter: KeyRateLimiter(limits: limits, metrics: dependencies.metrics)))
    OpenRoutes(
        store: dependencies.store, metrics: dependencies.metrics, metricsToken: metricsToken, signingChain: dependencies.signingChain
    ).addRoutes(to: router)
    let v1 = router.group("v1")
    AccountsController(accounts: dependencies.accounts).addRoutes(to: v1)
    NumbersController(numbers: dependencies.numbers, uploadBodyBytes: limits.uploadBodyBytes).addRoutes(to: v1)
    TrunksController(trunks: dependencies.trunks, holders: [dependencies.portOrders]).addRoutes(to: v1)
    RoutesController(table: dependencies.routing, trunks: dependencies.trunks, clock: dependencies.clock).addRoutes(to: v1)
    ReferenceController(reference: dependencies.reference).addRoutes(to: v1)
    CarriersController(carriers: dependencies.carriers, rateDecks: dependencies.rateDecks).addRoutes(to: v1)
    RoutingRecordsController(records: dependencies.routingRecords).addRoutes(to: v1)
    CDRsController(
        records: dependencies.cdrs, channels: dependencies.channels, metrics: dependencies.metrics, uploadBodyBytes: limits.uploadBodyBytes
    )
        .addRoutes(to: v1)
    ChannelsController(channels: dependencies.channels, trunks: dependencies.trunks).addRoutes(to: v1)
    BlockedDestinationsController(blocks: dependencies.blockedDestinations).addRoutes(to: v1)
    E911Controller(addresses: dependencies.emergencyAddresses, bindings: dependencies.emergencyBindings).addRoutes(to: v1)
    PortOrdersController(orders: dependencies.portOrders, lrns: dependencies.networkLRNs).addRoutes(to: v1)
    PortOutsController(portOuts: dependencies.portOuts).addRoutes(to: v1)
    WebhooksController(endpoints: dependencies.webhookEndpoints).addRoutes(to: v1)
    methods.register(router.routes.map { ($0.method, $0.path.description) })
    return router
}

/// Builds the HTTP application over running services. The caller runs the store (as a service of its own
/// group, or by adding it to `services`). Throws when the TLS configuration cannot make a server context.
public func buildApplication(
    _ dependencies: APIDependencies,
    configuration: APIConfiguration,
    services: [any Service],
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void
) throws -> Application<RouterResponder<APIContext>> {
    let (limits, metrics, tls) = (configuration.limits, dependencies.metrics, configuration.tls)
    let gate = ConnectionGate(maximum: limits.maximumConnections, metrics: metrics)
    let http1 = HTTP1Channel.Configuration(
        additionalChannelHandlers: [RequestDeadlineHandler(deadline: limits.requestDeadline, metrics: metrics)],
        idleTimeout: TimeAmount(configuration.idleTimeout)
    )
    // Each connection is admitted under the cap first, then (for HTTPS) shakes hands, then speaks HTTP/1.1.
    let server = HTTPServerBuilder { responder in
        let http = HTTP1Channel(responder: responder, configuration: http1)
        guard let tls else { return CappedChildChannel(base: http, gate: gate) }
        return CappedChildChannel(base: try TLSChannel(http, tlsConfiguration: tls), gate: gate)
    }
    return Application(
        router: buildRouter(dependencies, limits: limits, metricsToken: configuration.metricsToken),
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The routes open to all: health, the OpenAPI document, metrics (unless a token guards them), and the signing
/// chain verifiers fetch.
struct OpenRoutes: Sendable {
    let store: Store
    let metrics: TandemMetrics
    let metricsToken: String?
    let signingChain: String?

    func addRoutes(to router: Hummingbird.Router<APIContext>) {
        router.get("health", use: health)
        router.get("openapi.json", use: openAPIDocument)
        router.get("metrics", use: exposition)
        if signingChain != nil {
            // The x5u of every PASSporT Tandem signs: verifiers everywhere fetch it, so it needs no key.
            router.get(RouterPath(signingChainPath), use: chain)
        }
    }

    @Sendable func health(_: Request, context: APIContext) async throws -> Response {
        let version: Int
        do {
            version = try await store.schemaVersion()
        } catch {
            context.logger.error("health check: the database does not answer", metadata: ["error": "\(error)"])
            throw Problem(status: .serviceUnavailable, code: "unavailable", title: "Service unavailable",
                          detail: "the database does not answer")
        }
        return try json(Health(status: "ok", database: store.backend.rawValue, schemaVersion: version), context: context)
    }

    @Sendable func openAPIDocument(_: Request, context _: APIContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: OpenAPIDocument.data))
        )
    }

    @Sendable func exposition(_ request: Request, context _: APIContext) async throws -> Response {
        if let metricsToken {
            // Compared in constant time: the token is a secret, and the answer must not leak how much of it matched.
            let presented = request.headers[.authorization].map { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : "" } ?? ""
            guard Identifier.constantTimeEqual(presented, metricsToken) else { throw Problem.unauthorized }
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
        )
    }

    @Sendable func chain(_: Request, context _: APIContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/x-pem-file", .cacheControl: "public, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: signingChain ?? ""))
        )
    }
}

/// The body of `GET /health`.
struct Health: Encodable {
    var status: String
    var database: String
    var schemaVersion: Int
}
