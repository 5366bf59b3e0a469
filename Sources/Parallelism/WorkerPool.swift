import Foundation
import Synchronization

/// Persistent helper threads for `ParallelLoop.forEachChunk`, which hand work over faster than
/// `DispatchQueue.concurrentPerform`: a helper that finished a job spins for a short while
/// (`spinIterations`) on the job counter before it sleeps, so the next job of a sequence of short
/// parallel loops (a network's layers on a small coder tile, the per-element phases of a batch) starts on
/// it without a thread wake-up.
///
/// One job at a time: `run` returns false, doing nothing, when another job is in flight (a concurrent
/// caller, or a loop inside a loop's body), and the caller then uses Dispatch.
///
/// Claims keep each thread on the same rows from one loop to the next: the caller takes chunks from the
/// front of the range, the helpers from the back, and they meet where the work divides. A network's
/// successive layers (and a batch's successive phases) thus find most of their inputs in the cache of the
/// core that wrote them, and the two ends of the range are claimed without contending for the same chunk.
///
/// Protocol (invariants): `state` packs the job's generation (high 32 bits), the next unclaimed chunk
/// from the front (16 bits) and the end of the unclaimed chunks from the back (16 bits); the chunks
/// `front..<back` are unclaimed, and a job starts with `front = 0`, `back = chunks`. A thread takes a
/// chunk only by a compare-and-exchange on `state` of the same generation that moves `front` up or
/// `back` down by one while `front < back`, so each chunk is taken exactly once; it reads the job's body
/// only after it took a chunk. The caller publishes a new job only after every chunk of the previous one
/// has finished (`finished`), so a body read under a claimed chunk is always that chunk's job's body.
/// Which thread runs a chunk never changes what the chunk computes.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// Spins a helper makes on the counter before it sleeps (a few tens of microseconds).
    static let spinIterations = 20_000
    /// Spins after which a waiting thread yields its core at each further spin (or, for a helper, every
    /// that many), so that a thread it waits for, descheduled, can run: about a microsecond.
    static let yieldAfterSpins = 1_000
    /// Most helpers; larger requests run on `maxHelpers + 1` threads.
    static let maxHelpers = 63

    private let state = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let inFlight = Atomic<Bool>(false)
    /// Helpers that take part in the current job (those with a smaller index spin on it, the others skip it).
    private let participants = Atomic<Int>(0)
    /// The current job's body and item count: written by the caller before it publishes the job in
    /// `state`, read by a thread only after it claimed one of the job's chunks.
    private var body: ((Range<Int>) -> Void)?
    private var count = 0
    private var chunkCount = 0
    private var helperCount = 0
    private let sleep = NSCondition()

    /// Runs `body` on the chunks of `0..<count` (`chunks` of them, as `ParallelLoop.forEachChunk` cuts
    /// them) on the calling thread and up to `workers − 1` helpers; false (nothing run) if the pool is busy.
    func run(count: Int, chunks: Int, workers: Int, _ body: (Range<Int>) -> Void) -> Bool {
        guard chunks < 1 << 16, inFlight.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else { return false }
        defer { inFlight.store(false, ordering: .releasing) }
        let helpers = min(workers - 1, Self.maxHelpers)
        while helperCount < helpers { startHelper(index: helperCount) }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.count = count
            self.chunkCount = chunks
            finished.store(0, ordering: .relaxed)
            participants.store(helpers, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> 32) &+ 1) & 0xFFFF_FFFF  // wraps within 32 bits
            state.store(generation << 32 | UInt64(chunks), ordering: .releasing)
            sleep.lock()
            sleep.broadcast()
            sleep.unlock()
            work(generation: generation, fromFront: true)
            var spins = 0
            while finished.load(ordering: .acquiring) < chunks {
                // A helper still runs a chunk; past a short spin it may have lost its core to another
                // thread (a loop beside this one, other load): yield the core so that it can finish.
                spins += 1
                if spins >= Self.yieldAfterSpins { sched_yield() }
            }
            self.body = nil
        }
        return true
    }

    /// Takes and runs chunks of job `generation` until none is left: the lowest unclaimed one each time
    /// (`fromFront`, the caller) or the highest (the helpers).
    private func work(generation: UInt64, fromFront: Bool) {
        var current = state.load(ordering: .acquiring)
        while current >> 32 == generation {
            let front = (current >> 16) & 0xFFFF, back = current & 0xFFFF
            if front >= back { return }
            let desired = fromFront ? current + (1 << 16) : current - 1
            let (taken, seen) = state.compareExchange(
                expected: current, desired: desired, ordering: .acquiringAndReleasing)
            if !taken {
                current = seen
                continue
            }
            let chunk = Int(fromFront ? front : back - 1), chunks = chunkCount
            let lower = count * chunk / chunks, upper = count * (chunk + 1) / chunks
            if lower < upper { body!(lower..<upper) }
            finished.add(1, ordering: .releasing)
            current = state.load(ordering: .acquiring)
        }
    }

    /// Starts helper `index`; called before the job it is started for is published, so the generation
    /// it has seen is the one before that job, and it joins the job as soon as it runs.
    private func startHelper(index: Int) {
        helperCount += 1
        let seen = state.load(ordering: .acquiring) >> 32
        // The helper holds its pool: a pool that started helpers lives as long as they do (the whole
        // process), so a helper never reads a freed pool.
        let thread = Thread { self.helperLoop(index: index, seen: seen) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func helperLoop(index: Int, seen initial: UInt64) {
        var seen = initial
        while true {
            var generation = state.load(ordering: .acquiring) >> 32
            var spins = 0
            while generation == seen && spins < Self.spinIterations {
                spins += 1
                if spins % Self.yieldAfterSpins == 0 { sched_yield() }
                generation = state.load(ordering: .acquiring) >> 32
            }
            if generation == seen {
                sleep.lock()
                while state.load(ordering: .acquiring) >> 32 == seen { sleep.wait() }
                sleep.unlock()
                generation = state.load(ordering: .acquiring) >> 32
            }
            seen = generation
            if index < participants.load(ordering: .relaxed) { work(generation: generation, fromFront: false) }
        }
    }
}
