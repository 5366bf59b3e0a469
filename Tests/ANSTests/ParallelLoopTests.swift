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

    func testLoopInsideALoopsBody() {
        let total = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { total.deallocate() }
        total.initialize(repeating: 0, count: 64)
        ParallelLoop.forEachChunk(count: 64, threads: 3) { outer in
            for i in outer {
                ParallelLoop.forEachChunk(count: 10, threads: 2) { inner in total[i] += inner.count }
            }
        }
        XCTAssertTrue((0..<64).allSatisfy { total[$0] == 10 })
    }

    func testConcurrentCallers() {
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<300 where !visitsEachOnce(count: 50 + round % 37, threads: 2 + caller % 2) {
                failures.add()
            }
        }
        XCTAssertEqual(failures.count, 0)
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() {
        lock.lock()
        value += 1
        lock.unlock()
    }
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
