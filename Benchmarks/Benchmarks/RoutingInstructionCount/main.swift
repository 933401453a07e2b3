import Foundation
import Routing
import RoutingFixtures

/// Routes the benchmarks' calls one after another, without the benchmark harness (its threads and malloc
/// interposer), so that callgrind can count the instructions of routing alone:
///
///     valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*routeCalls*' \
///         .build/release/RoutingInstructionCount outbound 100000
///
/// Instruction counts, unlike times, do not move with the machine's load: divided by the number of calls, they
/// compare two builds of the router to a fraction of a percent.
let arguments = CommandLine.arguments
guard arguments.count == 3, let calls = Int(arguments[2]), calls > 0 else {
    print("usage: RoutingInstructionCount outbound|inbound|emergency CALLS")
    exit(2)
}
let kind = arguments[1]
let snapshot: RoutingSnapshot
let call: (Int) -> CallRequest
switch kind {
case "outbound": (snapshot, call) = (RoutingFixtures.outbound, RoutingFixtures.outboundCall)
case "inbound": (snapshot, call) = (RoutingFixtures.inbound, RoutingFixtures.inboundCall)
case "emergency": (snapshot, call) = (RoutingFixtures.inbound, RoutingFixtures.emergencyCall)
default:
    print("unknown kind '\(kind)': outbound, inbound or emergency")
    exit(2)
}

/// The measured part: every call built, routed and its decision dropped, as in the timed benchmarks.
@inline(never)
func routeCalls(_ count: Int, in snapshot: RoutingSnapshot, call: (Int) -> CallRequest) -> Int {
    var redirected = 0
    for iteration in 0..<count {
        if case .redirect = Router.decide(call(iteration), in: snapshot).outcome { redirected += 1 }
    }
    return redirected
}

// One call first, outside the count, so that the fixtures' dial strings and the runtime's first-use work are done.
_ = Router.decide(call(0), in: snapshot)
print("\(kind): \(routeCalls(calls, in: snapshot, call: call)) of \(calls) calls redirected")
