import Foundation
import Testing
import Telephony

@Suite("IPAddress")
struct IPAddressTests {
    @Test(
        "parses IPv4 dotted quads",
        arguments: [
            ("10.0.0.1", 0x0A00_0001), ("0.0.0.0", 0), ("255.255.255.255", 0xFFFF_FFFF), ("192.168.1.20", 0xC0A8_0114),
        ] as [(String, UInt32)]
    )
    func v4(text: String, value: UInt32) throws {
        let address = try IPAddress(parsing: text)
        #expect(address == .v4(value))
        #expect(address.description == text)
    }

    @Test(
        "parses IPv6 and prints the RFC 5952 form",
        arguments: [
            ("::", "::"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"),
            ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:db8::0:1", "2001:db8::1"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("fe80::", "fe80::"), ("::ffff:1.2.3.4", "::ffff:1.2.3.4"), ("::FFFF:0102:0304", "::ffff:1.2.3.4"),
            ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"), ("1::", "1::"), ("0:0:0:0:0:0:0:0", "::"),
        ]
    )
    func v6(text: String, canonical: String) throws {
        let address = try IPAddress(parsing: text)
        #expect(address.description == canonical)
        #expect(try IPAddress(parsing: canonical) == address)
    }

    @Test("IPv6 values are laid out most significant first")
    func v6Layout() throws {
        #expect(try IPAddress(parsing: "2001:db8::1") == .v6(high: 0x2001_0DB8_0000_0000, low: 1))
        #expect(try IPAddress(parsing: "::ffff:1.2.3.4") == .v6(high: 0, low: 0x0000_FFFF_0102_0304))
    }

    @Test(
        "rejects bad addresses",
        arguments: [
            "", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", " 1.2.3.4",
            "1.2.3.4 ", "1.2.3.4/8", "0x1.2.3.4", "1:2:3:4:5:6:7", "1::2::3", "12345::", "[::1]", "fe80::1%eth0",
            "1:2:3:4:5:6:7:8:9", "::1.2.3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7::8", "g::1", "1:2:3:4:5:6:7:",
            "::1.2.3.4:5", "1.2.3.4::",
        ]
    )
    func rejects(text: String) {
        #expect(throws: AddressError.self) { try IPAddress(parsing: text) }
        #expect(IPAddress(text) == nil)
    }

    @Test("errors give the reason")
    func reasons() {
        let leadingZero = "an IPv4 octet has a leading zero, which is ambiguous"
        #expect(throws: AddressError(input: "01.2.3.4", reason: leadingZero)) {
            try IPAddress(parsing: "01.2.3.4")
        }
        #expect(throws: AddressError(input: "256.1.1.1", reason: "an IPv4 octet is greater than 255")) {
            try IPAddress(parsing: "256.1.1.1")
        }
        #expect(throws: AddressError(input: "[::1]", reason: "write IPv6 addresses without brackets")) {
            try IPAddress(parsing: "[::1]")
        }
    }
}

@Suite("Per-source grouping")
struct SourceGroupTests {
    @Test("a per-source limit counts an IPv4 address alone, and an IPv6 address by its /64")
    func groups() throws {
        let v4 = try #require(IPAddress("198.51.100.7"))
        #expect(v4.sourceGroup == v4)
        let a = try #require(IPAddress("2001:db8:1:2:aaaa::1")), b = try #require(IPAddress("2001:db8:1:2:ffff:1:2:3"))
        #expect(a.sourceGroup == b.sourceGroup)
        #expect(a.sourceGroup == IPAddress("2001:db8:1:2::"))
        let otherSubnet = try #require(IPAddress("2001:db8:1:3::1"))
        #expect(otherSubnet.sourceGroup != a.sourceGroup)
        // IPv4 peers on a dual-stack socket are told apart as the IPv4 addresses they are, not all as ::/64.
        #expect(IPAddress("::ffff:198.51.100.7")?.sourceGroup == v4)
        #expect(IPAddress("::ffff:198.51.100.8")?.sourceGroup != v4)
    }
}

@Suite("CIDRBlock")
struct CIDRBlockTests {
    @Test(
        "contains exactly the addresses of the block",
        arguments: [
            ("10.0.0.0/8", "10.255.255.255", true), ("10.0.0.0/8", "10.0.0.0", true), ("10.0.0.0/8", "11.0.0.0", false),
            ("10.0.0.0/8", "9.255.255.255", false), ("192.168.1.0/24", "192.168.1.77", true),
            ("192.168.1.0/24", "192.168.2.1", false), ("0.0.0.0/0", "203.0.113.9", true), ("0.0.0.0/0", "::1", false),
            ("192.168.1.1", "192.168.1.1", true), ("192.168.1.1", "192.168.1.2", false),
            ("10.0.0.0/8", "::ffff:10.0.0.1", false), ("2001:db8::/32", "2001:db8:ffff::1", true),
            ("2001:db8::/32", "2001:db9::", false), ("::/0", "2001:db8::1", true), ("::/0", "10.0.0.1", false),
            ("2001:db8::1", "2001:db8::1", true), ("2001:db8::1", "2001:db8::2", false),
            ("2001:db8:8000::/33", "2001:db8:8000::1", true), ("2001:db8:8000::/33", "2001:db8::1", false),
            ("2001:db8::1:0:0/96", "2001:db8::1:ffff:ffff", true), ("2001:db8::1:0:0/96", "2001:db8::2:0:0", false),
            ("2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true), ("2001:db8::/64", "2001:db8:0:1::", false),
            ("2001:db8::/127", "2001:db8::1", true), ("2001:db8::/127", "2001:db8::2", false),
        ]
    )
    func contains(block: String, address: String, expected: Bool) throws {
        let block = try CIDRBlock(parsing: block)
        #expect(block.contains(try IPAddress(parsing: address)) == expected)
    }

    @Test("a bare address is a single host")
    func bare() throws {
        #expect(try CIDRBlock(parsing: "192.168.1.1").prefixLength == 32)
        #expect(try CIDRBlock(parsing: "2001:db8::1").prefixLength == 128)
        #expect(try CIDRBlock(parsing: "2001:db8::1").description == "2001:db8::1/128")
    }

    @Test("host bits set is rejected with a suggestion")
    func hostBits() {
        #expect(throws: AddressError(input: "10.1.2.3/8", reason: "host bits set; did you mean 10.0.0.0/8?")) {
            try CIDRBlock(parsing: "10.1.2.3/8")
        }
        #expect(
            throws: AddressError(input: "2001:db8::1/32", reason: "host bits set; did you mean 2001:db8::/32?")
        ) {
            try CIDRBlock(parsing: "2001:db8::1/32")
        }
    }

    @Test(
        "rejects bad blocks",
        arguments: [
            "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/8/8", "/8", "2001:db8::/129",
            "10.0.0/8", "10.0.0.0 /8", "10.0.0.0/ 8", "2001:db8::/3x", "",
        ]
    )
    func rejects(text: String) {
        #expect(throws: AddressError.self) { try CIDRBlock(parsing: text) }
        #expect(CIDRBlock(text) == nil)
    }

    @Test("canonical text and Codable")
    func codable() throws {
        let blocks = try ["10.0.0.0/8", "2001:DB8:0::/32", "0.0.0.0/0"].map { try CIDRBlock(parsing: $0) }
        #expect(blocks.map(\.description) == ["10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0"])
        let data = try JSONEncoder().encode(blocks)
        #expect(try JSONDecoder().decode([CIDRBlock].self, from: data) == blocks)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CIDRBlock].self, from: Data(#"["10.1.0.0/8"]"#.utf8))
        }
    }
}

@Suite("HostName")
struct HostNameTests {
    @Test(
        "accepts IP literals and RFC 1123 host names",
        arguments: [
            "sip.example.com", "example.com.", "a", "10.0.0.1", "2001:db8::1", "xn--bcher-kva.example",
            "a-b.c-d.com", "1.example.com", "sip1.carrier.net", "EXAMPLE.COM",
            String(repeating: "a", count: 63) + ".com",
            Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".") + ".c",
        ]
    )
    func accepts(text: String) throws {
        try HostName.validate(text)
    }

    @Test(
        "rejects bad host names",
        arguments: [
            "", "-bad.com", "bad-.com", "bad..com", "bad_host.com", String(repeating: "a", count: 64) + ".com",
            Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".") + ".co",
            "256.1.1.1", "1.2.3", "[2001:db8::1]", "host name.com", ".", "sip.example.com:5060", "user@host",
        ]
    )
    func rejects(text: String) {
        #expect(throws: AddressError.self) { try HostName.validate(text) }
    }

    @Test("a host with a port says so")
    func port() {
        #expect(
            throws: AddressError(
                input: "sip.example.com:5060",
                reason: "a host must not include a port; set the port separately"
            )
        ) {
            try HostName.validate("sip.example.com:5060")
        }
    }
}
