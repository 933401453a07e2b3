import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import Logging
import Routing
import NIOCore
import TestSupport

/// Runs `body` against the API router (no sockets) over a fresh fixture on the given database.
func withAPI(
    _ database: TestDatabase, _ body: @Sendable (Fixture, any TestClientProtocol) async throws -> Void
) async throws {
    try await database.withStore { store in
        let fixture = try await Fixture.make(store)
        // Routing sees the fixture as it was made, as a server would right after startup.
        let routing = RoutingTable()
        try await RoutingPublisher(
            compiler: RoutingCompiler(store: store, emergency: EmergencyRoute(host: "psap.example"), clock: fixture.clock), table: routing,
            logger: .test("test")
        ).refresh()
        let app = Application(router: buildRouter(provisioning: fixture.provisioning, routing: routing, porting: fixture.porting))
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
