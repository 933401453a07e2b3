import Foundation

/// One call as the reference SBC's CDR file has it (`Interop/kamailio/sbc.cfg`: Kamailio's acc module with
/// db_flatstore, table `cdrs`; docs/sbc.md lists the columns): `|`-separated, Unix times.
public struct KamailioCDR: Sendable, Hashable {
    /// When the call was confirmed (the caller's ACK), whole seconds: billing starts here.
    public var startedAt: Int64
    /// When the BYE came, whole seconds.
    public var endedAt: Int64
    /// From confirmation to the BYE, to the microsecond.
    public var duration: Double
    public var callID: String
    /// When the INVITE and the answer reached the SBC, to the microsecond.
    public var setupAt: Double
    public var answeredAt: Double
    /// The address the call came from.
    public var source: String
    public var caller: String
    public var dialed: String
    /// The Contact that answered: a SIP URI from Tandem's 302.
    public var gateway: String
    /// Tandem's `X-Tandem-Decision`, when the 302 carried one.
    public var decision: String?

    /// The columns, in order.
    public static let columns = [
        "start_time", "end_time", "duration", "callid", "setup_time", "answer_time", "src_ip", "caller", "dialed", "gateway",
        "decision",
    ]

    /// Seconds a call is billed from: its duration, a started second counting whole (0.2 s → 1 s, 0 s → 0).
    public var billableSeconds: Int64 {
        Int64(duration.rounded(.up))
    }

    /// Parses one line of the file (without its line end). db_flatstore writes a `|` inside a value as `%7C`.
    public init(line: Substring) throws(CDRLineError) {
        guard line.utf8.count <= 8_192 else { throw CDRLineError("the line is longer than 8192 bytes") }
        let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.replacingOccurrences(of: "%7C", with: "|") }
        guard fields.count == Self.columns.count else {
            throw CDRLineError("\(fields.count) columns, not \(Self.columns.count) (\(Self.columns.joined(separator: "|")))")
        }
        func seconds(_ index: Int) throws(CDRLineError) -> Int64 {
            guard let value = Int64(fields[index]), value > 0 else { throw CDRLineError("\(Self.columns[index]) is not a Unix time") }
            return value
        }
        func exact(_ index: Int) throws(CDRLineError) -> Double {
            guard let value = Double(fields[index]), value.isFinite, value >= 0 else {
                throw CDRLineError("\(Self.columns[index]) is not a number of seconds")
            }
            return value
        }
        startedAt = try seconds(0)
        endedAt = try seconds(1)
        guard endedAt >= startedAt else { throw CDRLineError("end_time is before start_time") }
        duration = try exact(2)
        guard duration <= 30 * 86_400 else { throw CDRLineError("duration is more than 30 days") }
        callID = fields[3]
        guard !callID.isEmpty else { throw CDRLineError("callid is empty") }
        setupAt = try exact(4)
        answeredAt = try exact(5)
        guard setupAt <= answeredAt else { throw CDRLineError("answer_time is before setup_time") }
        (source, caller, dialed, gateway) = (fields[6], fields[7], fields[8], fields[9])
        guard !gateway.isEmpty else { throw CDRLineError("gateway is empty") }
        decision = fields[10].isEmpty ? nil : fields[10]
    }
}

/// Why a line of a CDR file was not read: a phrase naming the column at fault.
public struct CDRLineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
