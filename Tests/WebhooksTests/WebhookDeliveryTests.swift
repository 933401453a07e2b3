import Crypto
import Foundation
import Platform
import Synchronization
import Inventory
import Logging
import Porting
import Routing
import SQLKit
import ServiceLifecycle
import Store
import Telephony
import TestSupport
import Testing
import Timekeeping
import Webhooks

private let loopback = WebhookURLPolicy(allowPrivateNetworks: true)

/// Fast retries, so that a test sees several attempts in well under a second.
private let fast = WebhookDelivery.Configuration(
    pollInterval: .milliseconds(50), maximumAttempts: 3, firstRetryDelay: .milliseconds(100), timeout: .seconds(5),
    policy: loopback
)

private func delivery(
    _ store: Store, _ configuration: WebhookDelivery.Configuration = fast, secrets: WebhookSecretSealer = .plaintext,
    clock: WallClock
) -> WebhookDelivery {
    var logger = Logger(label: "test.webhooks")
    logger.logLevel = .error
    return WebhookDelivery(store: store, configuration: configuration, secrets: secrets, clock: clock, logger: logger)
}

private let account = LosingCarrierAccount(
    businessName: "Acme Dental Group", serviceAddress: "1600 Main St", zip: "20001", accountNumber: "CB-7781", pin: "1234"
)

/// Creates and submits a port order for Capital Bell's 202-555-1001: two status changes (submitted, then
/// foc-received). Returns the order's id.
private func submitPortOrder(_ fixture: Fixture) async throws -> String {
    let draft = PortOrderDraft(
        numbers: ["+12025551001"], account: account,
        loa: LOADraft(signer: "Pat Doe", title: "Owner", signedOn: "2026-11-20", documentName: "loa.pdf", document: "JVBERi0="),
        trunkId: fixture.acmeTrunk.id
    )
    let order = try #require(try await fixture.porting.create(draft, by: fixture.acme).orders.first)
    _ = try await fixture.porting.submit(order.id, by: fixture.acme)
    return order.id
}

private func deliveries(_ endpoints: WebhookEndpoints, _ id: String, _ fixture: Fixture) async throws -> [WebhookDeliveryRecord] {
    try await endpoints.deliveries(of: id, page: PageRequest(), by: fixture.acme).data
}

/// Waits until every delivery to an endpoint has left `pending` (at most a minute: a loaded machine is slow).
private func settled(_ endpoints: WebhookEndpoints, _ id: String, _ fixture: Fixture) async throws -> [WebhookDeliveryRecord] {
    let deadline = ContinuousClock.now + .seconds(60)
    while true {
        let records = try await deliveries(endpoints, id, fixture)
        if records.allSatisfy({ $0.status != "pending" }) || ContinuousClock.now > deadline { return records }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// Waits on sockets, queues or processes: a lost answer fails the test instead of hanging the run.
@Suite("Webhook delivery to a live receiver", .timeLimit(.minutes(3)))
struct WebhookDeliveryTests {
    @Test("port order changes are delivered signed, with the timeline entry", arguments: TestDatabase.available)
    func portOrderChanges(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let created = try await endpoints.create(WebhookEndpointDraft(url: url), by: fixture.acme)
                let orderId = try await submitPortOrder(fixture)
                let (received, records) = try await whileRunning(delivery(store, clock: fixture.clock)) {
                    (try await receiver.waitFor(2), try await settled(endpoints, created.endpoint.id, fixture))
                }
                #expect(received.count == 2)
                let now = fixture.clock.unixSeconds()
                for request in received {
                    let signature = try #require(request.headers["tandem-signature"])
                    #expect(WebhookSignature.verify(signature, body: request.body, secret: created.secret, now: now))
                    #expect(!WebhookSignature.verify(signature, body: request.body, secret: "whsec_wrong", now: now))
                    #expect(!WebhookSignature.verify(signature, body: request.body + Data(" ".utf8), secret: created.secret, now: now))
                    #expect(request.object["type"] as? String == "port-order.status-changed")
                    #expect(request.headers["tandem-event-id"] == request.object["id"] as? String)
                    #expect(request.data["order_id"] as? String == orderId)
                }
                let entries = received.compactMap { $0.data["entry"] as? [String: Any] }
                let changes = entries.map { "\($0["from_state"] ?? "")>\($0["to_state"] ?? "")" }
                #expect(Set(changes) == ["draft>submitted", "submitted>foc-received"])
                #expect(entries.allSatisfy { ($0["actor"] as? String)?.isEmpty == false })
                #expect(records.map(\.status) == ["delivered", "delivered"])
                #expect(records.allSatisfy { $0.attempts == 1 && $0.lastResponseStatus == 200 && $0.deliveredAt != nil })
            }
        }
    }

    @Test("with a secrets key, the stored secret is sealed and deliveries are still signed with the secret itself",
          arguments: TestDatabase.available)
    func sealedSecrets(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let sealer = WebhookSecretSealer(key: .init(size: .bits256))
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, secrets: sealer, clock: fixture.clock)
                let created = try await endpoints.create(WebhookEndpointDraft(url: url), by: fixture.acme)
                let stored = try await store.read { database in
                    try await database.raw("SELECT secret FROM webhook_endpoints").first()!.decode(column: "secret", as: String.self)
                }
                #expect(stored.hasPrefix("sealed:v1:") && !stored.contains(created.secret), "the database holds no usable secret")
                _ = try await submitPortOrder(fixture)
                let received = try await whileRunning(delivery(store, secrets: sealer, clock: fixture.clock)) {
                    try await receiver.waitFor(2)
                }
                for request in received {
                    let signature = try #require(request.headers["tandem-signature"])
                    #expect(WebhookSignature.verify(signature, body: request.body, secret: created.secret, now: fixture.clock.unixSeconds()))
                }
                // Without the key, or with another, the stored secrets are refused, not used.
                await #expect(throws: SealingError.self) { try await WebhookSecretSealer.plaintext.sealStoredSecrets(in: store) }
                await #expect(throws: SealingError.self) {
                    try await WebhookSecretSealer(key: .init(size: .bits256)).sealStoredSecrets(in: store)
                }
                #expect(try await sealer.sealStoredSecrets(in: store) == 0, "nothing left to seal")
            }
        }
    }

    @Test("a secrets key file holds 32 bytes as base64 or hex; anything else is refused, naming the file")
    func keyFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-keys-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ text: String) throws -> String {
            let path = directory.appendingPathComponent(UUID().uuidString).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let bytes = Data((0..<32).map { UInt8($0) })
        let fromBase64 = try WebhookSecretSealer.key(fromFile: file(bytes.base64EncodedString() + "\n"))
        let fromHex = try WebhookSecretSealer.key(fromFile: file(bytes.map { String(format: "%02x", $0) }.joined()))
        #expect(fromBase64 == fromHex)
        for bad in ["", "short", Data(count: 16).base64EncodedString(), String(repeating: "zz", count: 32)] {
            let path = try file(bad)
            #expect(throws: ServiceError.self) { try WebhookSecretSealer.key(fromFile: path) }
        }
    }

    @Test("secrets stored before a key was configured are sealed at start, a rotation's previous secret too", arguments: TestDatabase.available)
    func sealingExistingSecrets(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let plain = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
            let created = try await plain.create(WebhookEndpointDraft(url: "http://127.0.0.1:9/hook"), by: fixture.acme)
            _ = try await plain.rotateSecret(created.endpoint.id, WebhookSecretRotation(previousSecretHours: 24), by: fixture.acme)
            let sealer = WebhookSecretSealer(key: .init(size: .bits256))
            #expect(try await sealer.sealStoredSecrets(in: store) == 1)
            let row = try await store.read { database in try await database.raw("SELECT secret, previous_secret FROM webhook_endpoints").first()! }
            let secret = try row.decode(column: "secret", as: String.self)
            let previous = try row.decode(column: "previous_secret", as: String?.self)
            #expect(secret.hasPrefix("sealed:v1:") && previous?.hasPrefix("sealed:v1:") == true)
            #expect(!secret.contains("whsec_") && previous?.contains(created.secret) == false)
        }
    }

    @Test("an endpoint that answers 500 gets the event again, until it takes it", arguments: TestDatabase.available)
    func retriesAfterAServerError(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let receiver = WebhookReceiver(answering: [.internalServerError, .serviceUnavailable])
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let created = try await endpoints.create(
                    WebhookEndpointDraft(url: url, events: ["emergency.call"]), by: fixture.acme
                )
                _ = try await store.transaction { database in
                    try await WebhookOutbox.enqueue(.emergencyCall, account: fixture.acme.accountId, data: ["probe": "1"], at: fixture.clock.now(), in: database)
                }
                let received = try await whileRunning(delivery(store, clock: fixture.clock)) {
                    _ = try await receiver.waitFor(3)
                    return try await settled(endpoints, created.endpoint.id, fixture)
                }
                let attempts = await receiver.deliveries
                #expect(attempts.count == 3)
                #expect(Set(attempts.compactMap { $0.object["id"] as? String }).count == 1, "every retry is the same event")
                #expect(received.count == 1)
                #expect(received.first?.status == "delivered" && received.first?.attempts == 3)
                #expect(received.first?.lastResponseStatus == 200)
            }
        }
    }

    @Test("after the last attempt a delivery is failed, with the endpoint's answer", arguments: TestDatabase.available)
    func givesUpAfterTheLastAttempt(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let receiver = WebhookReceiver(answering: Array(repeating: .internalServerError, count: 10))
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let created = try await endpoints.create(WebhookEndpointDraft(url: url), by: fixture.acme)
                _ = try await store.transaction { database in
                    try await WebhookOutbox.enqueue(.emergencyCall, account: fixture.acme.accountId, data: ["probe": "1"], at: fixture.clock.now(), in: database)
                }
                let records = try await whileRunning(delivery(store, clock: fixture.clock)) { try await settled(endpoints, created.endpoint.id, fixture) }
                #expect(records.first?.status == "failed" && records.first?.attempts == 3)
                #expect(records.first?.lastResponseStatus == 500 && records.first?.lastError == "the endpoint answered 500")
                #expect(await receiver.deliveries.count == 3)
            }
        }
    }

    @Test("events written while nothing delivers, or while the receiver was down, go out after a restart",
          arguments: TestDatabase.available)
    func deliversAfterRestart(database: TestDatabase) async throws {
        let time = TestClock(Date())
        try await database.withFixture(clock: time.clock) { store, fixture in
            // The receiver is down (503) for the first attempts.
            let receiver = WebhookReceiver(answering: [.serviceUnavailable, .serviceUnavailable])
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let created = try await endpoints.create(WebhookEndpointDraft(url: url), by: fixture.acme)
                // The events are written while no delivery service runs.
                _ = try await submitPortOrder(fixture)
                // A first server tries each once, schedules the next attempts an hour later, and stops.
                var patient = fast
                patient.firstRetryDelay = .seconds(3_600)
                let pending = try await whileRunning(delivery(store, patient, clock: fixture.clock)) {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        let records = try await deliveries(endpoints, created.endpoint.id, fixture)
                        if records.allSatisfy({ $0.attempts == 1 }) { return records }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return try await deliveries(endpoints, created.endpoint.id, fixture)
                }
                #expect(pending.count == 2, "\(pending)")
                #expect(pending.allSatisfy { $0.status == "pending" && $0.attempts == 1 && $0.lastResponseStatus == 503 }, "\(pending)")

                // A new delivery service, two hours later, finds them in the outbox and delivers them.
                time.advance(by: 7_200)
                let (received, records) = try await whileRunning(delivery(store, clock: fixture.clock)) {
                    (try await receiver.waitFor(4), try await settled(endpoints, created.endpoint.id, fixture))
                }
                #expect(received.count == 4, "\(records)")
                #expect(records.allSatisfy { $0.status == "delivered" && $0.attempts == 2 }, "\(records)")
            }
        }
    }

    @Test("Kari's Law: an emergency call notifies the calling account at once, located or not",
          arguments: TestDatabase.available)
    func emergencyCallNotification(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let acme = try await endpoints.create(WebhookEndpointDraft(url: url, events: ["emergency.call"]), by: fixture.acme)
                let globex = try await endpoints.create(WebhookEndpointDraft(url: url + "?globex"), by: fixture.globex)
                // A 5-minute poll: only the notifier's wake-up can make the delivery prompt.
                var slow = fast
                slow.pollInterval = .seconds(300)
                let sender = delivery(store, slow, clock: fixture.clock)
                let queue = EmergencyCallQueue()
                var logger = Logger(label: "test.kari")
                logger.logLevel = .critical
                let notifier = EmergencyNotifier(queue: queue, store: store, delivery: sender, logger: logger)
                let caller = PhoneNumber("+12025550100")!
                let address = fixture.acmeAddress
                let location = EmergencyLocation(addressId: address.id, line: address.line, esn: address.esn, psap: address.psap)
                let at = fixture.clock.unixSeconds() * 1_000
                queue.offer(EmergencyCallNotice(
                    dialed: "911", call: EmergencyCall(accountId: fixture.acme.accountId, callback: caller, location: location),
                    trunkId: fixture.acmeTrunk.id, callID: "call-1", at: at
                ))
                queue.offer(EmergencyCallNotice(
                    dialed: "933", call: EmergencyCall(accountId: fixture.acme.accountId, callback: nil, location: nil),
                    trunkId: fixture.acmeTrunk.id, callID: "call-2", at: at
                ))
                let (received, records) = try await whileRunning(sender) {
                    try await whileRunning(notifier) {
                        (try await receiver.waitFor(2), try await settled(endpoints, acme.endpoint.id, fixture))
                    }
                }
                // Globex hears nothing of Acme's calls: none was ever queued for its endpoint, and once the sender has
                // stopped (nothing more in flight) the receiver holds Acme's two alone.
                #expect(try await endpoints.deliveries(of: globex.endpoint.id, page: PageRequest(), by: fixture.globex).data.isEmpty)
                let heard = await receiver.deliveries.count
                #expect(received.count == 2 && heard == 2)
                let located = try #require(received.first { $0.data["call_id"] as? String == "call-1" })
                #expect(located.object["type"] as? String == "emergency.call")
                #expect(located.data["number"] as? String == "+12025550100" && located.data["location"] as? String == "located")
                #expect((located.data["address"] as? [String: Any])?["line"] as? String == address.line)
                #expect(located.data["at"] as? String == ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(at / 1_000))))
                let unlocated = try #require(received.first { $0.data["call_id"] as? String == "call-2" })
                #expect(unlocated.data["location"] as? String == "unlocated" && unlocated.data["address"] == nil)
                #expect(unlocated.data["dialed"] as? String == "933")
                #expect(records.count == 2 && records.allSatisfy { $0.status == "delivered" })
            }
        }
    }

    @Test("DNS rebinding: a name the check sees public and the system resolves to loopback never reaches loopback",
          arguments: TestDatabase.available)
    func rebindingCannotReachLoopback(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                // The endpoint names the receiver by a name the system resolves to loopback (made while private
                // networks were allowed, as a name that later moved would be).
                // In capitals: the pin must be keyed as the HTTP client reads the host, or it would resolve again.
                let named = url.replacingOccurrences(of: "127.0.0.1", with: "LocalHost")
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
                let created = try await endpoints.create(WebhookEndpointDraft(url: named), by: fixture.acme)
                _ = try await submitPortOrder(fixture)
                // Deliveries allow public hosts only, and the resolver the check asks answers a public address:
                // the rebinding attacker's first answer. A second resolution would find loopback.
                var policy = WebhookURLPolicy()
                policy.resolve = { _ in [IPAddress("93.184.216.34")!] }
                var once = fast
                once.policy = policy
                once.maximumAttempts = 1
                once.timeout = .seconds(1)
                let records = try await whileRunning(delivery(store, once, clock: fixture.clock)) {
                    try await settled(endpoints, created.endpoint.id, fixture)
                }
                #expect(records.count == 2 && records.allSatisfy { $0.status == "failed" }, "\(records)")
                #expect(await receiver.deliveries.isEmpty, "the delivery connected to the checked address, not to loopback")
                // The customer learns only that the endpoint could not be reached; the operator, how.
                #expect(records.allSatisfy { $0.lastError == "the endpoint could not be reached" }, "\(records)")
                let detail = try await endpoints.deliveries(of: created.endpoint.id, page: PageRequest(), by: fixture.operatorPrincipal)
                #expect(detail.data.allSatisfy { $0.lastError?.hasPrefix("the request failed: ") == true }, "\(detail.data)")
            }
        }
    }

    @Test("deleting an endpoint cancels its pending deliveries; its events stop", arguments: TestDatabase.available)
    func deletingCancels(database: TestDatabase) async throws {
        try await database.withFixture { store, fixture in
            let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: fixture.clock)
            let created = try await endpoints.create(WebhookEndpointDraft(url: "http://127.0.0.1:9/hook"), by: fixture.acme)
            _ = try await submitPortOrder(fixture)
            await #expect { try await endpoints.delete(created.endpoint.id, by: fixture.globex) } throws: {
                ($0 as? ServiceError)?.code == .notFound
            }
            try await endpoints.delete(created.endpoint.id, by: fixture.acme)
            let statuses = try await store.read { database in
                try await database.raw("SELECT status FROM webhook_deliveries WHERE endpoint_id = \(bind: created.endpoint.id)")
                    .all().map { try $0.decode(column: "status", as: String.self) }
            }
            #expect(statuses == ["canceled", "canceled"])
            await #expect { try await endpoints.endpoint(created.endpoint.id, by: fixture.acme) } throws: {
                ($0 as? ServiceError)?.code == .notFound
            }
        }
    }

    @Test("a rotated secret signs beside the new one until it expires; a rotation without overlap drops it at once",
          arguments: TestDatabase.available)
    func secretRotation(database: TestDatabase) async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let clock = WallClock { now.withLock { $0 } }
        try await database.withFixture(clock: clock) { store, fixture in
            let receiver = WebhookReceiver()
            try await receiver.serving { url in
                let endpoints = WebhookEndpoints(store: store, policy: loopback, clock: clock)
                let first = try await endpoints.create(WebhookEndpointDraft(url: url), by: fixture.acme)
                let id = first.endpoint.id
                await #expect { try await endpoints.rotateSecret(id, WebhookSecretRotation(), by: fixture.globex) } throws: {
                    ($0 as? ServiceError)?.code == .notFound
                }
                await #expect { try await endpoints.rotateSecret(id, WebhookSecretRotation(previousSecretHours: 169), by: fixture.acme) }
                    throws: { ($0 as? ServiceError)?.field == "previous_secret_hours" }
                let second = try await endpoints.rotateSecret(id, WebhookSecretRotation(), by: fixture.acme)
                #expect(second.secret != first.secret && second.secret.hasPrefix("whsec_"))
                #expect(second.endpoint.previousSecretExpiresAt == Date(timeIntervalSince1970: 1_800_000_000 + 24 * 3_600))

                /// Delivers what is due and returns, per delivery, which of the secrets its signature verifies with.
                func deliveredVerifying(_ count: Int, _ secrets: [String]) async throws -> [[Bool]] {
                    let already = await receiver.deliveries.count
                    // Until every delivery is recorded, so that none is sent again (at least once) in the next round.
                    let received = try await whileRunning(delivery(store, clock: clock)) {
                        let received = try await receiver.waitFor(already + count)
                        _ = try await settled(endpoints, id, fixture)
                        return received
                    }
                    let at = now.withLock { $0 }.unixSeconds
                    return try received.dropFirst(already).map { request in
                        let signature = try #require(request.headers["tandem-signature"])
                        return secrets.map { WebhookSignature.verify(signature, body: request.body, secret: $0, now: at) }
                    }
                }
                let orderId = try await submitPortOrder(fixture)
                #expect(try await deliveredVerifying(2, [first.secret, second.secret]) == [[true, true], [true, true]],
                        "during the overlap, either secret verifies")

                // A rotation retried during the overlap (its first answer lost) keeps the secret receivers still hold.
                let retried = try await endpoints.rotateSecret(id, WebhookSecretRotation(), by: fixture.acme)
                _ = try await fixture.porting.cancel(orderId, by: fixture.acme)
                #expect(try await deliveredVerifying(1, [first.secret, second.secret, retried.secret]) == [[true, false, true]])

                now.withLock { $0 = $0.addingTimeInterval(24 * 3_600) }
                let next = try await submitPortOrder(fixture)
                #expect(try await deliveredVerifying(2, [first.secret, retried.secret]) == [[false, true], [false, true]],
                        "the old secret expired")

                let third = try await endpoints.rotateSecret(id, WebhookSecretRotation(previousSecretHours: 0), by: fixture.acme)
                #expect(third.endpoint.previousSecretExpiresAt == nil)
                _ = try await fixture.porting.cancel(next, by: fixture.acme)
                #expect(try await deliveredVerifying(1, [retried.secret, third.secret]) == [[false, true]])
            }
        }
    }
}
