import Foundation
import Platform
import Telephony

/// Which URLs webhooks may be sent to: `http` or `https` URLs of public hosts.
///
/// A customer names the URL, and the server sends requests to it from inside the operator's network: left
/// unchecked, an endpoint could reach loopback services, the private network or cloud metadata addresses
/// (server-side request forgery). So an endpoint whose host is, or resolves to, an address that is not publicly
/// routable (``IPAddress/isPubliclyRoutable``: loopback, private, link-local, shared, multicast, reserved) is
/// refused, unless the server allows private networks (tests, the demo,
/// a lab). Hosts are checked when the endpoint is created (addresses and `localhost` names) and again before
/// every delivery: the name is resolved once, every address it resolves to is checked, and the delivery connects
/// to a checked address (the name kept for TLS and `Host`), so a name that answers a public address to the check
/// and a private one to the connection (DNS rebinding) cannot reach the private one.
public struct WebhookURLPolicy: Sendable {
    /// URLs are at most this long.
    public static let maximumLength = 2_000

    /// Whether endpoints may be on loopback and private networks.
    public var allowPrivateNetworks: Bool
    /// Resolves a host name to its addresses: the system's resolver, or a test's.
    package var resolve: @Sendable (String) async -> [IPAddress] = { await IPAddress.resolve($0) }

    public init(allowPrivateNetworks: Bool = false) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// Whether an endpoint may be reached at `address`.
    public func permits(_ address: IPAddress) -> Bool {
        allowPrivateNetworks || address.isPubliclyRoutable
    }

    /// The URL of a new endpoint, or an `invalid-field` error naming `field` and what is wrong with it.
    public func check(_ text: String, field: String = "url") throws(ServiceError) -> URL {
        guard text.utf8.count <= Self.maximumLength else {
            throw .invalid(field, "must be at most \(Self.maximumLength) characters")
        }
        guard let components = URLComponents(string: text), let url = components.url else { throw .invalid(field, "is not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw .invalid(field, "must be an http or https URL")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalid(field, "must not carry credentials; the signature authenticates deliveries")
        }
        guard components.fragment == nil else { throw .invalid(field, "must not have a fragment") }
        guard let host = Self.host(of: url), !host.isEmpty else { throw .invalid(field, "has no host") }
        if let address = try? IPAddress(parsing: host) {
            guard permits(address) else {
                throw .invalid(field, "\(host) is a loopback, private or reserved address; webhooks go to public hosts")
            }
        } else {
            do {
                try HostName.validate(host)
            } catch {
                throw .invalid(field, "has an invalid host: \(error.reason)")
            }
            if !allowPrivateNetworks, HostName.isLoopbackName(host) {
                throw .invalid(field, "\(host) is a loopback name; webhooks go to public hosts")
            }
        }
        return url
    }

    /// Resolves and checks the host of an endpoint's URL before a delivery: every address it resolves to must be
    /// permitted. Returns the host name and the checked address the delivery must connect to, or `nil` when the
    /// URL names an address (nothing to resolve) or the server allows private networks.
    ///
    /// - Throws: ``WebhookDeliveryError`` when the name does not resolve or resolves to a refused address.
    func resolveForDelivery(_ url: URL) async throws -> (host: String, address: IPAddress)? {
        guard !allowPrivateNetworks else { return nil }
        guard let host = Self.host(of: url) else { throw WebhookDeliveryError("the URL has no host") }
        if let address = try? IPAddress(parsing: host) {
            guard permits(address) else { throw WebhookDeliveryError("\(host) is not a public address") }
            return nil
        }
        let addresses = await resolve(host)
        guard let first = addresses.first else { throw WebhookDeliveryError("\(host) does not resolve") }
        if let refused = addresses.first(where: { !permits($0) }) {
            throw WebhookDeliveryError("\(host) resolves to \(refused), which is not a public address")
        }
        // The pin is keyed by the host as the HTTP client reads it from the URL, case and all: a key it would not
        // find (`Rebind.example` against `rebind.example`) would let it resolve the name again.
        return (url.host ?? host, first)
    }

    /// The URL's host, lowercased, without the brackets of an IPv6 literal.
    private static func host(of url: URL) -> String? {
        guard var host = URLComponents(url: url, resolvingAgainstBaseURL: false)?.host?.lowercased() else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }
}
