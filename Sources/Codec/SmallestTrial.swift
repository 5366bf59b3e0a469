import Foundation
import Parallelism
import PixelCoding

/// The encoder's choice among coders by measured cost (`vdmz compress --coder auto`), for one container
/// (`Archive.compressSmallestReporting`) and for a sharded dataset alike: code with each candidate and
/// keep the smallest result, leaving out, without coding, a candidate whose size bound already exceeds
/// the smallest payload so far.
///
/// Invariants:
/// - Candidates with a size bound (`bound` not nil) are tried after all the others, each group in the
///   candidates' order, so that a smallest payload is known when they come.
/// - A bounded candidate is left out only when its bound `surelyExceeds` the smallest payload so far,
///   which by `PayloadSizeBound`'s contract means its payload would be larger: the kept result is then
///   the one the full trial would keep.
/// - The kept result is the smallest by `size`; among equal sizes the first in the candidates' order
///   (not in the order tried), so reordering the trials never changes which result is kept.
/// - With `worksAside`, while the first unbounded candidate's trial runs, the other unbounded trials and
///   then the bounds' `prepare` run one after another on a thread of their own. The choice is the same
///   either way (each trial and each bound computes the same on any thread), and so are the errors, in
///   the order tried: an aside trial's where it would have run; a failed preparation is dropped, and its
///   bound meets the error again where it is first asked.
/// - `bound` is called for every candidate before any trial: its own errors come first.
/// - Progress runs once from 0 to 1 over all candidates, a left-out one counting as done.
public enum SmallestTrial {
    /// The kept result: the candidate's index among `candidates`, its outcome, and the candidates left
    /// out by their bound (in the order tried).
    public struct Choice<Candidate, Outcome> {
        public let index: Int
        public let outcome: Outcome
        public let leftOut: [Candidate]
    }

    /// Runs `trial` for the candidates as described above and returns the smallest outcome; nil when
    /// `candidates` is empty.
    /// - Parameters:
    ///   - bound: a candidate's size bound, or nil when it has none; asked once per candidate, first.
    ///   - worksAside: whether work overlaps the first trial as described above (it then shares the
    ///     machine's cores with it: worth it where that trial leaves a core idle). An aside trial gets no
    ///     progress handler; its share counts as done when its outcome is taken. When the first trial
    ///     fails, the aside work stops after its current item, and the error is thrown then.
    ///   - payloadSize: the payload bytes of an outcome, compared with the bound.
    ///   - size: the bytes of an outcome by which the smallest is chosen.
    ///   - trial: codes with one candidate, reporting its own progress from 0 to 1.
    public static func smallest<Candidate, Outcome>(
        of candidates: [Candidate], progress: CodingProgress? = nil,
        bound: (Candidate) throws -> (any PayloadSizeBound)?, worksAside: Bool = false,
        payloadSize: (Outcome) -> Int, size: (Outcome) -> Int,
        trial: (Candidate, CodingProgress?) throws -> Outcome
    ) throws -> Choice<Candidate, Outcome>? {
        let bounds = try candidates.map(bound)
        let unbounded = candidates.indices.filter { bounds[$0] == nil }
        let bounded = candidates.indices.filter { bounds[$0] != nil }
        return try withoutActuallyEscaping(trial) { trial in
            // The aside work ends before this returns (`defer`), so `trial` does not outlive the call.
            let aside =
                worksAside && !unbounded.isEmpty && (unbounded.count > 1 || !bounded.isEmpty)
                ? Aside<Outcome>(
                    trials: unbounded.dropFirst().map { index in { try trial(candidates[index], nil) } },
                    bounds: bounded.map { bounds[$0]! }) : nil
            defer {
                aside?.cancel()
                aside?.task.wait()
            }
            var best: (index: Int, outcome: Outcome)?
            var leftOut: [Candidate] = []
            for (position, index) in (unbounded + bounded).enumerated() {
                let candidate = candidates[index]
                let share = progress.map { report in
                    { (f: Double) in report((Double(position) + f) / Double(candidates.count)) }
                }
                if let bound = bounds[index], let smallest = best.map({ payloadSize($0.outcome) }) {
                    aside?.task.wait()
                    if try bound.surelyExceeds(smallest) {
                        leftOut.append(candidate)
                        share?(1)
                        continue
                    }
                }
                let outcome: Outcome
                if let aside, position > 0, position < unbounded.count {
                    outcome = try aside.outcome(position - 1)
                    share?(1)
                } else {
                    outcome = try trial(candidate, share)
                }
                if let kept = best {
                    let (new, old) = (size(outcome), size(kept.outcome))
                    guard new < old || (new == old && index < kept.index) else { continue }
                }
                best = (index, outcome)
            }
            return best.map { Choice(index: $0.index, outcome: $0.outcome, leftOut: leftOut) }
        }
    }

    /// The work of `worksAside`: the trials, then the bounds' `prepare`, in order on a thread of their
    /// own, until an item fails or `cancel()` is called (the item under way finishes). Read only after
    /// `task.wait()`, by when the trials are released (they hold the caller's non-escaping `trial`, which
    /// must not outlive `smallest`).
    private final class Aside<Outcome>: @unchecked Sendable {
        private(set) var task: BackgroundTask!
        private var trials: [() throws -> Outcome]
        /// The aside trials' results so far, under `lock` (signalled as each comes).
        private var outcomes: [Result<Outcome, any Error>] = []
        private let lock = NSCondition()
        private var isCancelled = false

        init(trials: [() throws -> Outcome], bounds: [any PayloadSizeBound]) {
            self.trials = trials
            task = BackgroundTask { [self] in
                defer { self.trials = [] }
                for trial in self.trials {
                    if cancelled { return }
                    let result = Result { try trial() }
                    lock.lock()
                    outcomes.append(result)
                    lock.broadcast()
                    lock.unlock()
                    if case .failure = result { return }
                }
                // A failed preparation is dropped: the bound's `surelyExceeds` meets the error again.
                for bound in bounds {
                    if cancelled { return }
                    do { try bound.prepare() } catch { return }
                }
            }
        }

        /// Stops the aside work after the item under way.
        func cancel() {
            lock.lock()
            isCancelled = true
            lock.unlock()
        }

        private var cancelled: Bool {
            lock.lock()
            defer { lock.unlock() }
            return isCancelled
        }

        /// The outcome of aside trial `index`, or its error: waits for that trial only (the bounds'
        /// preparation may go on), so progress moves on while it does. Asked only in order, and only
        /// after every earlier aside trial succeeded, so the trial runs unless `cancel()` was called.
        func outcome(_ index: Int) throws -> Outcome {
            lock.lock()
            defer { lock.unlock() }
            while outcomes.count <= index { lock.wait() }
            return try outcomes[index].get()
        }
    }
}
