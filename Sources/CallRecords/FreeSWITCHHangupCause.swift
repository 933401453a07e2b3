/// The SIP status of a FreeSWITCH leg nobody answered, from its `hangup_cause` when the record has no SIP status of its
/// own (`sip_term_status`): the table mod_sofia answers a refused INVITE with (`hangup_cause_to_sip` in mod_sofia.c,
/// "map QSIG cause codes to SIP from RFC 4497 section 8.4.1"), so that a record reads as the caller saw it. A cause the
/// table does not name is 480, as mod_sofia answers it.
public enum FreeSWITCHHangupCause {
    /// The status for `cause` (a name as FreeSWITCH prints it, `USER_BUSY`), or `nil` for text that is no cause name
    /// (not upper-case letters, digits and underscores).
    public static func sipStatus(_ cause: String) -> Int? {
        let isNameByte = { (byte: UInt8) in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
        guard !cause.isEmpty, cause.utf8.allSatisfy(isNameByte) else { return nil }
        return statuses[cause] ?? 480
    }

    /// mod_sofia's table, cause by cause.
    static let statuses: [String: Int] = [
        "UNALLOCATED_NUMBER": 404, "NO_ROUTE_TRANSIT_NET": 404, "NO_ROUTE_DESTINATION": 404,
        "USER_BUSY": 486,
        "NO_USER_RESPONSE": 408,
        "NO_ANSWER": 480, "SUBSCRIBER_ABSENT": 480, "NORMAL_UNSPECIFIED": 480,
        "CALL_REJECTED": 603,
        "NUMBER_CHANGED": 410, "REDIRECTION_TO_NEW_DESTINATION": 410,
        "DESTINATION_OUT_OF_ORDER": 502, "INVALID_PROFILE": 502,
        "INVALID_NUMBER_FORMAT": 484, "INVALID_URL": 484, "INVALID_GATEWAY": 484,
        "FACILITY_REJECTED": 501, "FACILITY_NOT_IMPLEMENTED": 501, "SERVICE_NOT_IMPLEMENTED": 501,
        "REQUESTED_CHAN_UNAVAIL": 503, "NORMAL_CIRCUIT_CONGESTION": 503, "NETWORK_OUT_OF_ORDER": 503,
        "NORMAL_TEMPORARY_FAILURE": 503, "SWITCH_CONGESTION": 503, "GATEWAY_DOWN": 503,
        "BEARERCAPABILITY_NOTAVAIL": 503,
        "OUTGOING_CALL_BARRED": 403, "INCOMING_CALL_BARRED": 403, "BEARERCAPABILITY_NOTAUTH": 403,
        "BEARERCAPABILITY_NOTIMPL": 488, "INCOMPATIBLE_DESTINATION": 488,
        "RECOVERY_ON_TIMER_EXPIRE": 504,
        "ORIGINATOR_CANCEL": 487,
        "EXCHANGE_ROUTING_ERROR": 483,
    ]
}
