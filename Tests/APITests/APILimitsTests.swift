import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The limits the README and the OpenAPI document promise: JSON bodies of at most 256 KiB and stock uploads of at
/// most 8 MiB (413), bulk requests of at most
/// 1,000 numbers and quantity orders of at most 500 (refused whole, naming the member), pages of 1 to 500 items, and
/// cursors that are the `next_cursor` of a previous page.
@Suite("API limits")
struct APILimitsTests {
    // MARK: - Bodies

    /// The documented largest bodies (`ContentTooLarge`): JSON's, and a stock upload's.
    static let maximumBody = 256 * 1_024
    static let maximumUpload = 8 * 1_024 * 1_024

    /// A JSON order for +1 202-555-0001 that is exactly `size` bytes long: the padding is a member the API ignores.
    static func order(ofSize size: Int) -> String {
        let head = #"{"numbers":["+12025550001"],"padding":""#, tail = #""}"#
        return head + String(repeating: "x", count: size - head.utf8.count - tail.utf8.count) + tail
    }

    @Test("a JSON body over 256 KiB and an upload over 8 MiB are 413 problems and change nothing; one at the limit is taken",
          arguments: TestDatabase.available)
    func bodyTooLarge(database: TestDatabase) async throws {
        try await withAPI(database) { fixture, client in
            let tooLarge = try await client.send(.post, "/v1/numbers/order", key: fixture.acmeKey,
                                                 json: Self.order(ofSize: Self.maximumBody + 1))
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.headers[.contentType] == "application/problem+json")
            #expect(tooLarge.problemType == "urn:tandem:problem:body-too-large", "\(tooLarge.text)")
            #expect(tooLarge.object["status"] as? Int == 413)
            let untouched = try await client.send(.get, "/v1/numbers/+12025550001", key: fixture.operatorKey)
            #expect(untouched.object["status"] as? String == "available", "\(untouched.text)")

            let text = "+13125550000\n# " + String(repeating: "x", count: Self.maximumUpload) + "\n"
            let file = try await client.send(.post, "/v1/inventory/numbers", key: fixture.operatorKey, json: text,
                                             contentType: "text/plain")
            #expect(file.status == .contentTooLarge)
            #expect(file.problemType == "urn:tandem:problem:body-too-large", "\(file.text)")
            let unstocked = try await client.send(.get, "/v1/numbers/+13125550000", key: fixture.operatorKey)
            #expect(unstocked.status == .notFound)

            // The limit is the size, not the content: the same order at exactly 256 KiB goes through.
            let atLimit = try await client.send(.post, "/v1/numbers/order", key: fixture.acmeKey,
                                                json: Self.order(ofSize: Self.maximumBody))
            #expect(atLimit.status == .ok, "\(atLimit.text.prefix(300))")
            #expect(atLimit.object["succeeded"] as? Int == 1)
        }
    }

    // MARK: - Bulk operations

    /// The bulk operations on named numbers.
    static let bulkOperations: [String] = ["order", "reserve", "release", "assign", "unassign"]

    /// `count` numbers for a bulk request, in the spellings customers use: the fixture's 300 numbers in stock (of
    /// which Acme holds the first 10, on its trunk) and then numbers Tandem does not have.
    static func numbers(_ count: Int) -> [String] {
        let digits = (0..<200).map { 2_025_550_000 + $0 } + (0..<100).map { 9_735_559_000 + $0 }
            + (0..<max(0, count - 300)).map { 3_125_550_000 + $0 }
        return digits.prefix(count).enumerated().map { index, value in
            let text = String(value)
            let (area, exchange, line) = (text.prefix(3), text.dropFirst(3).prefix(3), text.suffix(4))
            switch index % 4 {
            case 0: return "+1\(text)"
            case 1: return "\(area)-\(exchange)-\(line)"
            case 2: return "(\(area)) \(exchange)-\(line)"
            default: return text
            }
        }
    }

    private static func bulkBody(_ operation: String, _ numbers: [String], fixture: Fixture) throws -> String {
        var body: [String: Any] = ["numbers": numbers]
        if operation == "assign" { body["trunk_id"] = fixture.acmeTrunk.id }
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    /// What the operator and Acme see of the numbers: every status of every number.
    private static func numberView(_ fixture: Fixture, _ client: some TestClientProtocol) async throws -> [String] {
        var view: [String] = []
        for (uri, key) in [("/v1/numbers?limit=500", fixture.operatorKey),
                           ("/v1/numbers/available?limit=500", fixture.operatorKey),
                           ("/v1/numbers?limit=500", fixture.acmeKey)] {
            view.append(try await client.send(.get, uri, key: key).text)
        }
        return view
    }

    @Test("a bulk request of 1,001 numbers is refused whole, naming `numbers`; 1,000 are taken, each reported",
          arguments: TestDatabase.available, bulkOperations)
    func bulkOverLimit(database: TestDatabase, operation: String) async throws {
        try await withAPI(database) { fixture, client in
            let held = Self.numbers(10)
            for step in ["order", "assign"] {
                let response = try await client.send(.post, "/v1/numbers/\(step)", key: fixture.acmeKey,
                                                     json: try Self.bulkBody(step, held, fixture: fixture))
                try #require(response.object["succeeded"] as? Int == 10, "\(step): \(response.text)")
            }
            let before = try await Self.numberView(fixture, client)
            let tooMany = try await client.send(.post, "/v1/numbers/\(operation)", key: fixture.acmeKey,
                                                json: try Self.bulkBody(operation, Self.numbers(1_001), fixture: fixture))
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.problemType == "urn:tandem:problem:invalid-field")
            #expect(tooMany.problemField == "numbers", "\(tooMany.text)")
            #expect(try await Self.numberView(fixture, client) == before, "a refused bulk request changed numbers")

            let most = try await client.send(.post, "/v1/numbers/\(operation)", key: fixture.acmeKey,
                                             json: try Self.bulkBody(operation, Self.numbers(1_000), fixture: fixture))
            #expect(most.status == .ok, "\(most.text.prefix(300))")
            let results = most.object["results"] as? [[String: Any]] ?? []
            #expect(results.count == 1_000)
            // One bad number never fails the rest: the 290 available numbers are ordered or reserved, Acme's 10 are
            // released, assigned or unassigned. Ordering or reserving, the 700 Tandem does not have and Acme's own 10
            // are illegal transitions (not available); numbers that are not Acme's are not found for release, assign
            // and unassign, like those not in stock.
            let expected = ["order": 290, "reserve": 290][operation] ?? 10
            #expect(most.object["succeeded"] as? Int == expected, "\(operation)")
            let code = ["order", "reserve"].contains(operation) ? "illegal-transition" : "not-found"
            let refused = results.filter { ($0["error"] as? [String: Any])?["code"] as? String == code }
            #expect(refused.count == (["order", "reserve"].contains(operation) ? 710 : 990), "\(operation)")
        }
    }

    @Test("a quantity order of more than 500 is refused naming `quantity`, and takes nothing",
          arguments: TestDatabase.available, ["order", "reserve"])
    func quantityOverLimit(database: TestDatabase, operation: String) async throws {
        try await withAPI(database) { fixture, client in
            let before = try await Self.numberView(fixture, client)
            let response = try await client.send(.post, "/v1/numbers/\(operation)", key: fixture.acmeKey,
                                                 json: #"{"quantity":501,"search":{"npa":"202"}}"#)
            #expect(response.status == .badRequest)
            #expect(response.problemType == "urn:tandem:problem:invalid-field")
            #expect(response.problemField == "quantity", "\(response.text)")
            #expect(try await Self.numberView(fixture, client) == before)
        }
    }

    // MARK: - Pages

    /// Every documented list: the operations that take `limit`.
    static let lists: [DocumentedOperation] = {
        guard let contract = try? OpenAPIContract() else { return [] }
        return contract.operations.filter { operation in
            contract.parameters(of: operation).contains { $0["name"] as? String == "limit" }
        }
    }()

    /// Makes Acme's resources for the list (once: each call makes more), and returns its URI with a query added.
    private static func uri(
        _ operation: DocumentedOperation, _ fixture: Fixture
    ) async throws -> @Sendable (String) -> String {
        let request = try await OpenAPIContractTests.realRequest(for: operation, fixture, try OpenAPIContract())
        return { query in request.uri + (request.uri.contains("?") ? "&" : "?") + query }
    }

    @Test("every list documents limit and cursor")
    func listsAreDocumented() throws {
        #expect(Self.lists.count >= 15, "\(Self.lists)")
        let contract = try OpenAPIContract()
        for list in Self.lists {
            #expect(contract.parameters(of: list).contains { $0["name"] as? String == "cursor" }, "\(list)")
        }
    }

    @Test("a limit outside 1...500, or not a number, is a 400 naming `limit`; 1 and 500 are taken",
          arguments: TestDatabase.available, lists)
    func limits(database: TestDatabase, list: DocumentedOperation) async throws {
        try await withAPI(database) { fixture, client in
            let uri = try await Self.uri(list, fixture)
            for limit in ["0", "501", "-1", "abc", "1.5", "", "99999999999999999999"] {
                let response = try await client.send(.get, uri("limit=\(limit)"), key: fixture.operatorKey)
                #expect(response.status == .badRequest, "\(list) limit=\(limit): \(response.text)")
                #expect(response.problemType == "urn:tandem:problem:invalid-field", "\(list) limit=\(limit)")
                #expect(response.problemField == "limit", "\(list) limit=\(limit): \(response.text)")
            }
            for limit in [1, 500] {
                let response = try await client.send(.get, uri("limit=\(limit)"), key: fixture.operatorKey)
                #expect(response.status == .ok, "\(list) limit=\(limit): \(response.text)")
                #expect(response.items.count <= limit)
            }
        }
    }

    @Test("a cursor that no page gave is a 400 naming `cursor`", arguments: TestDatabase.available, lists)
    func badCursor(database: TestDatabase, list: DocumentedOperation) async throws {
        try await withAPI(database) { fixture, client in
            let uri = try await Self.uri(list, fixture)("cursor=not%20a%20cursor")
            let response = try await client.send(.get, uri, key: fixture.operatorKey)
            #expect(response.status == .badRequest, "\(list): \(response.text)")
            #expect(response.problemType == "urn:tandem:problem:invalid-field", "\(list)")
            #expect(response.problemField == "cursor", "\(list): \(response.text)")
        }
    }

    @Test("following next_cursor pages through a whole list, each item once", arguments: TestDatabase.available, lists)
    func paging(database: TestDatabase, list: DocumentedOperation) async throws {
        try await withAPI(database) { fixture, client in
            let uri = try await Self.uri(list, fixture)
            let everything = try await client.send(.get, uri("limit=500"), key: fixture.operatorKey)
            #expect(everything.status == .ok, "\(list): \(everything.text)")
            #expect(everything.object["next_cursor"] == nil, "\(list): more than one page of 500")
            let all = everything.items.map(Self.canonical)
            let size = max(1, (all.count + 3) / 4)
            var seen: [String] = []
            var query = "limit=\(size)"
            for _ in 0...all.count {
                let page = try await client.send(.get, uri(query), key: fixture.operatorKey)
                #expect(page.status == .ok, "\(list) \(query): \(page.text)")
                #expect(page.items.count <= size)
                seen += page.items.map(Self.canonical)
                guard let cursor = page.object["next_cursor"] as? String else { break }
                let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                query = "limit=\(size)&cursor=\(encoded)"
            }
            #expect(seen == all, "\(list): pages of \(size)")
        }
    }

    private static func canonical(_ item: [String: Any]) -> String {
        let data = try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
