import Dispatch

/// Splits a range of independent work items (output rows or row blocks) into one contiguous chunk per
/// thread. The kernels give every output element a fixed summation order, so the split changes only
/// which thread computes an element, never its value.
enum ParallelLoop {
    /// Runs `body` on disjoint, contiguous sub-ranges covering `0..<count`, on at most `threads` threads.
    /// With one thread (or one item) it runs inline on the caller's thread.
    static func forEachChunk(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let chunks = max(1, min(threads, count))
        if chunks == 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = count * chunk / chunks
            let upper = count * (chunk + 1) / chunks
            if lower < upper { body(lower..<upper) }
        }
    }
}
