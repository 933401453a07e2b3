import Foundation
import Inventory
import Platform
import Telephony
import Testing
import Webhooks

@Suite("Webhook signatures and endpoint URLs")
struct WebhookPolicyTests {
    private let body = Data(#"{"id":"evt_1","type":"emergency.call"}"#.utf8)

    @Test("a signature verifies over the exact body, with the secret, near its timestamp")
    func signatures() {
        let header = WebhookSignature.sign(body, secrets: ["whsec_a"], timestamp: 1_800_000_000)
        #expect(header.hasPrefix("t=1800000000,v1="))
        #expect(header.count == "t=1800000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header, body: body, secret: "whsec_a", now: 1_800_000_100))
        #expect(!WebhookSignature.verify(header, body: body, secret: "whsec_b", now: 1_800_000_100), "another secret")
        #expect(!WebhookSignature.verify(header, body: body.dropLast(), secret: "whsec_a", now: 1_800_000_100), "another body")
        #expect(!WebhookSignature.verify(header, body: body, secret: "whsec_a", now: 1_800_000_301), "a replay, later")
        let forged = header.replacingOccurrences(of: "t=1800000000", with: "t=1800000200")
        #expect(!WebhookSignature.verify(forged, body: body, secret: "whsec_a", now: 1_800_000_200), "a new timestamp")
        #expect(!WebhookSignature.verify("v1=00", body: body, secret: "whsec_a", now: 1_800_000_000), "no timestamp")
        #expect(!WebhookSignature.verify("t=1800000000,v1=zz", body: body, secret: "whsec_a", now: 1_800_000_000))
    }

    @Test("the signature is HMAC-SHA256 over timestamp, period and body, as docs/webhooks.md says")
    func knownVector() {
        // printf '1800000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        let header = WebhookSignature.sign(Data(#"{"a":1}"#.utf8), secrets: ["whsec_test"], timestamp: 1_800_000_000)
        #expect(header == "t=1800000000,v1=7de5e6bbc99c65ef0ddccacd4308ba03a5a12eb8859a0db070c5ca731c4fdc19")
    }

    @Test("endpoints must be http(s) URLs of public hosts", arguments: [
        ("https://hooks.example.com/tandem", nil),
        ("http://hooks.example.com:8443/a?b=c", nil),
        ("https://93.184.216.34/hook", nil),
        ("ftp://hooks.example.com/", "must be an http or https URL"),
        ("hooks.example.com/hook", "must be an http or https URL"),
        ("https://user:pass@hooks.example.com/", "must not carry credentials; the signature authenticates deliveries"),
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://169.254.169.254/latest", "169.254.169.254 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://[::1]/hook", "::1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://localhost:8080/hook", "localhost is a loopback name; webhooks go to public hosts"),
        ("http://localhost./hook", "localhost. is a loopback name; webhooks go to public hosts"),
        ("http://tandem.localhost./hook", "tandem.localhost. is a loopback name; webhooks go to public hosts"),
        // IPv6 forms that carry an IPv4 address: IPv4-compatible, IPv4-translated, NAT64; and the 6to4 relay.
        ("http://[::127.0.0.1]/hook", "::127.0.0.1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://[::a9fe:a9fe]/hook", "::a9fe:a9fe is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://[::ffff:0:7f00:1]/hook", "::ffff:0:7f00:1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://[64:ff9b::7f00:1]/hook", "64:ff9b::7f00:1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("http://192.88.99.1/hook", "192.88.99.1 is a loopback, private or reserved address; webhooks go to public hosts"),
        ("https://[2606:4700::1111]/hook", nil),
        ("http://2130706433/hook", "has an invalid host"),
        ("https:///hook", "has no host"),
    ] as [(String, String?)])
    func urls(url: String, refusal: String?) {
        do {
            _ = try WebhookURLPolicy().check(url)
            #expect(refusal == nil, "\(url) was accepted")
        } catch {
            #expect(error.field == "url")
            #expect(error.reason.hasPrefix(refusal ?? "(accepted)"), "\(url): \(error.reason)")
        }
    }

    @Test("a server that allows private networks takes loopback endpoints")
    func privateNetworksAllowed() throws {
        let policy = WebhookURLPolicy(allowPrivateNetworks: true)
        #expect(try policy.check("http://127.0.0.1:8080/hook").port == 8080)
        #expect(throws: ServiceError.self) { try policy.check("file:///etc/passwd") }
    }
}
