/// The context model of payload version 2's weighted stripes (docs/FORMAT.md §2.4, mode bit 5), written
/// once for both sides (`SymbolStream`). Planes as in `StripeCoder`: Int32, one extra row on top.
///
/// Per pixel, in raster order: with neighbour matching, first the match symbol (`NeighbourMatcher`).
/// Otherwise per plane: JPEG XL's self-correcting weighted predictor (`WeightedPredictor`) plus a learned
/// bias (JPEG-LS/CALIC bias cancellation); the zigzagged residual becomes a token and raw bits as in
/// `StripeCoder`, and the token is coded under the mixture (`AdaptiveDistributions`) of two adaptive
/// models: one whose context is the local activity (gradients and the predictor's neighbour errors, 29
/// buckets), the previous plane's token (4 buckets) and the sign of the largest neighbour error (3); one
/// whose context is a second activity (|W − N| + |N − NE| + |W − WW|) and the previous plane's token (16).
struct WeightedStripeCoder {
    static let buckets = 32
    /// Upper bounds (exclusive) of the activity buckets 0…27; bucket 28 holds the rest.
    static let bounds: [Int32] = [
        1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 27, 33, 40, 48, 58, 70, 85, 105, 130, 160, 200, 250, 320, 400, 520, 700,
    ]

    let width: Int
    let rows: Int
    /// Whether the row above the stripe exists (stored as row 0 of the planes).
    let hasRowAbove: Bool
    let mode: StripeMode

    @inline(__always)
    private static func bucket(_ a: Int32, _ bounds: UnsafeBufferPointer<Int32>) -> Int {
        var b = 0
        while b < bounds.count && a >= bounds[b] { b &+= 1 }
        return b
    }

    /// Codes (encoder) or decodes (decoder) the stripe's pixels in `planes` (planeCount × (rows + 1) × width).
    /// - Throws: `ContextCodingError.corruptPayload` when the decoder meets values no encoder writes.
    /// With `copies` (mode bit 6), the copy layer codes its part of every pixel first.
    func run<S: SymbolStream>(_ stream: inout S, planes: UnsafeMutablePointer<Int32>, copies: CopyCoder? = nil) throws {
        var copies = copies
        let w = width
        let planeCount = mode.transform.planeCount
        let planeStride = (rows + 1) * w
        let buckets = Self.buckets
        var tokens = AdaptiveDistributions(contexts: 3 * buckets * 4 * 3, alphabet: ResidualToken.alphabet, slowsDown: true)
        var tokens2 = AdaptiveDistributions(contexts: 3 * buckets * 16, alphabet: ResidualToken.alphabet, slowsDown: true)
        var matcher = NeighbourMatcher()
        var predictors = (0..<planeCount).map { _ in WeightedPredictor(width: w) }
        let ranges = (0..<3).map { mode.transform.range(ofPlane: min($0, planeCount - 1)) }
        let lows = ranges.map(\.lowerBound), highs = ranges.map(\.upperBound)
        var bias = BiasStatistics(contexts: 3 * buckets * 16)
        try Self.bounds.withUnsafeBufferPointer { bounds in
            for r in 0..<rows {
                let hasN = r > 0 || hasRowAbove
                for x in 0..<w {
                    let i = (r + 1) * w + x
                    stream.markPixel()
                    let copied =
                        try copies?.code(
                            &stream, planes: planes, planeCount: planeCount, planeStride: planeStride, index: i,
                            pixel: r * w + x, x: x) == true
                        || mode.matchesNeighbours
                            && matcher.code(
                                &stream, planes: planes, planeCount: planeCount, planeStride: planeStride, index: i, x: x,
                                width: w, hasN: hasN)
                    var previousToken = 0
                    for c in 0..<planeCount {
                        let p = planes + c * planeStride
                        let n = Neighbours(p, index: i, x: x, width: w, hasN: hasN)
                        let (west, north, northWest, northEast) = (n.west, n.north, n.northWest, n.northEast)
                        let westWest: Int32 = x > 1 ? p[i - 2] : west
                        let weighted = predictors[c].predict(
                            row: r, x: x, west: west, north: north, northWest: northWest, northEast: northEast)
                        let base = Int32(min(max((weighted + 3) >> 3, Int64(lows[c])), Int64(highs[c])))
                        let (teW, teN, teNW, teNE) = predictors[c].neighbourErrors
                        var largest = teW
                        if abs(teN) > abs(largest) { largest = teN }
                        if abs(teNW) > abs(largest) { largest = teNW }
                        if abs(teNE) > abs(largest) { largest = teNE }
                        let errorSum = Int32((abs(teW) + abs(teN) + abs(teNE) + abs(teNW)) >> 3)
                        let activity = abs(north - northWest) + abs(west - northWest) + abs(northEast - north) + errorSum
                        let b = Self.bucket(activity, bounds)
                        let pattern =
                            (west > base ? 1 : 0) | (north > base ? 2 : 0) | (northWest > base ? 4 : 0)
                            | (northEast > base ? 8 : 0)
                        let biasContext = (c * buckets + b) * 16 + pattern
                        let prediction = min(max(base + bias.correction(biasContext), lows[c]), highs[c])
                        var token = 0
                        if !copied {
                            let sign = largest > 8 ? 2 : largest < -8 ? 1 : 0
                            let cross =
                                c == 0 ? 0 : (previousToken == 0 ? 0 : previousToken <= 2 ? 1 : previousToken <= 6 ? 2 : 3)
                            let context = ((c * buckets + b) * 4 + cross) * 3 + sign
                            let activity2 = abs(west - north) + abs(north - northEast) + abs(west - westWest)
                            let context2 = (c * buckets + Self.bucket(activity2, bounds)) * 16 + min(previousToken, 15)
                            var extra = 0
                            if !S.isDecoding { (token, extra) = ResidualToken.split(residual: Int(p[i] - prediction)) }
                            stream.code(&token, tokens, context: context, mixedWith: tokens2, in: context2)
                            tokens.update(context, with: token)
                            tokens2.update(context2, with: token)
                            try ResidualToken.finish(
                                &stream, token: token, extra: &extra, prediction: prediction, at: p + i, low: lows[c],
                                high: highs[c])
                        }
                        previousToken = token
                        predictors[c].update(row: r, x: x, value: p[i])
                        bias.record(biasContext, error: p[i] - base)
                    }
                }
            }
        }
    }
}
