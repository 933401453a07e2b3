import Guard
import Identity
import Observability
import Rating
import Routing
import SIPServer
import Timekeeping

extension RedirectResponder where Admission == AdmissionPolicies<CallsPerSecondPolicy> {
    /// A responder with the admission chain `tandem serve` runs (the trunks' calls-per-second limits, counted in
    /// `callLimiter`), and what the tests do not set defaulted.
    init(
        clock: WallClock, table: RoutingTable, cacheCapacity: Int = 65_536, serverName: String = "Tandem",
        records: RoutingRecordQueue? = nil, metrics: TandemMetrics? = nil, callLimiter: CallRateLimiter = CallRateLimiter(),
        emergencyLocations: String = "http://127.0.0.1:8080/v1/e911/locations",
        identity: CallerIdentityService = CallerIdentityService(), emergencyCalls: EmergencyCallQueue? = nil,
        unknownSources: UnknownSourceSampler = UnknownSourceSampler(), trustedProxies: TrustedProxies = TrustedProxies(),
        decisions: DecisionToken? = nil
    ) {
        self.init(
            clock: clock, table: table, admission: AdmissionPolicies { CallsPerSecondPolicy(limiter: callLimiter) }, cacheCapacity: cacheCapacity,
            serverName: serverName, records: records, metrics: metrics, emergencyLocations: emergencyLocations,
            identity: identity, emergencyCalls: emergencyCalls, unknownSources: unknownSources, trustedProxies: trustedProxies,
            decisions: decisions
        )
    }
}
