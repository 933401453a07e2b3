/// mod_json_cdr's `variables`, each value decoded as it is read: URL-encoded, unless the document shows
/// `encode-values` false. Which it is shows in `start_stamp`, always set and always holding a space and colons
/// (`2026-12-08 14:07:21`) that FreeSWITCH's URL encoding (`switch_url_encode`) turns into `%20` and `%3A`.
struct FreeSWITCHVariables {
    let values: [String: String]
    let encoded: Bool

    init(_ values: [String: String]) {
        self.values = values
        encoded = !(values["start_stamp"].map { $0.contains(" ") || $0.contains(":") } ?? false)
    }

    /// The variable `name`, decoded; `nil` when absent or empty.
    subscript(name: String) -> String? {
        get throws(CDRLineError) {
            try decoded(name, values[name])
        }
    }

    /// The first of `names` that is set, decoded.
    func first(_ names: String...) throws(CDRLineError) -> String? {
        for name in names {
            if let value = try self[name] { return value }
        }
        return nil
    }

    /// The first variable whose name is `lowercased` in any case: mod_sofia names `sip_rh_` variables after the
    /// header as it was spelled on the wire.
    func named(caseInsensitively lowercased: String) throws(CDRLineError) -> String? {
        guard let (name, value) = values.first(where: { $0.key.lowercased() == lowercased }) else { return nil }
        return try decoded(name, value)
    }

    private func decoded(_ name: String, _ value: String?) throws(CDRLineError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard encoded else { return try checked(name, value) }
        guard let bytes = PercentDecoding.decode(value.utf8, plusIsSpace: false) else {
            throw CDRLineError("variables.\(name) is not URL-encoded (encode-values is true by default)")
        }
        return try checked(name, String(decoding: bytes, as: UTF8.self))
    }

    private func checked(_ name: String, _ value: String) throws(CDRLineError) -> String? {
        guard !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw CDRLineError("variables.\(name) holds a control character")
        }
        return value.isEmpty ? nil : value
    }

    /// `<base>_uepoch`, else `<base>_epoch` in microseconds, before the year 10000. A `required` time must be set and
    /// after 1970; one that is not is `0` (FreeSWITCH's unset time) when absent.
    func microseconds(_ base: String, required: Bool) throws(CDRLineError) -> Int64 {
        for (name, scale) in [("\(base)_uepoch", Int64(1)), ("\(base)_epoch", 1_000_000)] {
            guard let text = try self[name] else { continue }
            guard let value = Int64(text), value >= (required ? 1 : 0), value < 253_402_300_800_000_000 / scale else {
                throw CDRLineError("variables.\(name) is not a Unix time")
            }
            return value * scale
        }
        guard !required else { throw CDRLineError("variables.\(base)_uepoch is missing") }
        return 0
    }

    /// The SIP status of a leg nobody answered.
    func failureStatus() throws(CDRLineError) -> Int {
        for name in ["sip_term_status", "sip_invite_failure_status"] {
            guard let text = try self[name] else { continue }
            guard let status = Int(text), (300...699).contains(status) else {
                throw CDRLineError("variables.\(name) \(text) is not the final status of a call nobody answered")
            }
            return status
        }
        guard let cause = try self["hangup_cause"] else {
            throw CDRLineError("variables.hangup_cause is missing, and no sip_term_status says how the call ended")
        }
        guard let status = FreeSWITCHHangupCause.sipStatus(cause) else {
            throw CDRLineError("variables.hangup_cause \(cause) is not a FreeSWITCH cause")
        }
        return status
    }
}
