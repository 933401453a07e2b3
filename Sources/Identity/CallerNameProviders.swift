import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Telephony

/// Where caller names come from when our own records have none: a CNAM provider.
public protocol CallerNameProvider: Sendable {
    /// The name for `number` (canonical digits), `nil` when the provider has none; throws when it cannot answer.
    func name(for number: String) async throws -> CallerName?
}

/// A CNAM provider reached over HTTP, as most are: a GET to a URL template (`{tn}` is replaced by the number's
/// canonical digits, `{e164}` by `+` and those digits), answering with the name as plain text or as JSON with a
/// `name` field. 404 and an empty body mean no name.
///
/// Each lookup reaches the provider as an x5u is reached (``FetchConfiguration/check(_:)``): its name resolved
/// once, every address checked, the connection made to a checked address; loopback and private networks only
/// where `fetch` allows them.
public struct HTTPCallerNameProvider: CallerNameProvider {
    public let template: String
    /// Sent as the Authorization header (`Basic ...`, `Bearer ...`), when set.
    public let authorization: String?
    let client: HTTPClient
    let timeout: TimeAmount
    let fetch: FetchConfiguration

    public init(
        template: String, authorization: String? = nil, client: HTTPClient, timeout: TimeAmount = .seconds(1),
        fetch: FetchConfiguration = FetchConfiguration(maximumSize: 4_096)
    ) {
        self.template = template
        self.authorization = authorization
        self.client = client
        self.timeout = timeout
        var fetch = fetch
        fetch.timeout = timeout
        self.fetch = fetch
    }

    /// `user:password` as a Basic Authorization value.
    public static func basic(_ credentials: String) -> String {
        "Basic " + Data(credentials.utf8).base64EncodedString()
    }

    public func name(for number: String) async throws -> CallerName? {
        let url = template.replacingOccurrences(of: "{tn}", with: number).replacingOccurrences(of: "{e164}", with: "+" + number)
        var request = HTTPClientRequest(url: url)
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let pinned = try await fetch.check(url)
        let response = try await fetchPinned(request, pinning: pinned, client: client, configuration: fetch, deadline: .now() + timeout)
        guard response.status != .notFound else { return nil }
        guard response.status == .ok else { throw ProviderError(status: Int(response.status.code)) }
        let body = String(buffer: try await response.body.collect(upTo: fetch.maximumSize))
        var text = body
        if response.headers.first(name: "content-type")?.contains("json") == true {
            struct Answer: Decodable { var name: String? }
            text = (try? JSONDecoder().decode(Answer.self, from: Data(body.utf8)))?.name ?? ""
        }
        // Providers pad freely and some send more than CNAM carries: cut to 15 characters, as the network would.
        // A name with characters CNAM cannot carry is no name.
        guard let full = try? CallerName(normalizing: String(text.prefix(256)).trimmingCharacters(in: .whitespacesAndNewlines),
                                         maximumLength: 256)
        else { return nil }
        return try? CallerName(normalizing: String(full.text.prefix(CallerName.maximumLength)))
    }

    struct ProviderError: Error {
        var status: Int
    }
}

/// Caller names from a provider through a TTL cache, within a strict time budget: a lookup that takes longer
/// yields no name for this call, and the answer is kept for the next.
public final class CallerNameLookup: Sendable {
    let provider: any CallerNameProvider
    let budget: Duration
    let lifetime: TimeInterval
    private let cache: ExpiringCache<CallerName?>

    public init(provider: any CallerNameProvider, budget: Duration = .milliseconds(300), lifetime: TimeInterval = 86_400,
                capacity: Int = 100_000) {
        self.provider = provider
        self.budget = budget
        self.lifetime = lifetime
        self.cache = ExpiringCache(capacity: capacity)
    }

    /// The cached name: `.some(name or nil)` when the number was looked up lately, `nil` when it was not.
    public func cached(_ number: String) -> CallerName?? {
        guard case .success(let name)? = cache.value(for: number) else { return nil }
        return .some(name)
    }

    /// The name for `number`, waiting at most the time budget.
    public func name(for number: String) async -> CallerName? {
        let provider = self.provider
        let lifetime = self.lifetime
        let outcome = await within(budget, otherwise: .success(nil)) {
            await self.cache.value(for: number) { () async -> (Result<CallerName?, VerificationFailure>, TimeInterval) in
                do {
                    return (.success(try await provider.name(for: number)), lifetime)
                } catch {
                    // A provider that fails is asked again, but not for every call.
                    return (.success(nil), 30)
                }
            }
        }
        return (try? outcome.get()) ?? nil
    }
}
