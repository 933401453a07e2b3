/// How SIP reaches a host: a customer's PBX on a trunk, or a carrier's gateway.
public enum SIPTransport: String, Sendable, Codable, CaseIterable {
    case udp
    case tcp
    case tls
}
