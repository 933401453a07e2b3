import Foundation
import Hummingbird
import Inventory
import Platform
import Routing
import NIOCore
import Telephony

/// `/v1/numbers` and `/v1/inventory`: search, order, reserve, assign, release, history; operator stock.
struct NumbersController: Sendable {
    let numbers: NumberInventory
    /// The body limit of a stock upload (a text file of numbers and ranges).
    let uploadBodyBytes: Int

    /// The body of reserve and order: either named numbers, or a quantity of numbers matching a search.
    struct Selection: Decodable {
        var numbers: [String]?
        var quantity: Int?
        var search: SearchCriteria?
        var accountId: String?
    }

    struct SearchCriteria: Decodable {
        var npa: String?
        var npanxx: String?
        var rateCenter: String?
        var state: String?
        var lata: String?
        var contains: String?
        var startsWith: String?
        var endsWith: String?

        func search() throws(ServiceError) -> NumberSearch {
            try NumberSearch(
                npa: npa, npaNXX: npanxx, rateCenter: rateCenter, state: state, lata: lata, contains: contains,
                startsWith: startsWith, endsWith: endsWith
            )
        }
    }

    struct NumberList: Decodable {
        var numbers: [String]
    }

    /// A number's failover targets, as read and written.
    struct Failover: Codable {
        var number: PhoneNumber?
        var targets: [FailoverTarget]
    }

    /// A number's caller name (CNAM), as read and written.
    struct CallerNameBody: Codable {
        var number: PhoneNumber?
        var name: String?
    }

    struct TrunkAssignment: Decodable {
        var numbers: [String]
        var trunkId: String
    }

    /// Numbers to add: explicit numbers and inclusive ranges.
    struct Stock: Decodable {
        struct Range: Decodable {
            var from: String
            var to: String
        }

        var numbers: [String]?
        var ranges: [Range]?
    }

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.get("numbers/available", use: search)
        group.get("numbers", use: list)
        group.get("numbers/:number", use: show)
        group.get("numbers/:number/history", use: history)
        group.get("numbers/:number/failover", use: showFailover)
        group.put("numbers/:number/failover", use: setFailover)
        group.get("numbers/:number/cnam", use: showCallerName)
        group.put("numbers/:number/cnam", use: setCallerName)
        group.delete("numbers/:number/cnam", use: clearCallerName)
        group.get("cnam/:number", use: lookUpCallerName)
        group.post("numbers/reserve", use: reserve)
        group.post("numbers/order", use: order)
        group.post("numbers/release", use: release)
        group.post("numbers/assign", use: assign)
        group.post("numbers/unassign", use: unassign)
        // Stock may come as a text file of numbers and ranges: the upload's body limit, not JSON's.
        group.group("inventory/numbers").add(middleware: BodyLimitMiddleware(bytes: uploadBodyBytes)).post(use: addStock)
    }

    /// GET /v1/numbers/available: numbers in stock matching a search, paged.
    @Sendable func search(_ request: Request, context: APIContext) async throws -> Response {
        let criteria = SearchCriteria(
            npa: request.query("npa"), npanxx: request.query("npanxx"), rateCenter: request.query("rate_center"),
            state: request.query("state"), lata: request.query("lata"), contains: request.query("contains"),
            startsWith: request.query("starts_with"), endsWith: request.query("ends_with")
        )
        let page = try await numbers.search(criteria.search(), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// GET /v1/numbers: the caller's numbers, paged.
    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await numbers.numbers(
            accountId: request.query("account_id"), status: request.query("status", as: NumberStatus.self),
            trunkId: request.query("trunk_id"), page: request.page(), by: context.caller()
        )
        return try json(page, context: context)
    }

    /// GET /v1/numbers/{number}: one number.
    @Sendable func show(_: Request, context: APIContext) async throws -> Response {
        try json(try await numbers.number(try pathNumber(context), by: context.caller()), context: context)
    }

    /// GET /v1/numbers/{number}/history: a number's history, oldest first, paged.
    @Sendable func history(_ request: Request, context: APIContext) async throws -> Response {
        let page = try await numbers.history(try pathNumber(context), page: request.page(), by: context.caller())
        return try json(page, context: context)
    }

    /// GET /v1/numbers/{number}/failover: a number's failover targets.
    @Sendable func showFailover(_: Request, context: APIContext) async throws -> Response {
        let number = try pathNumber(context)
        let targets = try await numbers.failover(of: number, by: context.caller())
        return try json(Failover(number: number, targets: targets), context: context)
    }

    /// PUT /v1/numbers/{number}/failover: replaces a number's failover targets.
    @Sendable func setFailover(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let number = try pathNumber(context)
        let body = try await request.decodeJSON(as: Failover.self, context: context)
        let targets = try await numbers.setFailover(of: number, to: body.targets, by: context.caller())
        return try json(Failover(number: number, targets: targets), context: context)
    }

    /// GET /v1/numbers/{number}/cnam: a number's caller name.
    @Sendable func showCallerName(_: Request, context: APIContext) async throws -> Response {
        let number = try pathNumber(context)
        let name = try await numbers.callerName(of: number, by: context.caller())
        return try json(CallerNameBody(number: number, name: name?.text), context: context)
    }

    /// PUT /v1/numbers/{number}/cnam: sets a number's caller name.
    @Sendable func setCallerName(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let number = try pathNumber(context)
        let body = try await request.decodeJSON(as: CallerNameBody.self, context: context)
        guard let raw = body.name else { throw Problem.badRequest("name is required (DELETE clears it)", field: "name") }
        let name: CallerName
        do throws(CallerName.NameError) {
            name = try CallerName(normalizing: raw)
        } catch {
            throw Problem.badRequest(error.description, field: "name")
        }
        let stored = try await numbers.setCallerName(of: number, to: name, by: context.caller())
        return try json(CallerNameBody(number: number, name: stored?.text), context: context)
    }

    /// DELETE /v1/numbers/{number}/cnam: clears a number's caller name.
    @Sendable func clearCallerName(_: Request, context: APIContext) async throws -> Response {
        _ = try await numbers.setCallerName(of: try pathNumber(context), to: nil, by: context.caller())
        return Response(status: .noContent)
    }

    /// GET /v1/cnam/{number}: a CNAM dip on one of our assigned numbers (404 without a name).
    @Sendable func lookUpCallerName(_: Request, context: APIContext) async throws -> Response {
        let number = try pathNumber(context)
        guard let name = try await numbers.lookUpCallerName(number, by: context.caller()) else {
            throw Problem(status: .notFound, code: "not-found", title: "Not found", detail: "no caller name for \(number.e164)")
        }
        return try json(CallerNameBody(number: number, name: name.text), context: context)
    }

    /// POST /v1/numbers/reserve: reserves named numbers, or a quantity matching a search.
    @Sendable func reserve(_ request: Request, context: APIContext) async throws -> Response {
        try await select(request, context, reserve: true)
    }

    /// POST /v1/numbers/order: orders named numbers, or a quantity matching a search.
    @Sendable func order(_ request: Request, context: APIContext) async throws -> Response {
        try await select(request, context, reserve: false)
    }

    /// POST /v1/numbers/release: gives numbers back.
    @Sendable func release(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: NumberList.self, context: context)
        return try json(try await numbers.release(body.numbers, by: context.caller()), context: context)
    }

    /// POST /v1/numbers/assign: assigns numbers to a trunk.
    @Sendable func assign(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: TrunkAssignment.self, context: context)
        return try json(try await numbers.assign(body.numbers, trunkId: body.trunkId, by: context.caller()), context: context)
    }

    /// POST /v1/numbers/unassign: takes numbers off their trunk.
    @Sendable func unassign(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: NumberList.self, context: context)
        return try json(try await numbers.unassign(body.numbers, by: context.caller()), context: context)
    }

    private func select(_ request: Request, _ context: APIContext, reserve: Bool) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(as: Selection.self, context: context)
        let caller = try context.caller()
        let result: BulkResult
        switch (body.numbers, body.quantity) {
        case (let list?, nil):
            result = reserve
                ? try await numbers.reserve(list, accountId: body.accountId, by: caller)
                : try await numbers.order(list, accountId: body.accountId, by: caller)
        case (nil, let quantity?):
            result = try await numbers.take(
                quantity, matching: (body.search ?? SearchCriteria()).search(), reserve: reserve,
                accountId: body.accountId, by: caller
            )
        default:
            throw Problem.badRequest("give either 'numbers' or 'quantity' (with 'search')", field: "numbers")
        }
        return try json(result, context: context)
    }

    /// POST /v1/inventory/numbers: adds numbers and ranges to the operator's stock (JSON, or text one a line).
    @Sendable func addStock(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let caller = try context.caller()
        try caller.requireOperator()
        var texts: [(field: String, text: String)] = []
        var ranges: [(field: String, from: String, to: String)] = []
        let contentType = request.headers[.contentType] ?? "application/json"
        if contentType.hasPrefix("text/") {
            // One number or FROM..TO range per line (text/plain or a one-column text/csv).
            let buffer = try await request.collectBody(context: context)
            for (index, line) in String(buffer: buffer).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
                let entry = line.trimmingCharacters(in: .whitespaces)
                guard !entry.isEmpty, !entry.hasPrefix("#"), entry.lowercased() != "number" else { continue }
                let field = "line \(index + 1)"
                if let separator = entry.range(of: "..") {
                    ranges.append((field, String(entry[..<separator.lowerBound]), String(entry[separator.upperBound...])))
                } else {
                    texts.append((field, entry))
                }
            }
        } else {
            let body = try await request.decodeJSON(as: Stock.self, context: context)
            texts = (body.numbers ?? []).enumerated().map { ("numbers[\($0.offset)]", $0.element) }
            ranges = (body.ranges ?? []).enumerated().map { ("ranges[\($0.offset)]", $0.element.from, $0.element.to) }
        }
        var stock: [PhoneNumber] = []
        for (field, text) in texts {
            do { stock.append(try PhoneNumber(parsing: text)) } catch {
                throw Problem.badRequest(error.description, field: field)
            }
        }
        for (field, fromText, toText) in ranges {
            let from: PhoneNumber, to: PhoneNumber
            do {
                (from, to) = (try PhoneNumber(parsing: fromText), try PhoneNumber(parsing: toText))
            } catch {
                throw Problem.badRequest(error.description, field: field)
            }
            guard from <= to, to.digits - from.digits < UInt64(NumberInventory.maximumAddition) else {
                throw Problem.badRequest(
                    "must run upward and hold at most \(NumberInventory.maximumAddition) numbers", field: field
                )
            }
            for digits in from.digits...to.digits {
                if let number = PhoneNumber(digits: digits) { stock.append(number) }
            }
            guard stock.count <= NumberInventory.maximumAddition else { break }
        }
        guard !stock.isEmpty else { throw Problem.badRequest("name at least one number or range", field: "numbers") }
        return try json(try await numbers.add(stock, by: caller), status: .ok, context: context)
    }
}

/// The `{number}` of a route's path, in any spelling (percent-encoded as needed).
func pathNumber(_ context: APIContext) throws -> PhoneNumber {
    let text = try context.parameters.require("number")
    do {
        return try PhoneNumber(parsing: text.removingPercentEncoding ?? text)
    } catch {
        throw Problem.badRequest(error.description, field: "number")
    }
}
