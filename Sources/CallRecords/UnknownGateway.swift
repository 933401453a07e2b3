extension CallDetailRecord {
    /// The ``gateway`` of a record whose switch did not say where the call went (FreeSWITCH's built-in CSV templates,
    /// an Asterisk call never bridged, a FreeSWITCH leg that was never redirected): stored, never matched to a
    /// carrier, so its cost is unrated.
    public static let unknownGateway = "unknown"
}
