/// Neighbour matching (docs/FORMAT.md §2.4, predictive stripes step 1): before a pixel's values, a
/// symbol m ∈ 0…4 says whether the pixel is a copy of its W (1), N (2), NE (3) or NW (4) neighbour (all
/// planes equal) or new (0), under a context of which neighbours equal each other and of the previous m.
/// Shared by both predictive stripe models (`StripeCoder`, `WeightedStripeCoder`).
struct NeighbourMatcher {
    static let alphabet = 5
    static let contexts = 16 * 3
    private var matches = AdaptiveDistributions(contexts: Self.contexts, alphabet: Self.alphabet)
    private var previousMatch = 0

    /// Codes the match symbol of the pixel at index `i` (column x) of `planes` (planeCount planes of
    /// `planeStride` values, rows of `width`). Returns whether the pixel is a copy; the decoder has then
    /// written it.
    /// - Throws: `ContextCodingError.corruptPayload` for a copy of a neighbour that does not exist.
    @inline(__always)
    mutating func code<S: SymbolStream>(
        _ stream: inout S, planes: UnsafeMutablePointer<Int32>, planeCount: Int, planeStride: Int,
        index i: Int, x: Int, width w: Int, hasN: Bool
    ) throws -> Bool {
        let hasW = x > 0, hasNE = hasN && x < w - 1, hasNW = hasN && x > 0
        let candidates = (i - 1, i - w, i - w + 1, i - w - 1)
        @inline(__always) func same(_ a: Int, _ b: Int) -> Bool {
            for c in 0..<planeCount where planes[c * planeStride + a] != planes[c * planeStride + b] {
                return false
            }
            return true
        }
        var pattern = 0
        if hasW && hasN && same(candidates.0, candidates.1) { pattern |= 1 }
        if hasNE && same(candidates.1, candidates.2) { pattern |= 2 }
        if hasNW && same(candidates.0, candidates.3) { pattern |= 4 }
        if hasNW && same(candidates.1, candidates.3) { pattern |= 8 }
        let context = pattern * 3 + previousMatch
        var m = 0
        if !S.isDecoding {
            if hasW && same(i, candidates.0) {
                m = 1
            } else if hasN && same(i, candidates.1) {
                m = 2
            } else if hasNE && same(i, candidates.2) {
                m = 3
            } else if hasNW && same(i, candidates.3) {
                m = 4
            }
        }
        stream.code(&m, matches, context: context)
        matches.update(context, with: m)
        previousMatch = min(m, 2)
        guard m > 0 else { return false }
        if S.isDecoding {
            let source: Int
            switch m {
            case 1: guard hasW else { throw ContextCodingError.corruptPayload }; source = candidates.0
            case 2: guard hasN else { throw ContextCodingError.corruptPayload }; source = candidates.1
            case 3: guard hasNE else { throw ContextCodingError.corruptPayload }; source = candidates.2
            default: guard hasNW else { throw ContextCodingError.corruptPayload }; source = candidates.3
            }
            for c in 0..<planeCount { planes[c * planeStride + i] = planes[c * planeStride + source] }
        }
        return true
    }
}

/// The causal neighbours of a value of a plane (docs/FORMAT.md §2.4): W = the value at x − 1 if x > 0,
/// else N if the row above exists, else 0; N = the value above if it exists, else W; NW and NE = the
/// values at x ∓ 1 above when they exist, else N.
struct Neighbours {
    let west: Int32, north: Int32, northWest: Int32, northEast: Int32

    /// The neighbours of index `i` (column x, rows of `width`) of `plane`.
    @inline(__always)
    init(_ plane: UnsafeMutablePointer<Int32>, index i: Int, x: Int, width w: Int, hasN: Bool) {
        west = x > 0 ? plane[i - 1] : (hasN ? plane[i - w] : 0)
        north = hasN ? plane[i - w] : west
        northWest = hasN && x > 0 ? plane[i - w - 1] : north
        northEast = hasN && x < w - 1 ? plane[i - w + 1] : north
    }
}
