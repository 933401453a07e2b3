import SIP
import Telephony

/// The carrier's SBCs, whose word Tandem takes for where a call came from.
///
/// Tandem tells a customer's trunk, or a carrier, by the address a call comes from. Behind an SBC, every call comes
/// from the SBC; the SBC then names the address it received the call from in `X-Tandem-Source` (an IP literal; IPv6 with or without brackets), and
/// Tandem routes, limits and records the call as coming from there. The header counts only from the addresses
/// configured here: anyone else's is ignored, so a peer cannot pass itself off as a customer's PBX. Only the trusted
/// SBCs get each redirect's decision token (`X-Tandem-Decision`), for their records: it names the customer's and the
/// carriers' rates, which no caller may see.
public struct TrustedProxies: Sendable {
    /// The header an SBC names a call's original source in.
    public static let sourceHeader = "X-Tandem-Source"

    let blocks: [CIDRBlock]

    /// Trusts the SBCs at `blocks` (none: every call's source is its transport's).
    public init(_ blocks: [CIDRBlock] = []) {
        self.blocks = blocks
    }

    /// Whether `address` is one of the trusted SBCs'.
    func trusts(_ address: IPAddress) -> Bool {
        !blocks.isEmpty && blocks.contains { $0.contains(address) }
    }

    /// Why a trusted SBC's request cannot be routed: its `X-Tandem-Source` is not one IP address.
    struct MalformedSource: Error {
        var reason: String
    }

    /// Where `request` came from: the address a trusted SBC names, else `transport` (the socket's peer). A trusted
    /// SBC's request without the header is its own; one with a value that is not one IP address is refused.
    func callSource(of request: SIPRequest, from transport: IPAddress) throws(MalformedSource) -> IPAddress {
        guard trusts(transport) else { return transport }
        let values = request.headers.values(Self.sourceHeader)
        guard let value = values.first else { return transport }
        guard values.count == 1 else { throw MalformedSource(reason: "\(Self.sourceHeader) appears more than once") }
        let literal = value.hasPrefix("[") && value.hasSuffix("]") ? String(value.dropFirst().dropLast()) : value
        guard let named = IPAddress(literal) else {
            throw MalformedSource(reason: "\(Self.sourceHeader) is not an IP address")
        }
        return named
    }
}
