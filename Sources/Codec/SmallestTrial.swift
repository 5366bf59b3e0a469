import PixelCoding

/// The encoder's choice among coders by measured cost (`vdmz compress --coder auto`), for one container
/// (`Archive.compressSmallestReporting`) and for a sharded dataset alike: code with each candidate and
/// keep the smallest result, leaving out, without coding, a candidate whose size bound already exceeds
/// the smallest payload so far.
///
/// Invariants:
/// - Candidates that can bound their size (`isBounded`) are tried after all the others, each group in
///   the candidates' order, so that a smallest payload is known when they come.
/// - A bounded candidate is left out only when `surelyExceeds(candidate, smallestPayload)` says so,
///   which by `PayloadSizeBounding`'s contract means its payload would be larger: the kept result is then
///   the one the full trial would keep.
/// - The kept result is the smallest by `size`; among equal sizes the first in the candidates' order
///   (not in the order tried), so reordering the trials never changes which result is kept.
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
    ///   - isBounded: whether a candidate can bound its size (and so is tried last).
    ///   - surelyExceeds: for a bounded candidate, whether its payload surely exceeds the given size.
    ///   - payloadSize: the payload bytes of an outcome, compared with the bound.
    ///   - size: the bytes of an outcome by which the smallest is chosen.
    ///   - trial: codes with one candidate, reporting its own progress from 0 to 1.
    public static func smallest<Candidate, Outcome>(
        of candidates: [Candidate], progress: CodingProgress? = nil,
        isBounded: (Candidate) -> Bool,
        surelyExceeds: (Candidate, _ smallestPayload: Int) throws -> Bool,
        payloadSize: (Outcome) -> Int, size: (Outcome) -> Int,
        trial: (Candidate, CodingProgress?) throws -> Outcome
    ) throws -> Choice<Candidate, Outcome>? {
        let order =
            candidates.indices.filter { !isBounded(candidates[$0]) } + candidates.indices.filter { isBounded(candidates[$0]) }
        var best: (index: Int, outcome: Outcome)?
        var leftOut: [Candidate] = []
        for (position, index) in order.enumerated() {
            let candidate = candidates[index]
            let share = progress.map { report in { (f: Double) in report((Double(position) + f) / Double(order.count)) } }
            if isBounded(candidate), let smallest = best.map({ payloadSize($0.outcome) }),
                try surelyExceeds(candidate, smallest)
            {
                leftOut.append(candidate)
                share?(1)
                continue
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
}
