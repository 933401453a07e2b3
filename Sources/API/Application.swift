import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Observability
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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, serverName: String = "Tandem", idleTimeout: Duration = .seconds(30),
        tls: TLSConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.serverName = serverName
        self.idleTimeout = idleTimeout
        self.tls = tls
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

/// Builds the router: `/health`, `/metrics` and `/openapi.json` open to all, everything under `/v1` authenticated.
/// With a signing chain, the chain is published at ``signingChainPath``, open to all.
public func buildRouter(_ dependencies: APIDependencies) -> Hummingbird.Router<APIContext> {
    let router = Hummingbird.Router(context: APIContext.self)
    let methods = RouteMethods()
    router.add(middleware: MethodNotAllowedMiddleware(methods: methods))
    router.add(middleware: ProblemMiddleware())
    OpenRoutes(store: dependencies.store, metrics: dependencies.metrics, signingChain: dependencies.signingChain)
        .addRoutes(to: router)
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(accounts: dependencies.accounts))
    AccountsController(accounts: dependencies.accounts).addRoutes(to: v1)
    NumbersController(numbers: dependencies.numbers).addRoutes(to: v1)
    TrunksController(trunks: dependencies.trunks, holders: [dependencies.portOrders]).addRoutes(to: v1)
    RoutesController(table: dependencies.routing, trunks: dependencies.trunks, clock: dependencies.clock).addRoutes(to: v1)
    ReferenceController(reference: dependencies.reference).addRoutes(to: v1)
    CarriersController(carriers: dependencies.carriers, rateDecks: dependencies.rateDecks).addRoutes(to: v1)
    RoutingRecordsController(records: dependencies.routingRecords).addRoutes(to: v1)
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
    let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout)))
    return Application(
        router: buildRouter(dependencies),
        server: try configuration.tls.map { try .tls(http1, tlsConfiguration: $0) } ?? http1,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The routes open to all: health, the OpenAPI document, metrics, and the signing chain verifiers fetch.
struct OpenRoutes: Sendable {
    let store: Store
    let metrics: TandemMetrics
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

    @Sendable func exposition(_: Request, context _: APIContext) async throws -> Response {
        Response(
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
