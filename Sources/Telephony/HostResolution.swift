import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension IPAddress {
    /// The addresses `host` resolves to, by the system resolver, off the caller's thread; empty when it does not
    /// resolve. What a server checks with ``isPubliclyRoutable`` before it connects to a host a peer named.
    public static func resolve(_ host: String) async -> [IPAddress] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                #else
                hints.ai_socktype = SOCK_STREAM
                #endif
                var result: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(host, nil, &hints, &result) == 0 else {
                    continuation.resume(returning: [])
                    return
                }
                defer { freeaddrinfo(result) }
                var addresses: [IPAddress] = []
                var entry = result
                while let info = entry?.pointee {
                    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(info.ai_addr, info.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0,
                        let address = try? IPAddress(parsing: numericHost(text))
                    {
                        addresses.append(address)
                    }
                    entry = info.ai_next
                }
                continuation.resume(returning: addresses)
            }
        }
    }

    /// The address in a NUL-terminated numeric host, without its IPv6 zone.
    private static func numericHost(_ text: [CChar]) -> String {
        let bytes = text.prefix { $0 != 0 && $0 != CChar(UInt8(ascii: "%")) }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
