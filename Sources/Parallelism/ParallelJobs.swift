import Dispatch
import Foundation

/// Independent jobs on a few worker threads: the shards of a dataset archive (`ShardedArchive`), the
/// chains of a payload (`BitsBackCoder`).
public enum ParallelJobs {
    /// Runs `count` jobs on `min(threads, count)` worker threads, each with its own job function made
    /// by `makeWorker` (given the threads left for each job); results in job order. Jobs are handed out
    /// in order. The first error stops the workers from taking more jobs and is rethrown.
    /// - Parameter progress: called with the fraction of jobs done after each one (one call at a time).
    public static func run<Result>(
        count: Int, threads: Int, progress: ((Double) -> Void)? = nil,
        makeWorker: (Int) throws -> (Int) throws -> Result
    ) throws -> [Result] {
        let workers = max(1, min(threads, count))
        let inner = max(1, threads / workers)
        let state = JobState<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let job: (Int) throws -> Result
            do {
                job = try makeWorker(inner)
            } catch {
                state.fail(error)
                return
            }
            while let next = state.next() {
                do {
                    let result = try job(next)
                    state.finish(next, result, progress: progress)
                } catch {
                    state.fail(error)
                    return
                }
            }
        }
        return try state.results()
    }
}

/// Jobs handed out in order to worker threads, their results, and the first error.
private final class JobState<Result>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var taken = 0
    private var done = 0
    private var slots: [Result?]
    private var error: Error?

    init(count: Int) {
        self.count = count
        slots = Array(repeating: nil, count: count)
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard error == nil, taken < count else { return nil }
        taken += 1
        return taken - 1
    }

    /// Stores a result and reports progress (under the lock: one report at a time).
    func finish(_ job: Int, _ result: Result, progress: ((Double) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        slots[job] = result
        done += 1
        progress?(Double(done) / Double(count))
    }

    func fail(_ error: Error) {
        lock.lock()
        defer { lock.unlock() }
        if self.error == nil { self.error = error }
    }

    func results() throws -> [Result] {
        if let error { throw error }
        return slots.map { $0! }
    }
}
