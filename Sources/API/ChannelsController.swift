import Foundation
import Guard
import Hummingbird
import Inventory
import Platform

/// Channels: the calls each trunk has up, which `max_channels` limits. Tandem takes a channel when it redirects a
/// call; the switch says when the call was answered and when it ended (`POST /v1/channels/events`), and the call's
/// CDR gives the channel back too.
struct ChannelsController: Sendable {
    let channels: ChannelCounter
    let trunks: TrunkDirectory

    /// The most events one request carries.
    static let maximumPerRequest = 10_000

    func addRoutes(to group: RouterGroup<APIContext>) {
        group.post("channels/events", use: events)
        group.get("trunks/:id/channels", use: usage)
    }

    /// What a trunk has in use.
    struct TrunkChannels: Encodable {
        var trunkId: String
        var maxChannels: Int
        var inUse: Int
        var ringing: Int
        var answered: Int
    }

    /// GET /v1/trunks/{id}/channels: the trunk's channels in use now, on this node.
    @Sendable func usage(_: Request, context: APIContext) async throws -> Response {
        let trunk = try await trunks.trunk(try context.parameters.require("id"), by: context.caller())
        let usage = channels.usage(of: trunk.id)
        return try json(
            TrunkChannels(trunkId: trunk.id, maxChannels: trunk.maxChannels, inUse: usage.inUse, ringing: usage.ringing, answered: usage.answered),
            context: context
        )
    }

    /// What a batch of events came to.
    struct Received: Encodable {
        var received: Int
        /// Events about a call that holds a channel here.
        var matched: Int
    }

    /// POST /v1/channels/events: lines of `answered CALL-ID` or `ended CALL-ID` (`text/plain`), as the switch sees
    /// its calls answered and ended (or fail). All applied, or none when a line is malformed.
    @Sendable func events(_ request: Request, context: APIContext) async throws -> Response {
        try context.caller().requireSwitchOrOperator()
        var request = request
        let body = try await request.collectBody(context: context)
        var parsed: [(answered: Bool, callID: String)] = []
        var problems: [String] = []
        var number = 0
        for line in body.readableBytesView.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let text = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...], as: UTF8.self)
            guard !text.isEmpty else { continue }
            let parts = text.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, ["answered", "ended"].contains(parts[0]), !parts[1].isEmpty, parts[1].utf8.count <= 1_024,
                !parts[1].contains(" ")
            else {
                problems.append("line \(number): not `answered CALL-ID` or `ended CALL-ID`")
                continue
            }
            parsed.append((parts[0] == "answered", String(parts[1])))
        }
        guard problems.isEmpty else {
            throw Problem.malformedItems(problems, of: parsed.count + problems.count, code: "invalid-events",
                                         title: "Malformed call events", items: "lines", outcome: "none was applied")
        }
        guard !parsed.isEmpty, parsed.count <= Self.maximumPerRequest else {
            throw Problem.badRequest("a request holds 1 to \(Self.maximumPerRequest) events", field: "body")
        }
        var matched = 0
        for event in parsed where event.answered ? channels.answered(event.callID) : channels.ended(event.callID) {
            matched += 1
        }
        return try json(Received(received: parsed.count, matched: matched), context: context)
    }
}
