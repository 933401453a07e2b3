import API
import CallRecords
import Foundation
import Hummingbird
import HummingbirdTesting
import Platform
import Porting
import Rating
import Routing
import RoutingFeed
import Telephony
import Testing
import TestSupport
import Webhooks

/// Proves that `openapi.json` describes the server exactly: every documented operation exists, answers only
/// documented statuses with bodies matching the documented schemas, and every route the server has is documented.
///
/// The operations are read from the document, never listed here, so a route added, removed or renamed on either
/// side fails a test.
@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    // MARK: - The document

    @Test("The document is OpenAPI 3.1 and every operation is named, tagged and has a success response")
    func documentIsWellFormed() throws {
        let contract = try OpenAPIContract()
        #expect((contract.root["openapi"] as? String)?.hasPrefix("3.1.") == true)
        let info = contract.root["info"] as? [String: Any] ?? [:]
        #expect(info["title"] as? String == "Tandem API")
        #expect(info["version"] as? String == "1.0.0")
        #expect(!contract.operations.isEmpty)

        let declaredTags = Set((contract.root["tags"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
        var operationIds: [String: Int] = [:]
        for operation in contract.operations {
            let document = contract.document(of: operation)
            let operationId = document["operationId"] as? String ?? ""
            #expect(!operationId.isEmpty, "\(operation) has no operationId")
            operationIds[operationId, default: 0] += 1
            let tags = document["tags"] as? [String] ?? []
            #expect(!tags.isEmpty, "\(operation) has no tags")
            #expect(Set(tags).isSubset(of: declaredTags), "\(operation) uses undeclared tags \(tags)")
            #expect(contract.statuses(of: operation).contains { $0.hasPrefix("2") }, "\(operation) has no 2xx")
            if !contract.isPublic(operation) {
                #expect(contract.statuses(of: operation).contains("401"), "\(operation) does not document 401")
            }
        }
        #expect(operationIds.filter { $0.value > 1 }.isEmpty, "duplicate operationIds")
    }

    @Test("Every $ref resolves")
    func everyReferenceResolves() throws {
        let contract = try OpenAPIContract()
        let references = Self.references(in: contract.root)
        #expect(!references.isEmpty)
        for reference in references {
            #expect(contract.lookup(reference) != nil, "\(reference) does not resolve")
        }
    }

    @Test("Every path parameter and request body has an example that matches its schema")
    func examplesMatchTheirSchemas() throws {
        let contract = try OpenAPIContract()
        let validator = SchemaValidator(contract: contract)
        for operation in contract.operations {
            let parameters = contract.parameters(of: operation).filter { $0["in"] as? String == "path" }
            #expect(Set(parameters.compactMap { $0["name"] as? String }) == Set(operation.pathParameters),
                    "\(operation) does not document exactly its path parameters")
            for parameter in parameters {
                #expect(parameter["required"] as? Bool == true, "\(operation): path parameters are required")
                guard let example = parameter["example"] else {
                    Issue.record("\(operation): path parameter \(parameter["name"] ?? "?") has no example")
                    continue
                }
                let violations = validator.violations(example, parameter["schema"] as? [String: Any] ?? [:])
                #expect(violations.isEmpty, "\(operation): path parameter example: \(violations)")
            }
            let content = contract.requestContent(of: operation)
            for (mediaType, media) in content {
                guard let example = media["example"] else {
                    Issue.record("\(operation): the \(mediaType) body has no example")
                    continue
                }
                let violations = validator.violations(example, media["schema"] as? [String: Any] ?? [:])
                #expect(violations.isEmpty, "\(operation): \(mediaType) body example: \(violations)")
            }
        }
    }

    /// What an example needs beyond the fixture, and the ids it made for the example's placeholders, so that every
    /// request names real resources of Acme's: the example's +1 202-555-0100 is ordered by Acme and pointed at its
    /// trunk for everything done to a number (bound to Acme's address to be read or unbound, named for a CNAM dip),
    /// and for lists of numbers to show it; a port order (`po_example`) for Capital Bell's 202-555-1001, as a draft,
    /// or sent (and committed) for the events that need it; a webhook endpoint of Acme's (`whk_example`); Acme's
    /// port-out PIN, and a port-out request for its +1 202-555-0100 (`pout_example`, approved for the operator to
    /// complete it); a routing record of a call from Acme's trunk. Lists get the same, so that a list leaking to
    /// another tenant would have something of Acme's to leak.
    static func prepare(for operation: DocumentedOperation, _ fixture: Fixture) async throws -> [String: String] {
        let portOuts = PortOuts(store: fixture.provisioning.store, numbers: fixture.provisioning.numbers, clock: fixture.clock)
        if operation.template == "/v1/accounts/{id}/port-out-protection", operation.method == .get {
            _ = try await portOuts.protect(accountId: fixture.acme.accountId, PortOutProtectionDraft(pin: "2468", zip: "20001"), by: fixture.acme)
            return [:]
        }
        if operation.template.hasPrefix("/v1/cdrs"), operation.method == .get {
            let records = fixture.apiDependencies(routing: RoutingTable()).cdrs
            let callID = "acme-cdr"
            let token = Fixture.decisionTokens.seal(CallDecision(
                decidedAt: fixture.clock.unixSeconds() - 70, callDigest: CallDecision.digest(ofCallID: callID), kind: .outbound,
                accountId: fixture.acme.accountId, trunkId: fixture.acmeTrunk.id, destination: "+19525918123",
                jurisdiction: .interstate, price: Rate(micros: 10_000, initialSeconds: 6, incrementSeconds: 6), carriers: []
            ))
            let start = fixture.clock.unixMilliseconds() - 65_000
            _ = try await records.ingest([CallDetailRecord(
                format: .tandem, key: callID, callID: callID, setupAt: start - 3_000, answeredAt: start, startedAt: start,
                endedAt: start + 61_000, durationMs: 61_000, billableSeconds: 61, sipCode: 200, source: "192.0.2.10",
                caller: "+12025550100", dialed: "+19525918123", gateway: "sip:+19525918123@198.51.100.40", decision: token
            )])
            let stored = try await records.records(CDRFilter(), page: PageRequest(), by: fixture.operatorPrincipal)
            return ["cdr_example": try #require(stored.data.first?.id)]
        }
        if operation.template == "/v1/routing-records" {
            try await fixture.routingRecords.insert([RoutingRecord(
                at: fixture.clock.unixMilliseconds(), callID: "acme-call", source: IPAddress("192.0.2.10")!,
                trunkId: fixture.acmeTrunk.id, dialed: "+12025550100", normalized: "+12025550100", lrn: nil, jurisdiction: nil, status: 302,
                reason: fixture.acmeTrunk.id, carriers: [], priceMicros: nil, callerIDFlagged: false
            )])
            return [:]
        }
        let isList = operation.method == .get && !operation.template.contains("{")
        if operation.template.hasPrefix("/v1/webhooks/{id}") || (isList && operation.template == "/v1/webhooks") {
            let endpoints = WebhookEndpoints(store: fixture.provisioning.store, clock: fixture.clock)
            let created = try await endpoints.create(WebhookEndpointDraft(url: "https://hooks.example.com/acme"), by: fixture.acme)
            return ["whk_example": created.endpoint.id]
        }
        if operation.template.hasPrefix("/v1/port-orders/{id}") || (isList && operation.template == "/v1/port-orders") {
            let draft = PortOrderDraft(
                numbers: ["+12025551001"], account: LosingCarrierAccount(
                    businessName: "Acme Dental Group", serviceAddress: "1600 Main St", zip: "20001", accountNumber: "CB-7781", pin: "1234"
                ),
                loa: LOADraft(signer: "Pat Doe", title: "Owner", signedOn: "2026-11-20", documentName: "loa.pdf", document: "JVBERi0="),
                trunkId: fixture.acmeTrunk.id, cutoverForwardHours: 24
            )
            let order = try #require(try await fixture.porting.create(draft, by: fixture.acme).orders.first)
            if ["/activate", "/supplement", "/end-cutover"].contains(where: operation.template.hasSuffix) {
                _ = try await fixture.porting.submit(order.id, by: fixture.acme)
            }
            if operation.template.hasSuffix("/end-cutover") {
                _ = try await fixture.porting.activate(order.id, by: fixture.operatorPrincipal)
            }
            return ["po_example": order.id]
        }
        let onAssignedNumber = operation.template.hasPrefix("/v1/numbers/{number}")
            || ["/v1/numbers/assign", "/v1/numbers/unassign", "/v1/numbers/release", "/v1/cnam/{number}"]
                .contains(operation.template)
            || (isList && ["/v1/numbers", "/v1/e911/unbound"].contains(operation.template))
            || operation.template.hasPrefix("/v1/port-outs")
        guard onAssignedNumber else { return [:] }
        let numbers = fixture.provisioning.numbers
        let number = PhoneNumber("+12025550100")!
        _ = try await numbers.order([number.e164], accountId: fixture.acme.accountId, by: fixture.operatorPrincipal)
        _ = try await numbers.assign([number.e164], trunkId: fixture.acmeTrunk.id, by: fixture.acme)
        if operation.template == "/v1/numbers/{number}/e911", operation.method != .put {
            _ = try await fixture.provisioning.emergencyBindings.bind(number, to: fixture.acmeAddress.id, by: fixture.acme)
        }
        if operation.template == "/v1/cnam/{number}" {
            _ = try await numbers.setCallerName(of: number, to: try CallerName(normalizing: "Acme Dental"), by: fixture.acme)
        }
        if operation.template.hasPrefix("/v1/port-outs/{id}") {
            let request = try await portOuts.request(PortOutDraft(
                numbers: [number.e164], gainingCarrier: "Rival Telecom", gainingOcn: "7Q2X", accountNumber: fixture.acme.accountId,
                businessName: "Acme", zip: "20001", pin: nil, dueAt: nil
            ), by: fixture.operatorPrincipal)
            if operation.template.hasSuffix("/activate") { _ = try await portOuts.approve(request.id, by: fixture.acme) }
            return ["pout_example": request.id]
        }
        return [:]
    }

    // MARK: - Authentication

    @Test("Without a valid key an operation answers 401 problem JSON; public ones answer 2xx",
          arguments: DocumentedOperation.all)
    func answersWithoutKey(_ operation: DocumentedOperation) async throws {
        try await withAPI(.sqlite) { fixture, client in
            let contract = try OpenAPIContract()
            let request = try await Self.realRequest(for: operation, fixture, contract)
            let unknownKey = "tdm_" + String(repeating: "a", count: 48)
            for key in [nil, unknownKey] {
                let response = try await client.send(
                    operation.method, request.uri, key: key, json: request.body, contentType: request.contentType
                )
                if contract.isPublic(operation) {
                    #expect((200..<300).contains(response.status.code), "\(operation) answered \(response.status)")
                } else {
                    #expect(response.status == .unauthorized, "\(operation) answered \(response.status)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"tandem\"")
                }
                Self.expectDocumented(response, of: operation, in: contract)
            }
        }
    }

    // MARK: - Documented behavior

    /// Runs each operation with its documented examples against a fresh fixture, so that no operation depends on
    /// another having run (or not) first. The examples are chosen to succeed, so each answers 2xx.
    @Test("The documented examples succeed with a documented status and a body matching the schema",
          arguments: DocumentedOperation.all)
    func examplesSucceed(_ operation: DocumentedOperation) async throws {
        try await withAPI(.sqlite) { fixture, client in
            let contract = try OpenAPIContract()
            let request = try await Self.realRequest(for: operation, fixture, contract)
            let response = try await client.send(
                operation.method, request.uri, key: fixture.operatorKey, json: request.body,
                contentType: request.contentType
            )
            #expect(response.object["type"] as? String != "urn:tandem:problem:no-route", "\(operation) has no route")
            #expect((200..<300).contains(response.status.code), "\(operation) answered \(response.text)")
            Self.expectDocumented(response, of: operation, in: contract)
        }
    }

    /// The operation's documented request, on resources made for it (``prepare(for:_:)``): every placeholder id in
    /// the path and the body replaced by a real one of Acme's.
    static func realRequest(
        for operation: DocumentedOperation, _ fixture: Fixture, _ contract: OpenAPIContract,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ExampleRequest {
        let extraIds = try await prepare(for: operation, fixture)
        var request = try contract.exampleRequest(for: operation, fixture: fixture)
        for (placeholder, id) in extraIds {
            request.uri = request.uri.replacingOccurrences(of: placeholder, with: id)
            request.body = request.body?.replacingOccurrences(of: placeholder, with: id)
        }
        request.madeIds = Array(extraIds.values)
        #expect(!request.uri.contains("_example") && request.body?.contains("_example") != true,
                "\(operation) names a resource that does not exist: \(request.uri) \(request.body ?? "")",
                sourceLocation: sourceLocation)
        return request
    }

    /// Calls each operation on Acme's real resources as Globex (another tenant), Acme's agent, a partner carrier,
    /// Acme's read-only key and, last, Acme's admin: each must answer what ``CallerExpectations/table`` says the
    /// README's roles and tenancy rule give (another tenant's resource is 404, as a missing one; a role's refusal is
    /// 403), with a documented status and body, and neither Globex's nor the partner's answers carry Acme's ids.
    /// Then the operation gets a malformed body.
    @Test("Other roles and tenants are refused as the README says, with documented problems",
          arguments: TestDatabase.available, DocumentedOperation.all.filter { !OpenAPIContract.isPublic($0) })
    func otherCallersAreRefused(database: TestDatabase, operation: DocumentedOperation) async throws {
        let expected = try #require(
            CallerExpectations.table[operation.testDescription], "\(operation) has no expectations"
        )
        try await withAPI(database) { fixture, client in
            let contract = try OpenAPIContract()
            let request = try await Self.realRequest(for: operation, fixture, contract)
            let acmeIds = [fixture.acme.accountId, fixture.acme.keyId, fixture.acmeReader.keyId, fixture.acmeTrunk.id,
                           fixture.acmeBlock.id, fixture.acmeAddress.id] + request.madeIds
            let callers: [(String, String, CallerExpectations.Answer)] = [
                ("Globex", fixture.globexKey, expected.otherTenant),
                ("Acme's agent", fixture.agentKey, expected.agent),
                ("Rival Telecom (a partner)", fixture.partnerKey, expected.partner),
                ("the SBC (a switch)", fixture.switchKey, expected.reportingSwitch),
                ("Acme's reader", fixture.acmeReaderKey, expected.reader),
                ("Acme's admin", fixture.acmeKey, expected.owner),
            ]
            for (caller, key, answer) in callers {
                let response = try await client.send(
                    operation.method, request.uri, key: key, json: request.body, contentType: request.contentType
                )
                answer.expect(response, "\(operation) as \(caller)")
                Self.expectDocumented(response, of: operation, in: contract)
                if key == fixture.globexKey || key == fixture.partnerKey {
                    for id in acmeIds {
                        #expect(!response.text.contains(id), "\(operation) shows \(caller) Acme's \(id): \(response.text)")
                    }
                }
            }
            guard request.contentType == "application/json", request.body != nil else { return }
            let response = try await client.send(operation.method, request.uri, key: fixture.operatorKey, json: "{")
            #expect(response.status == .badRequest)
            #expect(response.object["type"] as? String == "urn:tandem:problem:malformed-body")
            Self.expectDocumented(response, of: operation, in: contract)
        }
    }

    @Test("Every operation that needs a key has caller expectations, and only those")
    func callerExpectationsCoverTheDocument() throws {
        let operations = Set(DocumentedOperation.all.filter { !OpenAPIContract.isPublic($0) }.map(\.testDescription))
        #expect(!operations.isEmpty)
        #expect(operations.subtracting(CallerExpectations.table.keys).isEmpty, "operations without expectations")
        #expect(Set(CallerExpectations.table.keys).subtracting(operations).isEmpty, "expectations of no operation")
    }

    // MARK: - Serving the document

    @Test("GET /openapi.json serves the resource byte for byte")
    func servesTheDocument() async throws {
        try await withAPI(.sqlite) { _, client in
            let response = try await client.send(.get, "/openapi.json", key: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(Data(buffer: response.body) == OpenAPIDocument.data)
        }
    }

    // MARK: - Undocumented routes

    @Test("Every route the server registers is documented, and every documented operation is a route")
    func routesAreDocumented() async throws {
        let contract = try OpenAPIContract()
        try await TestDatabase.sqlite.withStore { store in
            let fixture = try await Fixture.make(store)
            let router = buildRouter(fixture.apiDependencies(routing: RoutingTable()), limits: .forTests)
            let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            let documented = Set(contract.operations.map(\.testDescription))
            #expect(registered.subtracting(documented).isEmpty, "undocumented routes")
            #expect(documented.subtracting(registered).isEmpty, "documented operations without a route")
        }
    }

    @Test("A documented path answers 405 problem JSON with Allow to every undocumented method",
          arguments: DocumentedPath.all)
    func undocumentedMethodsAreRefused(_ path: DocumentedPath) async throws {
        try await withAPI(.sqlite) { fixture, client in
            let contract = try OpenAPIContract()
            let uri = try contract.exampleURI(for: path.template, fixture: fixture)
            let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
            // A method another documented path answers here (GET /v1/numbers/{number} at /v1/numbers/order) is
            // that route's to answer, not a 405.
            let elsewhere = Set(DocumentedPath.all.filter { $0.template != path.template && $0.covers(path.template) }
                .flatMap(\.methods))
            for method in methods where !path.methods.contains(method) && !elsewhere.contains(method) {
                let response = try await client.send(method, uri, key: fixture.operatorKey, json: "{}")
                #expect(response.status == .methodNotAllowed, "\(method) \(path) answered \(response.status)")
                #expect(response.headers[.contentType] == "application/problem+json")
                let allowed = Set((response.headers[.allow] ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                })
                // Allow names every documented method of the path, and not the one refused. (It may name more: a
                // method a parameter route answers there, as GET /v1/numbers/{number} answers /v1/numbers/order.)
                #expect(allowed.isSuperset(of: path.methods.map(\.rawValue)) && !allowed.contains(method.rawValue),
                        "\(method) \(path): Allow \(allowed)")
            }
        }
    }

    // MARK: - Helpers

    /// Expects the response's status to be documented for the operation, and its body to match the documented
    /// content: a listed media type whose schema it satisfies, or no body where none is documented.
    static func expectDocumented(
        _ response: TestResponse, of operation: DocumentedOperation, in contract: OpenAPIContract,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let status = String(response.status.code)
        guard let documented = contract.response(of: operation, status: status) else {
            Issue.record(
                "\(operation) answered undocumented \(status): \(response.text)", sourceLocation: sourceLocation
            )
            return
        }
        let content = documented["content"] as? [String: Any] ?? [:]
        guard !content.isEmpty else {
            #expect(response.body.readableBytes == 0, "\(operation) \(status) has an undocumented body",
                    sourceLocation: sourceLocation)
            return
        }
        let mediaType = response.headers[.contentType]?.split(separator: ";").first.map(String.init) ?? ""
        guard let media = content[mediaType] as? [String: Any] else {
            Issue.record("\(operation) \(status) answered undocumented \(mediaType)", sourceLocation: sourceLocation)
            return
        }
        guard mediaType.hasSuffix("json"), let schema = media["schema"] as? [String: Any] else { return }
        guard let body = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) else {
            Issue.record("\(operation) \(status) answered invalid JSON", sourceLocation: sourceLocation)
            return
        }
        let resolved = contract.resolve(schema)
        if let object = body as? [String: Any] {
            let missing = (resolved["required"] as? [String] ?? []).filter { object[$0] == nil }
            #expect(missing.isEmpty, "\(operation) \(status) lacks required \(missing)", sourceLocation: sourceLocation)
        }
        let violations = SchemaValidator(contract: contract).violations(body, schema)
        #expect(violations.isEmpty, "\(operation) \(status): \(violations)", sourceLocation: sourceLocation)
    }

    /// Every `$ref` value anywhere in a JSON value.
    static func references(in value: Any) -> [String] {
        if let object = value as? [String: Any] {
            return object.flatMap { key, member in
                key == "$ref" ? [member as? String ?? ""] : references(in: member)
            }
        }
        if let array = value as? [Any] { return array.flatMap(references(in:)) }
        return []
    }
}

// MARK: - Operations

/// One documented operation: a method on a path template.
struct DocumentedOperation: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    /// Every operation of the document, by path and method.
    static let all: [DocumentedOperation] = (try? OpenAPIContract().operations) ?? []

    var method: HTTPRequest.Method
    var template: String

    /// The names of the `{parameters}` in the path template.
    var pathParameters: [String] {
        template.split(separator: "/")
            .filter { $0.hasPrefix("{") && $0.hasSuffix("}") }
            .map { String($0.dropFirst().dropLast()) }
    }

    var testDescription: String { "\(method.rawValue) \(template)" }
    var description: String { testDescription }
}

/// One documented path with its documented methods.
struct DocumentedPath: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    /// Every path of the document.
    static let all: [DocumentedPath] = Dictionary(grouping: DocumentedOperation.all, by: \.template)
        .map { DocumentedPath(template: $0.key, methods: $0.value.map(\.method)) }
        .sorted { $0.template < $1.template }

    var template: String
    var methods: [HTTPRequest.Method]

    /// Whether this path's template matches every URI of `other`'s: segment by segment, a `{parameter}` here
    /// matching anything there.
    func covers(_ other: String) -> Bool {
        let mine = template.split(separator: "/")
        let theirs = other.split(separator: "/")
        return mine.count == theirs.count && zip(mine, theirs).allSatisfy { $0.first == "{" || $0 == $1 }
    }

    var testDescription: String { template }
    var description: String { template }
}

// MARK: - Reading the document

/// The OpenAPI document as parsed JSON, with the lookups the contract tests need.
struct OpenAPIContract {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    let root: [String: Any]

    init() throws {
        let object = try JSONSerialization.jsonObject(with: OpenAPIDocument.data)
        root = try #require(object as? [String: Any], "the document is not a JSON object")
    }

    /// The documented operations, by path and method.
    var operations: [DocumentedOperation] {
        let paths = root["paths"] as? [String: Any] ?? [:]
        return paths.keys.sorted().flatMap { template in
            let item = paths[template] as? [String: Any] ?? [:]
            return Self.methods.filter { item[$0] != nil }.compactMap { method in
                HTTPRequest.Method(method.uppercased()).map { DocumentedOperation(method: $0, template: template) }
            }
        }
    }

    /// The operation object of an operation.
    func document(of operation: DocumentedOperation) -> [String: Any] {
        let item = (root["paths"] as? [String: Any])?[operation.template] as? [String: Any]
        return item?[operation.method.rawValue.lowercased()] as? [String: Any] ?? [:]
    }

    /// Whether the operation needs no key (`security: []`).
    func isPublic(_ operation: DocumentedOperation) -> Bool {
        (document(of: operation)["security"] as? [Any])?.isEmpty == true
    }

    /// Whether the operation needs no key, in the shipped document.
    static func isPublic(_ operation: DocumentedOperation) -> Bool {
        (try? OpenAPIContract().isPublic(operation)) ?? false
    }

    /// The operation's parameters (the path item's and its own), references resolved.
    func parameters(of operation: DocumentedOperation) -> [[String: Any]] {
        let item = (root["paths"] as? [String: Any])?[operation.template] as? [String: Any] ?? [:]
        let all = (item["parameters"] as? [Any] ?? []) + (document(of: operation)["parameters"] as? [Any] ?? [])
        return all.compactMap { ($0 as? [String: Any]).map(resolve) }
    }

    /// The operation's request body content, by media type.
    func requestContent(of operation: DocumentedOperation) -> [String: [String: Any]] {
        guard let body = document(of: operation)["requestBody"] as? [String: Any] else { return [:] }
        return (resolve(body)["content"] as? [String: Any] ?? [:]).compactMapValues { $0 as? [String: Any] }
    }

    /// The documented response statuses of an operation.
    func statuses(of operation: DocumentedOperation) -> Set<String> {
        Set((document(of: operation)["responses"] as? [String: Any] ?? [:]).keys)
    }

    /// The documented response for a status, references resolved.
    func response(of operation: DocumentedOperation, status: String) -> [String: Any]? {
        ((document(of: operation)["responses"] as? [String: Any])?[status] as? [String: Any]).map(resolve)
    }

    /// Follows `$ref` until an object without one.
    func resolve(_ node: [String: Any]) -> [String: Any] {
        var node = node
        var hops = 0
        while let reference = node["$ref"] as? String, let target = lookup(reference) as? [String: Any], hops < 16 {
            node = target
            hops += 1
        }
        return node
    }

    /// The value a local reference (`#/components/schemas/Trunk`) points at.
    func lookup(_ reference: String) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = root
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return node
    }
}

// MARK: - Example requests

/// A request made of an operation's documented examples.
struct ExampleRequest {
    var uri: String
    var body: String?
    var contentType: String
    /// The ids of the resources made for the request (a webhook endpoint, a port order...).
    var madeIds: [String] = []
}

extension Fixture {
    /// The fixture's ids are random, so the documented examples name placeholders that the tests replace with
    /// real ids, in paths and bodies alike: `acc_example` is Acme's account, `key_example` Acme's admin key,
    /// `trk_example` Acme's trunk, `car_example` the carrier, `blk_example` Acme's blocked destination and
    /// `adr_example` Acme's E911 address.
    var exampleIds: [String: String] {
        ["acc_example": acme.accountId, "key_example": acme.keyId, "trk_example": acmeTrunk.id,
         "car_example": carrier.id, "blk_example": acmeBlock.id, "adr_example": acmeAddress.id]
    }

    /// The text with every placeholder id replaced by the fixture's id.
    func substitutingExampleIds(_ text: String) -> String {
        exampleIds.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }
}

extension OpenAPIContract {
    /// The URI of a path template with each `{parameter}` replaced by its documented example, and each
    /// required query parameter set to its example.
    func exampleURI(for template: String, fixture: Fixture) throws -> String {
        let operation = try #require(operations.first { $0.template == template })
        var uri = template
        var query: [String] = []
        for parameter in parameters(of: operation) {
            let name = try #require(parameter["name"] as? String)
            switch parameter["in"] as? String {
            case "path":
                let example = try #require(parameter["example"] as? String, "\(operation): no example for \(name)")
                uri = uri.replacingOccurrences(of: "{\(name)}", with: example)
            case "query" where parameter["required"] as? Bool == true:
                let example = try #require(parameter["example"] as? String, "\(operation): no example for \(name)")
                let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
                query.append("\(name)=\(example.addingPercentEncoding(withAllowedCharacters: allowed) ?? example)")
            default:
                continue
            }
        }
        if !query.isEmpty { uri += "?" + query.joined(separator: "&") }
        return fixture.substitutingExampleIds(uri)
    }

    /// The operation's request with documented examples: path parameters, and the body (JSON when documented).
    func exampleRequest(for operation: DocumentedOperation, fixture: Fixture) throws -> ExampleRequest {
        let uri = try exampleURI(for: operation.template, fixture: fixture)
        let content = requestContent(of: operation)
        guard let mediaType = content["application/json"] != nil ? "application/json" : content.keys.sorted().first,
            let example = content[mediaType]?["example"]
        else { return ExampleRequest(uri: uri, body: nil, contentType: "application/json") }
        let text: String
        if let string = example as? String {
            text = string
        } else {
            // CDRs record calls that happened: theirs stay in the past, where a call a year ahead would be refused.
            let dated = operation.template.hasPrefix("/v1/cdrs") ? example : Self.postdatingDateTimes(in: example)
            let data = try JSONSerialization.data(withJSONObject: dated, options: [.sortedKeys, .withoutEscapingSlashes])
            text = String(decoding: data, as: UTF8.self)
        }
        return ExampleRequest(uri: uri, body: fixture.substitutingExampleIds(text), contentType: mediaType)
    }
}

extension OpenAPIContract {
    /// The JSON value with every date-time string replaced by one a year from now.
    ///
    /// The document's examples are literal dates (a key's `expires_at`), which the server refuses once they have
    /// passed; requests send a date a year ahead in their place, so that the suite passes on any date (and under
    /// `faketime`) while the document keeps an example that reads like a real one.
    static func postdatingDateTimes(in value: Any) -> Any {
        if let object = value as? [String: Any] { return object.mapValues(postdatingDateTimes(in:)) }
        if let array = value as? [Any] { return array.map(postdatingDateTimes(in:)) }
        if let text = value as? String, ISO8601DateFormatter().date(from: text) != nil { return TestDates.future() }
        return value
    }
}

// MARK: - Schema validation

/// Checks JSON values against the part of JSON Schema 2020-12 the document uses: `$ref`, `allOf`, `oneOf`, `not`,
/// `type`, `enum`, `const`, `pattern`, `format: date-time`, `required`, `properties` and `items`.
///
/// An object member that a schema with `properties` does not list is a violation: the document must name every
/// member the server sends.
struct SchemaValidator {
    let contract: OpenAPIContract

    /// What is wrong with `value`, as `path: reason` lines; empty when it matches.
    func violations(_ value: Any, _ schema: [String: Any], at path: String = "$") -> [String] {
        var found: [String] = []
        if let reference = schema["$ref"] as? String {
            guard let target = contract.lookup(reference) as? [String: Any] else {
                return ["\(path): \(reference) does not resolve"]
            }
            found += violations(value, target, at: path)
        }
        for part in schema["allOf"] as? [[String: Any]] ?? [] {
            found += violations(value, part, at: path)
        }
        if let choices = schema["oneOf"] as? [[String: Any]] {
            let matching = choices.filter { violations(value, $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): matches \(matching) of the oneOf schemas") }
        }
        if let excluded = schema["not"] as? [String: Any], violations(value, excluded, at: path).isEmpty {
            found.append("\(path): matches a schema it must not")
        }
        if let type = schema["type"] as? String, !Self.value(value, isOfType: type) {
            return found + ["\(path): \(Self.jsonText(value)) is not \(type)"]
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.same($0, value) }) {
            found.append("\(path): \(Self.jsonText(value)) is not one of \(Self.jsonText(allowed))")
        }
        if let constant = schema["const"], !Self.same(constant, value) {
            found.append("\(path): \(Self.jsonText(value)) is not \(Self.jsonText(constant))")
        }
        if let text = value as? String {
            found += stringViolations(text, schema, at: path)
        }
        if let object = value as? [String: Any] {
            found += objectViolations(object, schema, at: path)
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() {
                found += violations(item, items, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    private func stringViolations(_ text: String, _ schema: [String: Any], at path: String) -> [String] {
        var found: [String] = []
        if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): '\(text)' does not match \(pattern)")
        }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        if schema["format"] as? String == "date-time", ISO8601DateFormatter().date(from: text) == nil, fractional.date(from: text) == nil {
            found.append("\(path): '\(text)' is not an ISO 8601 date-time")
        }
        return found
    }

    private func objectViolations(_ object: [String: Any], _ schema: [String: Any], at path: String) -> [String] {
        var found: [String] = []
        for name in schema["required"] as? [String] ?? [] where object[name] == nil {
            found.append("\(path): lacks required '\(name)'")
        }
        guard let properties = schema["properties"] as? [String: Any] else { return found }
        for (name, member) in object.sorted(by: { $0.key < $1.key }) {
            guard let property = properties[name] as? [String: Any] else {
                found.append("\(path): has undocumented member '\(name)'")
                continue
            }
            found += violations(member, property, at: "\(path).\(name)")
        }
        return found
    }

    /// The class of JSON `true` and `false`, which `JSONSerialization` gives as `NSNumber`s like any number.
    private static let booleanType = type(of: NSNumber(value: true))

    private static func value(_ value: Any, isOfType type: String) -> Bool {
        let number = value as? NSNumber
        let isBoolean = number.map { Swift.type(of: $0) == booleanType } ?? false
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return isBoolean
        case "integer": return !isBoolean && number.map { $0.doubleValue == $0.doubleValue.rounded() } ?? false
        case "number": return !isBoolean && number != nil
        case "null": return value is NSNull
        default: return false
        }
    }

    /// Whether two JSON values are equal.
    private static func same(_ first: Any, _ second: Any) -> Bool {
        jsonText(first) == jsonText(second)
    }

    private static func jsonText(_ value: Any) -> String {
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .fragmentsAllowed]
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: options) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
