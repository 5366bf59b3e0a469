import Dispatch
import Foundation

/// Splits a range of independent work items (output rows or row blocks, or the elements of an entropy-coding batch) over at most `threads` threads.
/// The range is cut into contiguous chunks (about 32 per thread) that the threads claim one at a time
/// (on `WorkerPool`, the caller from the front and the helpers from the back, so that a thread keeps
/// its rows from one loop to the next), so a thread slowed by other load on the machine does not hold
/// the others up, and the last chunk of a loop, which the others wait for, is short. (8 per thread left the caller waiting for
/// about 2 % of a 256 × 256 crop's CPU at 2 threads, most of it in the many short loops of small coder
/// tiles; with 32, the crop's two-thread compress took a median 5.99 s instead of 6.20 s over 8 interleaved
/// runs: docs/bench/2026-12-01-streams/chunks-ab.txt.) The threads are the caller and the helpers of
/// `WorkerPool` (or, while the pool runs another loop, Dispatch's).
/// The kernels give every output element a fixed summation order, so which thread computes an element
/// never changes its value.
public enum ParallelLoop {
    /// Runs `body` on disjoint, contiguous sub-ranges covering `0..<count`, on at most `threads` threads.
    /// With one thread (or one item) it runs inline on the caller's thread.
    public static func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = min(count, workers * 32)
        if WorkerPool.shared.run(count: count, chunks: chunks, workers: workers, body) { return }
        let counter = ChunkCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let chunk = counter.next()
                guard chunk < chunks else { return }
                let lower = count * chunk / chunks
                let upper = count * (chunk + 1) / chunks
                if lower < upper { body(lower..<upper) }
            }
        }
    }
}

extension ParallelLoop {
    /// `[transform(0), …, transform(count − 1)]`, computed on at most `threads` threads when `count` is at
    /// least `minimumCount` (else on the caller's thread). Each element is computed by the same call
    /// whichever thread runs it, so the result does not depend on `threads`.
    @inlinable
    public static func map<T>(count: Int, threads: Int, minimumCount: Int = 2048, _ transform: (Int) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress {
                forEachChunk(count: count, threads: count < minimumCount ? 1 : threads) { range in
                    for i in range { (base + i).initialize(to: transform(i)) }
                }
            }
            initialized = count
        }
    }

    /// Whether `predicate` holds on every chunk of `0..<count` (chunks as in `forEachChunk`); every chunk
    /// is checked, in no particular order.
    public static func allSatisfy(count: Int, threads: Int, _ predicate: (Range<Int>) -> Bool) -> Bool {
        let failed = Flag()
        forEachChunk(count: count, threads: threads) { range in
            if !predicate(range) { failed.set() }
        }
        return !failed.isSet
    }
}

/// A lock-protected flag that any worker may raise.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func set() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }
}

/// A lock-protected counter handing out chunk numbers 0, 1, 2, … to the workers.
private final class ChunkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}
