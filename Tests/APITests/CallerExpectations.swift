import Foundation
import HummingbirdTesting
import Testing

/// What each kind of caller gets from a documented operation aimed at Acme's resources, as the README's roles
/// and tenancy rule say:
///
/// - `operator-admin` does everything (``OpenAPIContractTests/examplesSucceed(_:)``).
/// - `customer-admin` manages its own numbers, trunks, keys, E911 addresses, webhooks and port orders; what is
///   the operator's (carriers, stock, LRNs, accounts, caller-ID policies, filing port-outs, activating) is 403.
/// - `customer-read` reads its own data (not its keys); every write is 403.
/// - `agent` reads the accounts it referred and nothing of their numbers, trunks or porting: 403.
/// - `partner` (a gaining carrier) reaches its own account, keys and webhooks and files, follows and withdraws its
///   own port-out requests; it never sees whose numbers they are. Everything else is 403.
/// - `switch` (a switch or SBC reporting its CDRs) reports CDRs and call events and nothing else: 403 everywhere
///   but there.
/// - Another tenant's resource answers 404, exactly as a missing one; a list or filter shows the caller only its
///   own (another tenant's trunk filters to nothing), and a bulk request fails per number, as not found.
///
/// Written out per operation, so that a new operation cannot pass without someone deciding who may call it.
enum CallerExpectations {
    /// An expected answer.
    enum Answer: Sendable, ExpressibleByIntegerLiteral {
        /// This status; a 403 is the `forbidden` problem, a 404 the `not-found` one.
        case status(Int)
        /// 200, with every number of the bulk request failed as `not-found`.
        case perNumberNotFound
        /// 200, with an empty page.
        case emptyPage

        init(integerLiteral value: Int) { self = .status(value) }

        func expect(_ response: TestResponse, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            switch self {
            case .status(let code):
                #expect(response.status.code == code, "\(what): \(response.text)", sourceLocation: sourceLocation)
                let problem = [403: "urn:tandem:problem:forbidden", 404: "urn:tandem:problem:not-found"][code]
                if let problem {
                    #expect(response.problemType == problem, "\(what)", sourceLocation: sourceLocation)
                }
            case .perNumberNotFound:
                #expect(response.status == .ok, "\(what): \(response.text)", sourceLocation: sourceLocation)
                let results = response.object["results"] as? [[String: Any]] ?? []
                #expect(!results.isEmpty, "\(what): \(response.text)", sourceLocation: sourceLocation)
                for result in results {
                    #expect((result["error"] as? [String: Any])?["code"] as? String == "not-found",
                            "\(what): \(response.text)", sourceLocation: sourceLocation)
                }
            case .emptyPage:
                #expect(response.status == .ok, "\(what): \(response.text)", sourceLocation: sourceLocation)
                #expect(response.object["data"] as? [Any] != nil && response.items.isEmpty, "\(what): \(response.text)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// What Acme's admin, Acme's read-only key, Acme's agent, another tenant (Globex's admin), a partner carrier
    /// (Rival Telecom) and a switch get.
    struct Expected: Sendable {
        var owner: Answer
        var reader: Answer
        var agent: Answer
        var otherTenant: Answer
        var partner: Answer
        /// 403 but where switches report CDRs, which says so.
        var reportingSwitch: Answer

        init(_ owner: Answer, _ reader: Answer, _ agent: Answer, _ otherTenant: Answer, _ partner: Answer, switch reportingSwitch: Answer = 403) {
            (self.owner, self.reader, self.agent, self.otherTenant, self.partner) = (owner, reader, agent, otherTenant, partner)
            self.reportingSwitch = reportingSwitch
        }

        /// The operator's alone: 403 to everyone else.
        static let operatorOnly = Expected(403, 403, 403, 403, 403)
    }

    /// Per documented operation (`METHOD /template`): owner, reader, agent, other tenant, partner.
    static let table: [String: Expected] = [
        "GET /v1/me": Expected(200, 200, 200, 200, 200),
        "GET /v1/accounts": Expected(200, 200, 200, 200, 200),
        "POST /v1/accounts": .operatorOnly,
        "GET /v1/accounts/{id}": Expected(200, 200, 200, 404, 404),
        "PATCH /v1/accounts/{id}": .operatorOnly,
        "GET /v1/accounts/{id}/keys": Expected(200, 403, 403, 404, 404),
        "POST /v1/accounts/{id}/keys": Expected(201, 403, 403, 404, 404),
        "POST /v1/keys/{id}/rotate": Expected(201, 403, 403, 404, 404),
        "DELETE /v1/keys/{id}": Expected(200, 403, 403, 404, 404),
        "GET /v1/accounts/{id}/port-out-protection": Expected(200, 200, 403, 404, 403),
        "PUT /v1/accounts/{id}/port-out-protection": Expected(200, 403, 403, 404, 403),

        "GET /v1/numbers/available": Expected(200, 200, 403, 200, 403),
        "GET /v1/numbers": Expected(200, 200, 403, 200, 403),
        "GET /v1/numbers/{number}": Expected(200, 200, 403, 404, 403),
        "GET /v1/numbers/{number}/history": Expected(200, 200, 403, 404, 403),
        "GET /v1/numbers/{number}/failover": Expected(200, 200, 403, 404, 403),
        "PUT /v1/numbers/{number}/failover": Expected(200, 403, 403, 404, 403),
        "GET /v1/numbers/{number}/cnam": Expected(200, 200, 403, 404, 403),
        "PUT /v1/numbers/{number}/cnam": Expected(200, 403, 403, 404, 403),
        "DELETE /v1/numbers/{number}/cnam": Expected(204, 403, 403, 404, 403),
        "GET /v1/numbers/{number}/e911": Expected(200, 200, 403, 404, 403),
        "PUT /v1/numbers/{number}/e911": Expected(200, 403, 403, 404, 403),
        "DELETE /v1/numbers/{number}/e911": Expected(204, 403, 403, 404, 403),
        "POST /v1/numbers/reserve": Expected(200, 403, 403, 404, 403),
        "POST /v1/numbers/order": Expected(200, 403, 403, 404, 403),
        "POST /v1/numbers/release": Expected(200, 403, 403, .perNumberNotFound, 403),
        "POST /v1/numbers/assign": Expected(200, 403, 403, .perNumberNotFound, 403),
        "POST /v1/numbers/unassign": Expected(200, 403, 403, .perNumberNotFound, 403),
        // Caller names are published data: any customer may dip one of our numbers.
        "GET /v1/cnam/{number}": Expected(200, 200, 403, 200, 403),
        "POST /v1/inventory/numbers": .operatorOnly,

        // The example sets a caller-ID policy, which is the operator's.
        "POST /v1/trunks": Expected(403, 403, 403, 404, 403),
        "GET /v1/trunks": Expected(200, 200, 403, 200, 403),
        "GET /v1/trunks/{id}": Expected(200, 200, 403, 404, 403),
        "PATCH /v1/trunks/{id}": Expected(200, 403, 403, 404, 403),
        "DELETE /v1/trunks/{id}": Expected(204, 403, 403, 404, 403),
        "GET /v1/reference/exchanges/{npanxx}": Expected(200, 200, 200, 200, 200),

        "GET /v1/carriers": .operatorOnly,
        "POST /v1/carriers": .operatorOnly,
        "GET /v1/carriers/{id}": .operatorOnly,
        "PATCH /v1/carriers/{id}": .operatorOnly,
        "DELETE /v1/carriers/{id}": .operatorOnly,
        "GET /v1/carriers/{id}/ratedeck": .operatorOnly,

        "GET /v1/routes/explain": Expected(200, 200, 403, 404, 403),
        "GET /v1/routing-records": Expected(200, 200, 403, .emptyPage, 403),
        "GET /v1/cdrs": Expected(200, 200, 403, .emptyPage, 403),
        "GET /v1/cdrs/{id}": Expected(200, 200, 403, 404, 403),
        "GET /v1/cdrs/usage": Expected(200, 200, 403, 200, 403),
        "GET /v1/cdrs/export": Expected(200, 200, 403, 200, 403),
        "POST /v1/cdrs": Expected(403, 403, 403, 403, 403, switch: 200),
        "POST /v1/cdrs/kamailio": Expected(403, 403, 403, 403, 403, switch: 200),
        "POST /v1/cdrs/freeswitch": Expected(403, 403, 403, 403, 403, switch: 200),
        "POST /v1/cdrs/freeswitch-csv": Expected(403, 403, 403, 403, 403, switch: 200),
        "POST /v1/cdrs/asterisk": Expected(403, 403, 403, 403, 403, switch: 200),
        "POST /v1/channels/events": Expected(403, 403, 403, 403, 403, switch: 200),
        "GET /v1/trunks/{id}/channels": Expected(200, 200, 403, 404, 403),

        "GET /v1/blocked-destinations": Expected(200, 200, 403, 200, 403),
        "POST /v1/blocked-destinations": Expected(201, 403, 403, 404, 403),
        "DELETE /v1/blocked-destinations/{id}": Expected(204, 403, 403, 404, 403),

        "GET /v1/e911/addresses": Expected(200, 200, 403, 200, 403),
        // Without an account_id, an address is the caller's own.
        "POST /v1/e911/addresses": Expected(201, 403, 403, 201, 403),
        "GET /v1/e911/addresses/{id}": Expected(200, 200, 403, 404, 403),
        "GET /v1/e911/locations/{id}": Expected(200, 200, 403, 404, 403),
        "POST /v1/e911/validate": Expected(200, 403, 403, 200, 403),
        "GET /v1/e911/unbound": Expected(200, 200, 403, 200, 403),

        "GET /v1/webhooks": Expected(200, 200, 403, 200, 200),
        // Without an account_id, an endpoint is the caller's own.
        "POST /v1/webhooks": Expected(201, 403, 403, 201, 201),
        "GET /v1/webhooks/{id}": Expected(200, 200, 403, 404, 404),
        "DELETE /v1/webhooks/{id}": Expected(204, 403, 403, 404, 404),
        "GET /v1/webhooks/{id}/deliveries": Expected(200, 200, 403, 404, 404),
        "POST /v1/webhooks/{id}/rotate-secret": Expected(200, 403, 403, 404, 404),

        "GET /v1/port-orders": Expected(200, 200, 403, 200, 403),
        "POST /v1/port-orders": Expected(201, 403, 403, 404, 403),
        "GET /v1/port-orders/calendar": Expected(200, 200, 403, 200, 403),
        "GET /v1/port-orders/{id}": Expected(200, 200, 403, 404, 403),
        "GET /v1/port-orders/{id}/events": Expected(200, 200, 403, 404, 403),
        "POST /v1/port-orders/{id}/submit": Expected(200, 403, 403, 404, 403),
        "POST /v1/port-orders/{id}/supplement": Expected(200, 403, 403, 404, 403),
        "POST /v1/port-orders/{id}/cancel": Expected(200, 403, 403, 404, 403),
        "POST /v1/port-orders/{id}/activate": .operatorOnly,
        "POST /v1/port-orders/{id}/end-cutover": Expected(200, 403, 403, 404, 403),
        "GET /v1/network/lrns": Expected(200, 200, 403, 200, 403),
        "PUT /v1/network/lrns/{lata}": .operatorOnly,

        "GET /v1/port-outs": Expected(200, 200, 403, 200, .emptyPage),
        // A partner files as itself; the example's OCN is Rival Telecom's.
        "POST /v1/port-outs": Expected(403, 403, 403, 403, 201),
        "GET /v1/port-outs/{id}": Expected(200, 200, 403, 404, 404),
        "GET /v1/port-outs/{id}/events": Expected(200, 200, 403, 404, 404),
        "POST /v1/port-outs/{id}/approve": Expected(200, 403, 403, 404, 403),
        "POST /v1/port-outs/{id}/decline": Expected(200, 403, 403, 404, 403),
        // Only the filing partner (or the operator) withdraws; the example's request is the operator's filing.
        "POST /v1/port-outs/{id}/cancel": Expected(403, 403, 403, 403, 404),
        "POST /v1/port-outs/{id}/activate": .operatorOnly,
    ]
}
