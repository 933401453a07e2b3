import Foundation
import Hummingbird
import Inventory
import Logging
import Routing
import NIOCore
import Observability
import Porting
import ServiceLifecycle
import Store
import Webhooks

/// How to run the HTTP API.
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var serverName: String

    public init(host: String = "127.0.0.1", port: Int = 8080, serverName: String = "Tandem") {
        self.host = host
        self.port = port
        self.serverName = serverName
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

/// Where the HTTP server publishes the certificate chain of Tandem's STIR/SHAKEN signatures (the x5u).
public let signingChainPath = "/sti/cert.pem"

/// Builds the router: `/health`, `/metrics` and `/openapi.json` open to all, everything under `/v1` authenticated.
///
/// `/metrics` serves `metrics`, or, without them, metrics of the routing snapshot alone.
///
/// Port orders go to `porting`'s partner; without one, an empty simulated losing carrier answers (it knows no
/// account, so it rejects every order). Port-outs follow `portOuts` (by default, a 72-hour approval window). With
/// a `signingChain`, the chain is published at ``signingChainPath``, open to all. Webhook endpoints are checked
/// against `webhooks` (by default, public hosts only).
public func buildRouter(
    provisioning: Provisioning, routing: RoutingTable = RoutingTable(), metrics: TandemMetrics? = nil,
    porting: PortOrders? = nil, portOuts: PortOuts? = nil, signingChain: String? = nil,
    webhooks: WebhookURLPolicy = WebhookURLPolicy()
) -> Hummingbird.Router<APIContext> {
    let router = Hummingbird.Router(context: APIContext.self)
    let metrics = metrics ?? TandemMetrics(scraping: ScrapedFigures(snapshot: { (routing.current.version, routing.age) }))
    router.add(middleware: ProblemMiddleware())
    router.get("health") { _, context in
        let version: Int
        do {
            version = try await provisioning.store.schemaVersion()
        } catch {
            context.logger.error("health check: the database does not answer", metadata: ["error": "\(error)"])
            throw Problem(status: .serviceUnavailable, code: "unavailable", title: "Service unavailable",
                          detail: "the database does not answer")
        }
        return try json(
            Health(status: "ok", database: provisioning.store.backend.rawValue, schemaVersion: version),
            context: context
        )
    }
    router.get("openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: OpenAPIDocument.data))
        )
    }
    if let signingChain {
        // The x5u of every PASSporT Tandem signs: verifiers everywhere fetch it, so it needs no key.
        router.get(RouterPath(signingChainPath)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/x-pem-file", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: signingChain))
            )
        }
    }
    router.get("metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
        )
    }
    let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(accounts: provisioning.accounts))
    AccountsController(accounts: provisioning.accounts).addRoutes(to: v1)
    NumbersController(numbers: provisioning.numbers).addRoutes(to: v1)
    TrunksController(trunks: provisioning.trunks).addRoutes(to: v1)
    RoutesController(table: routing, trunks: provisioning.trunks, clock: provisioning.clock).addRoutes(to: v1)
    ReferenceController(reference: provisioning.reference).addRoutes(to: v1)
    CarriersController(carriers: provisioning.carriers, rateDecks: provisioning.rateDecks).addRoutes(to: v1)
    RoutingRecordsController(records: provisioning.routingRecords).addRoutes(to: v1)
    BlockedDestinationsController(blocks: provisioning.blockedDestinations).addRoutes(to: v1)
    E911Controller(addresses: provisioning.emergencyAddresses).addRoutes(to: v1)
    PortOrdersController(
        orders: porting ?? PortOrders(store: provisioning.store, partner: SimulatedLosingCarrier(records: []), clock: provisioning.clock),
        lrns: provisioning.networkLRNs
    ).addRoutes(to: v1)
    PortOutsController(portOuts: portOuts ?? PortOuts(store: provisioning.store, numbers: provisioning.numbers, clock: provisioning.clock)).addRoutes(to: v1)
    WebhooksController(endpoints: WebhookEndpoints(store: provisioning.store, policy: webhooks, clock: provisioning.clock)).addRoutes(to: v1)
    return router
}

/// Builds the HTTP application over a running provisioning layer. The caller runs the store (as a service
/// of its own group, or by adding it to `services`).
public func buildApplication(
    provisioning: Provisioning,
    routing: RoutingTable,
    metrics: TandemMetrics? = nil,
    porting: PortOrders? = nil,
    portOuts: PortOuts? = nil,
    signingChain: String? = nil,
    webhooks: WebhookURLPolicy = WebhookURLPolicy(),
    configuration: APIConfiguration,
    services: [any Service] = [],
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<APIContext>> {
    Application(
        router: buildRouter(
            provisioning: provisioning, routing: routing, metrics: metrics, porting: porting, portOuts: portOuts,
            signingChain: signingChain, webhooks: webhooks
        ),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: configuration.serverName),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The body of `GET /health`.
struct Health: Encodable {
    var status: String
    var database: String
    var schemaVersion: Int
}
