import Dispatch
import Platform
import Testing

/// The limit on concurrent PIN hashing (and any work like it), with real threads; every wait is bounded.
@Suite("Expensive work", .timeLimit(.minutes(1)))
struct ExpensiveWorkTests {
    @Test("one runs at a time, a few wait their turn, and past the queue a caller is refused busy at once")
    func boundedQueue() async throws {
        let work = ExpensiveWork(concurrency: 1, queue: 2)
        let gate = DispatchSemaphore(value: 0)
        let started = AsyncStream<Int>.makeStream()
        // The first holds the only turn until the gate opens; two more queue behind it.
        let running = (0..<3).map { index in
            Task {
                try await work.run {
                    started.continuation.yield(index)
                    gate.wait()
                    return index
                }
            }
        }
        var starts = started.stream.makeAsyncIterator()
        let first = try #require(await starts.next())
        while work.queued < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let refused = await #expect(throws: ServiceError.self) { try await work.run { 99 } }
        #expect(refused?.code == .busy)
        for _ in 0..<3 { gate.signal() }
        var finished: [Int] = []
        for task in running { finished.append(try await task.value) }
        #expect(finished == [0, 1, 2])
        #expect((0..<3).contains(first))
        // With the queue empty again, work runs at once.
        #expect(try await work.run { 7 } == 7)
    }
}
