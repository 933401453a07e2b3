import Accounts
import Foundation
import Hummingbird
import Inventory
import Logging
import NIOCore
import Platform
import Timekeeping
import Telephony

/// The request context of the Tandem API: who is calling, and JSON in snake_case with ISO 8601 dates.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; set by the authentication middleware on every `/v1` route.
    public var principal: Principal?

    /// Requests carry at most this many bytes of body: JSON's limit (a 1,000-number bulk request is ~20 KB),
    /// raised on the upload routes (``HTTPLimits``).
    public var maxUploadSize: Int
    /// The peer's address, when the connection has one (a test's in-memory connection does not).
    public var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.maxUploadSize = HTTPLimits.defaultJSONBodyBytes
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address, for per-source limits.
    var sourceAddress: IPAddress? {
        remoteAddress?.ipAddress.flatMap(IPAddress.init)
    }

    public var requestDecoder: JSONDecoder { API.decoder }
    public var responseEncoder: JSONEncoder { API.encoder }

    /// The caller, or 401 when the route was reached without authentication.
    func caller() throws -> Principal {
        guard let principal else { throw Problem.unauthorized }
        return principal
    }
}

/// JSON coding shared by the API, its tests and the CLI.
public enum API {
    /// Encodes `camelCase` properties as `snake_case` members, dates as ISO 8601.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The inverse of ``encoder``.
    public static var decoder: JSONDecoder { .tandem }
}

/// Authenticates `Authorization: Bearer KEY` against the key store for every path under `/v1`; anything else is a
/// 401. It runs before routing, so a path under `/v1` that no route answers, or a method it does not take, is
/// told (`404`, `405`) only to a caller with a key: no one learns the API's shape without one.
struct AuthenticationMiddleware: RouterMiddleware {
    let accounts: AccountDirectory
    /// Refuses sources that keep failing to authenticate, before their keys cost a lookup.
    let failures: FailedAuthenticationLimiter

    /// The first path segments under `/v1` a partner carrier's key may reach (reference data is public).
    static let partnerResources: Set<Substring> = ["me", "accounts", "keys", "webhooks", "port-outs", "reference"]

    func handle(
        _ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response
    ) async throws -> Response {
        // The router skips empty segments (`//v1/x` is `/v1/x`), so the first non-empty segment decides.
        guard request.uri.path.split(separator: "/").first == "v1" else { return try await next(request, context) }
        let source = context.sourceAddress
        if let source, let retryAfter = failures.refusal(for: source) {
            var problem = Problem(
                status: .tooManyRequests, code: "rate-limited", title: "Too many requests",
                detail: "too many requests from this address failed to authenticate; try again in \(retryAfter) s"
            )
            problem.retryAfter = retryAfter
            throw problem
        }
        guard let principal = try await authenticate(request) else {
            if let source { failures.failed(from: source) }
            throw Problem.unauthorized
        }
        if ![.get, .head].contains(request.method), [.customerRead, .agent].contains(principal.role) {
            throw Problem(status: .forbidden, code: "forbidden", title: "Forbidden",
                          detail: "the \(principal.role.rawValue) role is read-only")
        }
        // A partner carrier's key reaches its own account, keys and webhooks, reference data and the port-out requests;
        // the services refuse it too, this keeps a new route from being open to it by default.
        if principal.isPartner, !Self.partnerResources.contains(request.uri.path.split(separator: "/").dropFirst().first ?? "") {
            throw Problem(status: .forbidden, code: "forbidden", title: "Forbidden",
                          detail: "the partner role may only file and follow port-out requests")
        }
        // A switch's key reports CDRs and call events and does nothing else.
        if principal.role == .reportingSwitch, !(request.method == .post && Self.isSwitchReport(request.uri.path)) {
            throw Problem(status: .forbidden, code: "forbidden", title: "Forbidden", detail: "the switch role may only report CDRs")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tandem.key"] = .string(principal.keyId)
        return try await next(request, context)
    }

    /// The paths switches report to (with POST): CDRs in Tandem's JSON and in each switch's format, and call events.
    /// Written out, so that a route added under them later is not open to switch keys by default.
    static let switchReports: Set<[Substring]> = [
        ["v1", "cdrs"], ["v1", "cdrs", "kamailio"], ["v1", "cdrs", "freeswitch"], ["v1", "cdrs", "freeswitch-csv"],
        ["v1", "cdrs", "asterisk"], ["v1", "channels", "events"],
    ]

    /// Whether `path` is one switches report to.
    static func isSwitchReport(_ path: String) -> Bool {
        switchReports.contains(path.split(separator: "/"))
    }

    /// The principal of the request's key, from `Authorization: Bearer KEY`, or `Basic` with the key as the password
    /// (the user name is not read): switches' HTTP clients (Kamailio's http_client, FreeSWITCH's mod_json_cdr) can
    /// send only Basic. `nil` when there is none, or not a valid one.
    private func authenticate(_ request: Request) async throws -> Principal? {
        guard let header = request.headers[.authorization], header.count < 256 else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let credential = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return try await accounts.authenticate(token: credential)
        case "basic":
            guard let decoded = Data(base64Encoded: credential).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":")
            else { return nil }
            return try await accounts.authenticate(token: String(decoded[decoded.index(after: colon)...]))
        default:
            return nil
        }
    }
}

// MARK: - Request and response helpers

extension Request {
    /// The whole body, or a 413 problem when it is larger than the context allows.
    mutating func collectBody(context: APIContext) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: context.maxUploadSize)
        } catch {
            throw Problem(
                status: .contentTooLarge, code: "body-too-large", title: "Request body too large",
                detail: "the body must be at most \(context.maxUploadSize) bytes"
            )
        }
    }

    /// Decodes a JSON body, turning every decoding failure into a 400 problem that names the member at fault.
    ///
    /// An empty body is `emptyAs` when the operation has a default, and a 400 otherwise.
    mutating func decodeJSON<Value: Decodable>(
        as type: Value.Type, context: APIContext, emptyAs empty: Value? = nil
    ) async throws -> Value {
        let buffer = try await collectBody(context: context)
        guard buffer.readableBytes > 0 else {
            if let empty { return empty }
            throw Problem.malformedBody("the request needs a JSON body")
        }
        do {
            return try context.requestDecoder.decode(type, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Problem(decoding: error)
        } catch {
            throw Problem.malformedBody("the body is not valid JSON")
        }
    }

    /// A query parameter, if present.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    /// An integer query parameter, or a 400 naming it.
    func query(_ name: String, as: Int.Type) throws -> Int? {
        guard let text = query(name) else { return nil }
        guard let value = Int(text) else { throw Problem.badRequest("must be an integer", field: name) }
        return value
    }

    /// An ISO 8601 date-time query parameter (`2026-12-08T00:00:00Z`), or a 400 naming it.
    func query(_ name: String, as: Date.Type) throws -> Date? {
        guard let text = query(name) else { return nil }
        guard let date = Date(iso8601: text) else {
            throw Problem.badRequest("must be an ISO 8601 date-time such as 2026-12-08T00:00:00Z", field: name)
        }
        return date
    }

    /// An enum-valued query parameter, or a 400 listing the allowed values.
    func query<Value: RawRepresentable & CaseIterable>(_ name: String, as: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw Problem.badRequest(
                "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))", field: name
            )
        }
        return value
    }

    /// The standard `limit` and `cursor` paging parameters.
    func page() throws -> PageRequest {
        try PageRequest(limit: query("limit", as: Int.self), cursor: query("cursor"))
    }
}

extension Problem {
    /// A 400 naming the JSON member that failed to decode, in the API's snake_case spelling.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + Self.snakeCase(key.stringValue)
                }
            }
            return text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            self = .badRequest("is required", field: field)
        case .typeMismatch(let type, let context):
            self = .badRequest("must be \(Self.jsonTypeName(type))", field: path(context.codingPath))
        case .valueNotFound(let type, let context):
            self = .badRequest("must be \(Self.jsonTypeName(type)), not null", field: path(context.codingPath))
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self = .malformedBody("the body is not valid JSON")
        case .dataCorrupted(let context):
            self = .badRequest(context.debugDescription, field: path(context.codingPath))
        @unknown default:
            self = .malformedBody("the body could not be decoded")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    private static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// A JSON response with a chosen status.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, context: APIContext) throws -> Response {
    let data = try context.responseEncoder.encode(value)
    return Response(
        status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data))
    )
}
