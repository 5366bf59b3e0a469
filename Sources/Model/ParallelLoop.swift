import Dispatch
import Foundation

/// Splits a range of independent work items (output rows or row blocks) over at most `threads` threads.
/// The range is cut into contiguous chunks (about 8 per thread) that the threads take in turn from a
/// shared counter, so a thread slowed by other load on the machine does not hold the others up.
/// The kernels give every output element a fixed summation order, so which thread computes an element
/// never changes its value.
enum ParallelLoop {
    /// Runs `body` on disjoint, contiguous sub-ranges covering `0..<count`, on at most `threads` threads.
    /// With one thread (or one item) it runs inline on the caller's thread.
    static func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = min(count, workers * 8)
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
