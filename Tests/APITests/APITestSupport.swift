import API
import CallRecords
import Crypto
import Foundation
import Guard
import Hummingbird
import HummingbirdTesting
import Inventory
import Logging
import Routing
import NIOCore
import Observability
import Porting
import Rating
import RoutingFeed
import Telephony
import TestSupport
import Webhooks
import Testing

/// Runs `body` against the API router (no sockets) over a fresh fixture on the given database.
///
/// Tests run in parallel, and each PostgreSQL store opens up to 10 connections to a server that takes 100: at most
/// ``postgresSlots`` of them hold a store at once, so that hundreds of test cases do not exhaust the server.
func withAPI(
    _ database: TestDatabase, limits: HTTPLimits = .forTests, _ body: @Sendable (Fixture, any TestClientProtocol) async throws -> Void
) async throws {
    guard database == .postgres else { return try await runAPI(database, limits: limits, body) }
    await postgresSlots.acquire()
    do {
        try await runAPI(database, limits: limits, body)
    } catch {
        await postgresSlots.release()
        throw error
    }
    await postgresSlots.release()
}

/// How many API tests may hold a PostgreSQL store at once.
private let postgresSlots = TestSlots(4)

/// A counting semaphore for async tests.
private actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        guard free == 0 else {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

extension HTTPLimits {
    /// The default limits, but for the rate per key: a test makes requests faster than any client should.
    static var forTests: HTTPLimits {
        var limits = HTTPLimits()
        limits.operatorKeyRate = .init(perSecond: 1_000_000, burst: 1_000_000)
        limits.customerKeyRate = .init(perSecond: 1_000_000, burst: 1_000_000)
        return limits
    }
}

private func runAPI(
    _ database: TestDatabase, limits: HTTPLimits, _ body: @Sendable (Fixture, any TestClientProtocol) async throws -> Void
) async throws {
    try await database.withStore { store in
        let fixture = try await Fixture.make(store)
        // Routing sees the fixture as it was made, as a server would right after startup.
        let routing = RoutingTable()
        try await RoutingPublisher(
            compiler: RoutingCompiler(store: store, emergency: EmergencyRoute(host: "psap.example"), clock: fixture.clock), table: routing,
            logger: .test("test")
        ).refresh()
        let app = Application(router: buildRouter(fixture.apiDependencies(routing: routing), limits: limits))
        try await app.test(.router) { client in
            try await body(fixture, client)
        }
    }
}

extension TestClientProtocol {
    /// Sends a request with a bearer key (when given) and a JSON body (when given).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String?, json body: String? = nil,
        contentType: String = "application/json"
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The `data` array of a page.
    var items: [[String: Any]] {
        object["data"] as? [[String: Any]] ?? []
    }

    var text: String { String(buffer: body) }
}

extension TestResponse {
    /// The problem `type` of an error answer.
    var problemType: String? { object["type"] as? String }

    /// The problem `field` of an error answer.
    var problemField: String? { object["field"] as? String }
}

// MARK: - Dates

/// Dates a test sends that the API checks against its clock (key expiries), a year after now, so that the suite
/// passes on any date, under `faketime` too.
enum TestDates {
    /// An ISO 8601 date-time a year from now, without fractional seconds (`2027-12-07T09:00:00Z`).
    static func future(fractionalSeconds: Bool = false) -> String {
        let formatter = ISO8601DateFormatter()
        if fractionalSeconds { formatter.formatOptions.insert(.withFractionalSeconds) }
        return formatter.string(from: Date().addingTimeInterval(365 * 86_400))
    }

    /// Today as `YYYY-MM-DD` in UTC (an LOA's signing day).
    static var today: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: Date())
    }
}

// MARK: - Another tenant's resources

/// Globex's side of the fixture: one of each resource a tenant owns, made through the API as Globex (and as the
/// operator, for the port-out request only a gaining carrier's filing makes), so that isolation probes aim at real
/// ids and a probe that wrongly reached one shows in ``ownerView(_:)``.
///
/// Globex holds +1 202-555-0150 on its trunk, with a failover number, a caller name and an E911 address; a
/// webhook endpoint with a pending delivery (of the port-out's event); a draft port-in order; a port-out request
/// awaiting its approval, guarded by a PIN; a blocked destination; and a routing record of a call from its trunk.
/// Acme holds +1 202-555-0151 on its own trunk, for probes that name one of Acme's resources and one of Globex's.
struct ForeignResources: Sendable {
    static let number = "+12025550150"
    static let acmeNumber = "+12025550151"

    let fixture: Fixture
    let webhookId: String
    let portOrderId: String
    let portOutId: String
    let addressId: String
    let blockId: String

    static func make(_ fixture: Fixture, _ client: some TestClientProtocol) async throws -> ForeignResources {
        let globex = fixture.globexKey
        func call(
            _ method: HTTPRequest.Method, _ uri: String, key: String, _ body: String? = nil,
            _ status: HTTPResponse.Status = .ok, sourceLocation: SourceLocation = #_sourceLocation
        ) async throws -> [String: Any] {
            let response = try await client.send(method, uri, key: key, json: body)
            try #require(
                response.status == status, "\(method) \(uri): \(response.text)", sourceLocation: sourceLocation
            )
            return response.object
        }
        let trunk = fixture.globexTrunk.id
        _ = try await call(.post, "/v1/numbers/order", key: globex, #"{"numbers":["\#(number)"]}"#)
        _ = try await call(.post, "/v1/numbers/assign", key: globex,
                           #"{"numbers":["\#(number)"],"trunk_id":"\#(trunk)"}"#)
        _ = try await call(.put, "/v1/numbers/\(number)/failover", key: globex,
                           #"{"targets":[{"number":"+13015550100"}]}"#)
        _ = try await call(.put, "/v1/numbers/\(number)/cnam", key: globex, #"{"name":"Globex Corp"}"#)
        let address = try await call(
            .post, "/v1/e911/addresses", key: globex,
            #"{"street":"400 N Capitol St","city":"Washington","state":"DC","zip":"20001"}"#, .created
        )
        let addressId = try #require(address["id"] as? String)
        _ = try await call(.put, "/v1/numbers/\(number)/e911", key: globex, #"{"address_id":"\#(addressId)"}"#)
        let webhook = try await call(.post, "/v1/webhooks", key: globex,
                                     #"{"url":"https://hooks.example.com/globex"}"#, .created)
        let block = try await call(.post, "/v1/blocked-destinations", key: globex,
                                   #"{"prefix":"+7","reason":"no traffic"}"#, .created)
        _ = try await call(.put, "/v1/accounts/\(fixture.globex.accountId)/port-out-protection", key: globex,
                           #"{"pin":"8642","zip":"20001"}"#)
        let portIn = try await call(.post, "/v1/port-orders", key: globex, """
            {"numbers":["+12025551000"],"trunk_id":"\(trunk)",
             "account":{"business_name":"Globex Corp","service_address":"1 Globex Way","zip":"20001",
                        "account_number":"CB-9000","pin":"4321"},
             "loa":{"signer":"Hank Scorpio","title":"CEO","signed_on":"\(TestDates.today)","document_name":"loa.pdf",
                    "document":"JVBERi0="}}
            """, .created)
        let portOrder = try #require((portIn["orders"] as? [[String: Any]])?.first)
        let portOut = try await call(.post, "/v1/port-outs", key: fixture.operatorKey, """
            {"numbers":["\(number)"],"gaining_carrier":"Rival Telecom","gaining_ocn":"7Q2X",
             "account_number":"\(fixture.globex.accountId)","business_name":"Globex","zip":"20001","pin":"8642"}
            """, .created)
        try #require(portOut["state"] as? String == "pending-approval", "the port-out must await Globex's answer")
        try await fixture.routingRecords.insert([
            RoutingRecord(
                at: fixture.clock.unixMilliseconds(), callID: "globex-call", source: IPAddress("198.51.100.1")!, trunkId: trunk,
                dialed: "+12025550100", normalized: "+12025550100", lrn: nil, jurisdiction: nil, status: 302,
                reason: trunk, carriers: [], priceMicros: nil, callerIDFlagged: false
            ),
        ])
        let acme = fixture.acmeKey
        _ = try await call(.post, "/v1/numbers/order", key: acme, #"{"numbers":["\#(acmeNumber)"]}"#)
        _ = try await call(.post, "/v1/numbers/assign", key: acme,
                           #"{"numbers":["\#(acmeNumber)"],"trunk_id":"\#(fixture.acmeTrunk.id)"}"#)
        return ForeignResources(
            fixture: fixture, webhookId: try #require(webhook["id"] as? String),
            portOrderId: try #require(portOrder["id"] as? String), portOutId: try #require(portOut["id"] as? String),
            addressId: addressId, blockId: try #require(block["id"] as? String)
        )
    }

    /// Everything Globex can read of its own, by URI: what no other tenant's request may change.
    var ownerURIs: [String] {
        let account = fixture.globex.accountId, number = Self.number
        return [
            "/v1/accounts/\(account)", "/v1/accounts/\(account)/keys", "/v1/accounts/\(account)/port-out-protection",
            "/v1/numbers", "/v1/numbers/\(number)", "/v1/numbers/\(number)/history", "/v1/numbers/\(number)/failover",
            "/v1/numbers/\(number)/cnam", "/v1/numbers/\(number)/e911",
            "/v1/trunks", "/v1/trunks/\(fixture.globexTrunk.id)",
            "/v1/webhooks", "/v1/webhooks/\(webhookId)", "/v1/webhooks/\(webhookId)/deliveries",
            "/v1/port-orders", "/v1/port-orders/\(portOrderId)", "/v1/port-orders/\(portOrderId)/events",
            "/v1/port-outs", "/v1/port-outs/\(portOutId)", "/v1/port-outs/\(portOutId)/events",
            "/v1/e911/addresses", "/v1/e911/addresses/\(addressId)", "/v1/e911/unbound",
            "/v1/blocked-destinations", "/v1/routing-records",
        ]
    }

    /// Globex's answers to ``ownerURIs``, read with its own key: status and body of each.
    func ownerView(_ client: some TestClientProtocol) async throws -> [String: String] {
        var view: [String: String] = [:]
        for uri in ownerURIs {
            let response = try await client.send(.get, uri, key: fixture.globexKey)
            view[uri] = "\(response.status.code) \(response.text)"
        }
        return view
    }
}

extension Fixture {
    /// The key the tests' decision tokens are sealed with, as a server's would be.
    static let decisionTokens = DecisionToken(key: SymmetricKey(data: Data(repeating: 5, count: 32)))

    /// The fixture's routing records.
    var routingRecords: RoutingRecords { RoutingRecords(store: provisioning.store, clock: clock) }

    /// The API over the fixture's services: port orders to the fixture's losing carrier, webhooks to public hosts
    /// only, and `/metrics` over `metrics` or, without them, the routing snapshot's figures alone.
    func apiDependencies(routing: RoutingTable, metrics: TandemMetrics? = nil, channels: ChannelCounter = ChannelCounter()) -> APIDependencies {
        APIDependencies(
            provisioning: provisioning, routing: routing, routingRecords: routingRecords,
            cdrs: CallDetailRecords(
                store: provisioning.store, tokens: Self.decisionTokens,
                gateways: { CDRRater.gatewayOwners(routing.current.carrierRoutes) }, clock: clock
            ),
            channels: channels,
            metrics: metrics ?? TandemMetrics(scraping: ScrapedFigures(snapshot: { (routing.current.version, routing.age) })),
            portOrders: porting, portOuts: PortOuts(store: provisioning.store, numbers: provisioning.numbers, clock: clock),
            webhookEndpoints: WebhookEndpoints(store: provisioning.store, clock: clock), signingChain: nil
        )
    }
}
