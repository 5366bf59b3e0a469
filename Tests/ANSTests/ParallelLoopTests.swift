import Dispatch
import Foundation
import XCTest
@testable import Parallelism

/// `ParallelLoop.forEachChunk` on `WorkerPool`'s helpers: every item is visited exactly once, loop after
/// loop, inside another loop's body (the pool is busy, so Dispatch runs it) and from concurrent callers.
final class ParallelLoopTests: XCTestCase {
    /// Runs one loop over `count` items on `threads` threads; true when each item was visited once.
    private func visitsEachOnce(count: Int, threads: Int) -> Bool {
        let visits = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, count))
        defer { visits.deallocate() }
        visits.initialize(repeating: 0, count: max(1, count))
        ParallelLoop.forEachChunk(count: count, threads: threads) { range in
            for i in range { visits[i] += 1 }
        }
        return (0..<count).allSatisfy { visits[$0] == 1 }
    }

    func testManyShortLoopsVisitEveryItemOnce() {
        for round in 0..<5000 {
            let count = [1, 2, 7, 16, 17, 100, 4096][round % 7]
            let threads = 1 + round % 4
            XCTAssertTrue(visitsEachOnce(count: count, threads: threads), "count \(count), threads \(threads)")
        }
    }

    func testAFreshPoolsFirstJobRunsOnItsHelper() {
        // A helper started for a job joins that job: chunk 0 (the caller's) waits for another thread to
        // take chunk 1. (A helper that took the job's generation as already seen sat it out: the caller
        // then ran both chunks, after this wait timed out.)
        let pool = WorkerPool()
        let threads = ThreadsSeen()
        XCTAssertTrue(
            pool.run(count: 2, chunks: 2, workers: 2) { range in
                threads.add(Thread.current, chunk: range.lowerBound)
                if range.lowerBound == 0 { threads.wait(forChunks: 2, seconds: 10) }
            })
        XCTAssertEqual(threads.distinctCount, 2)
    }

    func testTheCallerTakesChunksFromTheFrontAndHelpersFromTheBack() {
        let pool = WorkerPool()
        for round in 0..<200 {
            let chunks = 2 + round % 63
            let threads = ThreadsSeen()
            let caller = Thread.current
            XCTAssertTrue(
                pool.run(count: chunks * 3, chunks: chunks, workers: 2) { range in
                    threads.add(Thread.current, chunk: range.lowerBound / 3)
                })
            // The caller's chunks are 0..<k and the helper's k..<chunks, for some k.
            let byCaller = threads.chunks(of: caller)
            XCTAssertEqual(byCaller, Array(0..<byCaller.count), "round \(round)")
            XCTAssertEqual(threads.chunkCount, chunks)
        }
    }

    func testLoopInsideALoopsBody() {
        // The inner loops run on Dispatch (the pool is busy with the outer one), their chunks at once:
        // the counts are added under a lock (a plain `+=` lost updates in one CI run).
        let totals = Totals(count: 64)
        ParallelLoop.forEachChunk(count: 64, threads: 3) { outer in
            for i in outer {
                ParallelLoop.forEachChunk(count: 10, threads: 2) { inner in totals.add(inner.count, at: i) }
            }
        }
        XCTAssertEqual(totals.values, [Int](repeating: 10, count: 64))
    }

    func testConcurrentCallers() {
        let failures = Totals(count: 1)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<300 where !visitsEachOnce(count: 50 + round % 37, threads: 2 + caller % 2) {
                failures.add(1, at: 0)
            }
        }
        XCTAssertEqual(failures.values, [0])
    }
}

/// Counts that any thread may add to.
private final class Totals: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int]

    init(count: Int) { counts = [Int](repeating: 0, count: count) }

    func add(_ value: Int, at index: Int) {
        lock.lock()
        counts[index] += value
        lock.unlock()
    }

    var values: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// Which thread ran which chunk, recorded by any thread.
private final class ThreadsSeen: @unchecked Sendable {
    private let condition = NSCondition()
    private var runs: [(thread: ObjectIdentifier, chunk: Int)] = []

    func add(_ thread: Thread, chunk: Int) {
        condition.lock()
        runs.append((ObjectIdentifier(thread), chunk))
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `count` chunks have started, or `seconds` have passed.
    func wait(forChunks count: Int, seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        while runs.count < count && condition.wait(until: deadline) {}
        condition.unlock()
    }

    var distinctCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return Set(runs.map(\.thread)).count
    }

    var chunkCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return runs.count
    }

    /// The chunks `thread` ran, ascending.
    func chunks(of thread: Thread) -> [Int] {
        condition.lock()
        defer { condition.unlock() }
        return runs.filter { $0.thread == ObjectIdentifier(thread) }.map(\.chunk).sorted()
    }
}
