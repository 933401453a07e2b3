import Foundation
import Inventory
import NIOPosix
import Telephony

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which URLs webhooks may be sent to: `http` or `https` URLs of public hosts.
///
/// A customer names the URL, and the server sends requests to it from inside the operator's network: left
/// unchecked, an endpoint could reach loopback services, the private network or cloud metadata addresses
/// (server-side request forgery). So an endpoint whose host is, or resolves to, a loopback, private, link-local,
/// shared, multicast or reserved address is refused, unless the server allows private networks (tests, the demo,
/// a lab). Hosts are checked when the endpoint is created (addresses and `localhost` names) and again before
/// every delivery (after DNS resolution, so that a public name later pointed at a private address is caught).
public struct WebhookURLPolicy: Sendable {
    /// URLs are at most this long.
    public static let maximumLength = 2_000

    /// Whether endpoints may be on loopback and private networks.
    public var allowPrivateNetworks: Bool

    public init(allowPrivateNetworks: Bool = false) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    /// The address blocks that are not the public Internet (RFC 6890 and its IPv6 counterpart): `0.0.0.0/8`,
    /// private (RFC 1918), shared (RFC 6598), loopback, link-local, IETF protocol assignments, documentation,
    /// benchmarking, multicast and reserved; `::`, `::1`, IPv4-mapped, unique-local, link-local and multicast.
    public static let nonPublicBlocks: [CIDRBlock] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
        "240.0.0.0/4", "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "100::/64", "2001:db8::/32", "fc00::/7",
        "fe80::/10", "ff00::/8",
    ].map { try! CIDRBlock(parsing: $0) }

    /// Whether an endpoint may be reached at `address`.
    public func permits(_ address: IPAddress) -> Bool {
        allowPrivateNetworks || !Self.nonPublicBlocks.contains { $0.contains(address) }
    }

    /// The URL of a new endpoint, or an `invalid-field` error naming `field` and what is wrong with it.
    public func check(_ text: String, field: String = "url") throws(InventoryError) -> URL {
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
            if !allowPrivateNetworks, host == "localhost" || host.hasSuffix(".localhost") {
                throw .invalid(field, "\(host) is a loopback name; webhooks go to public hosts")
            }
        }
        return url
    }

    /// Checks the host of an endpoint's URL before a delivery: every address it resolves to must be permitted.
    ///
    /// - Throws: ``WebhookDeliveryError`` when the name does not resolve or resolves to a refused address.
    func checkBeforeDelivery(_ url: URL) async throws {
        guard !allowPrivateNetworks else { return }
        guard let host = Self.host(of: url) else { throw WebhookDeliveryError("the URL has no host") }
        let addresses: [IPAddress]
        if let address = try? IPAddress(parsing: host) {
            addresses = [address]
        } else {
            addresses = try await NIOThreadPool.singleton.runIfActive { try Self.resolve(host) }
        }
        guard !addresses.isEmpty else { throw WebhookDeliveryError("\(host) does not resolve") }
        if let refused = addresses.first(where: { !permits($0) }) {
            throw WebhookDeliveryError("\(host) resolves to \(refused), which is not a public address")
        }
    }

    /// The URL's host, lowercased, without the brackets of an IPv6 literal.
    private static func host(of url: URL) -> String? {
        guard var host = URLComponents(url: url, resolvingAgainstBaseURL: false)?.host?.lowercased() else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host
    }

    /// The addresses a name resolves to (blocking: run on a thread pool).
    private static func resolve(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { throw WebhookDeliveryError("\(host) does not resolve") }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let info = entry?.pointee {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            switch info.ai_family {
            case AF_INET:
                info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { socket in
                    var address = socket.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                }
            case AF_INET6:
                info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { socket in
                    var address = socket.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                }
            default:
                break
            }
            let printable = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let address = try? IPAddress(parsing: printable) { addresses.append(address) }
            entry = info.ai_next
        }
        return addresses
    }
}
