import Emergency
import Foundation
import Hummingbird
import Inventory
import Platform

/// An RFC 9457 problem document: the body of every error the API returns.
///
/// `type` is a stable URN clients branch on; `field` (an extension member) names the request member at fault
/// as a JSON path. Nothing internal (SQL, stack traces, file paths) ever goes into one.
public struct Problem: Error, Sendable, Codable, Equatable, HTTPResponseError {
    public var type: String
    public var title: String
    public var statusCode: Int
    public var detail: String
    public var field: String?
    /// For an address the MSAG does not know: the ranges it may have meant (an extension member).
    public var candidates: [String]?
    /// For a batch with malformed items: each one's path and reason (an extension member).
    public var errors: [String]?
    /// Seconds before the request may be tried again: sent as `Retry-After`, not in the body.
    public var retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, detail, field, candidates, errors
        case statusCode = "status"
    }

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String, field: String? = nil) {
        self.type = "urn:tandem:problem:\(code)"
        self.title = title
        self.statusCode = status.code
        self.detail = detail
        self.field = field
    }

    public var status: HTTPResponse.Status { .init(code: statusCode) }

    /// The type of the problem a request with no route gets.
    static let noRoute = "urn:tandem:problem:no-route"

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if statusCode == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"tandem\"" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(self))))
    }

    // MARK: Common problems

    static let unauthorized = Problem(
        status: .unauthorized, code: "unauthorized", title: "Authentication required",
        detail: "send a valid API key as 'Authorization: Bearer KEY'"
    )

    static func badRequest(_ detail: String, field: String? = nil) -> Problem {
        Problem(status: .badRequest, code: "invalid-field", title: "Invalid request", detail: detail, field: field)
    }

    /// A batch some of whose `total` items are malformed (`problems`: each one's place and reason): `422`, naming the
    /// first 100 in `errors`. The batch is applied whole or not at all, so that a fixed retry is whole.
    static func malformedItems(_ problems: [String], of total: Int, code: String, title: String, items: String, outcome: String) -> Problem {
        var problem = Problem(
            status: .unprocessableContent, code: code, title: title,
            detail: "\(problems.count) of \(total) \(items) are malformed; \(outcome)"
        )
        problem.errors = Array(problems.prefix(100))
        return problem
    }

    static func malformedBody(_ detail: String) -> Problem {
        Problem(status: .badRequest, code: "malformed-body", title: "Malformed request body", detail: detail)
    }

    init(_ error: ServiceError) {
        let (status, title): (HTTPResponse.Status, String) = switch error.code {
        case .invalidField: (.badRequest, "Invalid request")
        case .notFound: (.notFound, "Not found")
        case .forbidden: (.forbidden, "Forbidden")
        case .conflict: (.conflict, "Conflict")
        case .illegalTransition: (.conflict, "Illegal lifecycle transition")
        case .insufficientInventory: (.conflict, "Not enough numbers available")
        case .busy: (.serviceUnavailable, "Busy")
        }
        self.init(status: status, code: error.code.rawValue, title: title, detail: error.reason, field: error.field)
        if error.code == .busy { retryAfter = 1 }
    }

    init(_ refusal: AddressRefusal) {
        self.init(
            status: .unprocessableContent, code: "address-not-valid", title: "Address not in the MSAG",
            detail: "\(refusal.normalized): \(refusal.problem)", field: "street"
        )
        candidates = refusal.candidates
    }
}

/// Renders every error leaving the router as problem JSON, and logs the unexpected ones.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            throw problem
        } catch let error as ServiceError {
            throw Problem(error)
        } catch let refusal as AddressRefusal {
            throw Problem(refusal)
        } catch let error as HTTPError {
            throw Problem(
                status: error.status, code: error.status == .notFound ? "no-route" : "http-\(error.status.code)",
                title: error.status.reasonPhrase,
                detail: error.status == .notFound ? "no such resource: \(request.method) \(request.uri.path)"
                    : error.body ?? error.status.reasonPhrase
            )
        } catch let error as any HTTPResponseError {
            throw Problem(status: error.status, code: "http-\(error.status.code)", title: error.status.reasonPhrase,
                          detail: error.status.reasonPhrase)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw Problem(
                status: .internalServerError, code: "internal", title: "Internal error",
                detail: "the server could not complete the request; it has been logged (request \(context.id))"
            )
        }
    }
}
