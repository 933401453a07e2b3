import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Telephony
import Timekeeping

/// A document fetched for verification (a certificate chain or a revocation list), and how long it may be reused.
public struct FetchedDocument: Sendable {
    public var bytes: [UInt8]
    /// Seconds the server lets the document be cached (Cache-Control max-age, else Expires); `nil` when it says
    /// nothing.
    public var maxAge: Int?

    public init(bytes: [UInt8], maxAge: Int? = nil) {
        self.bytes = bytes
        self.maxAge = maxAge
    }
}

/// Where verification gets certificates and revocation lists from: the network, in the server; a table, in tests
/// of the layers above.
public protocol DocumentSource: Sendable {
    /// The document at `url`; throws `.certificateURLRefused` or `.certificateUnavailable`.
    func fetch(_ url: String) async throws(VerificationFailure) -> FetchedDocument
}

/// Limits on what verification fetches.
public struct FetchConfiguration: Sendable {
    /// The longest a fetch may take, connection included.
    public var timeout: TimeAmount
    /// Documents larger than this are refused (a chain of three certificates is about 2 KB).
    public var maximumSize: Int
    /// Redirects followed, each checked as the first URL was.
    public var maximumRedirects: Int
    /// Loopback and private networks that may nevertheless be fetched from. None in production: a forged x5u
    /// must not reach into the operator's network. Labs, demos and tests name theirs.
    public var allowedPrivateNetworks: [CIDRBlock]
    /// Resolves a host name to its addresses: the system's resolver, or a test's.
    package var resolve: @Sendable (String) async -> [IPAddress] = { await IPAddress.resolve($0) }

    public init(timeout: TimeAmount = .seconds(2), maximumSize: Int = 65_536, maximumRedirects: Int = 3,
                allowedPrivateNetworks: [CIDRBlock] = []) {
        self.timeout = timeout
        self.maximumSize = maximumSize
        self.maximumRedirects = maximumRedirects
        self.allowedPrivateNetworks = allowedPrivateNetworks
    }

    /// Every network allowed, for a lab where the certificate server is on a private address.
    public static let everyNetwork: [CIDRBlock] = [try! CIDRBlock(parsing: "0.0.0.0/0"), try! CIDRBlock(parsing: "::/0")]
}

/// Fetches certificates and revocation lists over HTTP(S), guarded against server-side request forgery: only
/// http and https, no user info, and no host that resolves to a non-public address outside the allowed networks.
/// A name is resolved once, every address it gives is checked, and the fetch connects to a checked address
/// (async-http-client's `dnsOverride` keeps the name for TLS and `Host`), so a name that answers differently to
/// the check and to the connection (DNS rebinding) cannot reach a refused address. Redirects are followed by hand
/// so each hop is checked the same way.
public struct HTTPDocumentSource: DocumentSource {
    let client: HTTPClient
    let configuration: FetchConfiguration
    /// Turns an Expires time into a lifetime when the response carries no Date.
    let clock: WallClock

    /// Uses `client`, which must not follow redirects itself (see ``makeClient(connectTimeout:readTimeout:)``).
    public init(client: HTTPClient, configuration: FetchConfiguration = .init(), clock: WallClock) {
        self.client = client
        self.configuration = configuration
        self.clock = clock
    }

    /// An HTTP client suited to this source: no automatic redirects, bounded connect and read times.
    public static func makeClient(connectTimeout: TimeAmount = .seconds(1), readTimeout: TimeAmount = .seconds(2)) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: connectTimeout, read: readTimeout)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Fetches `url`, within the configured time as a whole: name resolution, connection, every redirect and the
    /// whole body (a server that trickles its answer is cut off).
    public func fetch(_ url: String) async throws(VerificationFailure) -> FetchedDocument {
        let timeout = configuration.timeout
        let outcome = await cancelling(
            after: .nanoseconds(timeout.nanoseconds),
            otherwise: Result<FetchedDocument, VerificationFailure>.failure(
                .certificateUnavailable("fetching \(url) took longer than \(timeout)")
            )
        ) {
            do throws(VerificationFailure) {
                return .success(try await self.fetchFollowingRedirects(url))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    private func fetchFollowingRedirects(_ url: String) async throws(VerificationFailure) -> FetchedDocument {
        let deadline = NIODeadline.now() + configuration.timeout
        var current = url
        for _ in 0...configuration.maximumRedirects {
            let pinned = try await configuration.check(current)
            let response: HTTPClientResponse
            do {
                response = try await fetchPinned(
                    HTTPClientRequest(url: current), pinning: pinned, client: client, configuration: configuration, deadline: deadline
                )
            } catch let failure as VerificationFailure {
                throw failure
            } catch {
                throw .certificateUnavailable("fetching \(current) failed: \(error)")
            }
            switch response.status.code {
            case 200:
                if let length = response.headers.first(name: "content-length").flatMap(Int.init),
                    length > configuration.maximumSize
                {
                    throw .certificateInvalid("\(current) is \(length) bytes, over the \(configuration.maximumSize) allowed")
                }
                let body: ByteBuffer
                do {
                    body = try await response.body.collect(upTo: configuration.maximumSize)
                } catch is NIOTooManyBytesError {
                    throw .certificateInvalid("\(current) is over the \(configuration.maximumSize) bytes allowed")
                } catch {
                    throw .certificateUnavailable("reading \(current) failed: \(error)")
                }
                return FetchedDocument(bytes: Array(buffer: body), maxAge: Self.maxAge(response.headers, receivedAt: clock.now()))
            case 301, 302, 303, 307, 308:
                guard let location = response.headers.first(name: "location"),
                    let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString
                else {
                    throw .certificateInvalid("\(current) redirects without a usable Location")
                }
                current = next
            case 500...599:
                throw .certificateUnavailable("\(current) answered \(response.status.code)")
            default:
                throw .certificateInvalid("\(current) answered \(response.status.code)")
            }
        }
        throw .certificateURLRefused("\(url) redirects more than \(configuration.maximumRedirects) times")
    }

    /// Cache lifetime from Cache-Control (`no-store`, `no-cache` → 0; `max-age`) or else Expires, counted from the
    /// response's Date, or from `receivedAt` when it has none (RFC 9111 §4.2.1).
    static func maxAge(_ headers: HTTPHeaders, receivedAt: Date) -> Int? {
        for directive in headers["cache-control"].flatMap({ $0.split(separator: ",") }) {
            let parts = directive.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "=", maxSplits: 1)
            switch parts.first {
            case "no-store", "no-cache": return 0
            case "max-age": if parts.count == 2, let seconds = Int(parts[1]) { return max(0, seconds) }
            default: continue
            }
        }
        if let expires = headers.first(name: "expires") {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            guard let date = formatter.date(from: expires) else { return 0 }
            let base = headers.first(name: "date").flatMap(formatter.date(from:)) ?? receivedAt
            return max(0, Int(date.timeIntervalSince(base)))
        }
        return nil
    }
}

/// Sends a request through the shared `client`, or, for a name that was resolved and checked, through a client that
/// connects to the checked address alone (async-http-client's `dnsOverride`, the name kept for TLS and `Host`); the
/// body is read whole, within the configured size, before that client is shut down.
func fetchPinned(
    _ request: HTTPClientRequest, pinning pinned: (host: String, address: IPAddress)?, client: HTTPClient,
    configuration: FetchConfiguration, deadline: NIODeadline
) async throws -> HTTPClientResponse {
    guard let pinned else { return try await client.execute(request, deadline: deadline) }
    var pinnedConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
    pinnedConfiguration.timeout = .init(connect: configuration.timeout, read: configuration.timeout)
    pinnedConfiguration.dnsOverride = [pinned.host: pinned.address.description]
    let pinnedClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: pinnedConfiguration)
    do {
        let response = try await pinnedClient.execute(request, deadline: deadline)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.maximumSize)
        } catch is NIOTooManyBytesError {
            throw VerificationFailure.certificateInvalid("\(request.url) is over the \(configuration.maximumSize) bytes allowed")
        }
        try await pinnedClient.shutdown()
        var buffered = HTTPClientResponse(version: response.version, status: response.status, headers: response.headers)
        buffered.body = .bytes(body)
        return buffered
    } catch {
        try? await pinnedClient.shutdown()
        throw error
    }
}

extension FetchConfiguration {
    /// Refuses URLs that must not be fetched: not http(s), with user information, or naming a host any of whose
    /// addresses is not public (outside the allowed networks). Returns the host name and the checked address to
    /// connect to, or `nil` when the URL names an address (nothing was resolved).
    @discardableResult
    func check(_ text: String) async throws(VerificationFailure) -> (host: String, address: IPAddress)? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw .certificateURLRefused("'\(text)' is not an http or https URL")
        }
        guard url.user == nil, url.password == nil else {
            throw .certificateURLRefused("'\(text)' carries user information")
        }
        guard let host = url.host, !host.isEmpty else { throw .certificateURLRefused("'\(text)' has no host") }
        let literal = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let addresses: [IPAddress]
        let named: Bool
        if let address = try? IPAddress(parsing: literal) {
            addresses = [address]
            named = false
        } else {
            addresses = await resolve(host)
            guard !addresses.isEmpty else { throw .certificateUnavailable("\(host) does not resolve") }
            named = true
        }
        let refused = addresses.first { address in
            !address.isPubliclyRoutable && !allowedPrivateNetworks.contains { $0.contains(address) }
        }
        if let address = refused {
            throw .certificateURLRefused("\(host) is at \(address), not a public address")
        }
        return named ? (host, addresses[0]) : nil
    }
}
