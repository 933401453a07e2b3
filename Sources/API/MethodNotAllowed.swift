import Hummingbird
import Synchronization

/// The methods each route path answers, for `405 Method Not Allowed` (RFC 9110 §15.5.6): filled once the router
/// has all its routes.
final class RouteMethods: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: HTTPRequest.Method)]>([])

    /// Takes the router's routes, as (method, path pattern) pairs: `/v1/trunks/{id}`.
    func register(_ routes: [(HTTPRequest.Method, String)]) {
        let parsed = routes.map { (segments: $0.1.split(separator: "/"), method: $0.0) }
        self.routes.withLock { $0 = parsed }
    }

    /// The methods of the routes whose pattern matches `path`, in a stable order; empty when none does.
    func allowed(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        let matching = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { pattern, segment in pattern.first == "{" || pattern.first == ":" || pattern == segment }
            }.map(\.method)
        }
        return Array(Set(matching)).sorted { $0.rawValue < $1.rawValue }
    }
}

/// Answers a request whose path exists but not with its method `405` with `Allow`, rather than `404`.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let methods: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem where problem.type == Problem.noRoute {
            let allowed = methods.allowed(for: request.uri.path)
            // A path no route answers, or one whose patterns name this very method (a parameter route the router
            // did not take), stays a 404.
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw problem }
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            var response = try Problem(
                status: .methodNotAllowed, code: "method-not-allowed", title: "Method Not Allowed",
                detail: "\(request.uri.path) answers \(allow), not \(request.method)"
            ).response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
    }
}
