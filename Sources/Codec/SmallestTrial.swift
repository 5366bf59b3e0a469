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
/// - With `preparingBoundsAside`, the bounds' `prepare` runs on a thread of its own while the unbounded
///   candidates' trials run (only when there are both). The choice is the same either way (a bound's
///   answers do not depend on where it was prepared); an unbounded trial's error still comes first, and a
///   preparation's error is thrown where its bound would first have been asked.
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
    ///   - preparingBoundsAside: whether the bounds' first work overlaps the unbounded trials (it then
    ///     shares the machine's cores with them: worth it where those trials leave a core idle).
    ///   - payloadSize: the payload bytes of an outcome, compared with the bound.
    ///   - size: the bytes of an outcome by which the smallest is chosen.
    ///   - trial: codes with one candidate, reporting its own progress from 0 to 1.
    public static func smallest<Candidate, Outcome>(
        of candidates: [Candidate], progress: CodingProgress? = nil,
        bound: (Candidate) throws -> (any PayloadSizeBound)?, preparingBoundsAside: Bool = false,
        payloadSize: (Outcome) -> Int, size: (Outcome) -> Int,
        trial: (Candidate, CodingProgress?) throws -> Outcome
    ) throws -> Choice<Candidate, Outcome>? {
        let bounds = try candidates.map(bound)
        let unbounded = candidates.indices.filter { bounds[$0] == nil }
        let bounded = candidates.indices.filter { bounds[$0] != nil }
        let preparation = preparingBoundsAside && !unbounded.isEmpty ? Preparation(bounded.map { bounds[$0]! }) : nil
        defer { preparation?.task.wait() }
        var best: (index: Int, outcome: Outcome)?
        var leftOut: [Candidate] = []
        for (position, index) in (unbounded + bounded).enumerated() {
            let candidate = candidates[index]
            let share = progress.map { report in { (f: Double) in report((Double(position) + f) / Double(candidates.count)) } }
            if let bound = bounds[index], let smallest = best.map({ payloadSize($0.outcome) }) {
                try preparation?.finish()
                if try bound.surelyExceeds(smallest) {
                    leftOut.append(candidate)
                    share?(1)
                    continue
                }
            }
            let outcome = try trial(candidate, share)
            if let kept = best {
                let (new, old) = (size(outcome), size(kept.outcome))
                guard new < old || (new == old && index < kept.index) else { continue }
            }
            best = (index, outcome)
        }
        return best.map { Choice(index: $0.index, outcome: $0.outcome, leftOut: leftOut) }
    }

    /// The bounds' `prepare`, in order, on a thread of its own; the first error stops it.
    private final class Preparation: @unchecked Sendable {
        private(set) var task: BackgroundTask!
        private var error: (any Error)?

        init(_ bounds: [any PayloadSizeBound]) {
            task = BackgroundTask { [self] in
                do { for bound in bounds { try bound.prepare() } } catch { self.error = error }
            }
        }

        /// Waits for the preparation and throws its error, if any.
        func finish() throws {
            task.wait()
            if let error { throw error }
        }
    }
}
