/// The context model of the classical coder over one stripe of rows (docs/FORMAT.md §2.4), written once
/// for both sides (`SymbolStream`). The stripe's planes (from `ColourTransform`) are held as Int32 with
/// one extra row on top: the row above the stripe when there is one (already known to the decoder).
///
/// Per pixel, in raster order: with neighbour matching, first a symbol m ∈ 0…4 — 0 a new pixel, m ≥ 1
/// the pixel is a copy of the m-th of (W, N, NE, NW) — under a context of which neighbours equal each
/// other and what the previous pixel was. Otherwise per plane: the MED (LOCO-I) or a smooth prediction,
/// whichever erred less at W, N and NE, plus a learned bias (JPEG-LS/CALIC bias cancellation); the
/// zigzagged residual is split into a token (0…15 themselves, larger values by exponent and top
/// mantissa bit) and raw low bits; the token's context is the plane, the local activity (gradients and
/// the neighbours' errors, 16 buckets) and the previous plane's token of the same pixel (4 buckets).
struct StripeCoder {
    static let activityBuckets = 16
    static let crossBuckets = 4
    /// Upper bounds (exclusive) of the activity buckets 0…14; bucket 15 holds the rest.
    static let activityBounds: [Int32] = [1, 2, 3, 4, 6, 8, 11, 15, 20, 26, 34, 44, 60, 80, 110]

    let width: Int
    let rows: Int
    /// Whether the row above the stripe exists (stored as row 0 of the planes).
    let hasRowAbove: Bool
    let mode: StripeMode

    /// Codes (encoder) or decodes (decoder) the stripe's pixels in `planes` (planeCount × (rows + 1) × width).
    /// - Throws: `ContextCodingError.corruptPayload` when the decoder meets values no encoder writes.
    /// With `copies` (mode bit 6), the copy layer codes its part of every pixel first.
    func run<S: SymbolStream>(_ stream: inout S, planes: UnsafeMutablePointer<Int32>, copies: CopyCoder? = nil) throws {
        var copies = copies
        let w = width
        let planeCount = mode.transform.planeCount
        let planeStride = (rows + 1) * w
        var tokens = AdaptiveDistributions(
            contexts: 3 * Self.activityBuckets * Self.crossBuckets, alphabet: ResidualToken.alphabet)
        var matcher = NeighbourMatcher()
        var bucketOf = [Int](repeating: Self.activityBuckets - 1, count: 128)
        for a in 0..<128 { bucketOf[a] = Self.activityBounds.firstIndex { Int32(a) < $0 } ?? Self.activityBuckets - 1 }
        let ranges = (0..<3).map { mode.transform.range(ofPlane: min($0, planeCount - 1)) }
        let lows = ranges.map(\.lowerBound), highs = ranges.map(\.upperBound)
        let matching = mode.matchesNeighbours
        let cancelsBias = mode.cancelsBias
        // Bias cancellation (JPEG-LS, CALIC): per bias context the sum and count of the MED errors; the
        // prediction is corrected by their quotient (truncated towards zero). Counts halve at 256.
        var bias = BiasStatistics(contexts: 3 * Self.activityBuckets * 16)
        // |prediction error| of every coded value (row 0, above the stripe: 0), a context of its neighbours.
        var errors = [Int32](repeating: 0, count: planeCount * planeStride)
        // Per predictor (MED, smooth) its |error| at every coded value: each pixel uses the predictor that
        // did better on W, N and NE.
        var predictorErrors = [Int32](repeating: 0, count: 2 * planeCount * planeStride)
        try predictorErrors.withUnsafeMutableBufferPointer { predictorErrors in
            try errors.withUnsafeMutableBufferPointer { errors in
                try bucketOf.withUnsafeBufferPointer { bucketOf in
                    for r in 0..<rows {
                        let hasN = r > 0 || hasRowAbove
                        for x in 0..<w {
                            let i = (r + 1) * w + x
                            stream.markPixel()
                            if copies != nil,
                                try copies!.code(
                                    &stream, planes: planes, planeCount: planeCount, planeStride: planeStride, index: i,
                                    pixel: r * w + x, x: x)
                            {
                                continue
                            }
                            if matching,
                                try matcher.code(
                                    &stream, planes: planes, planeCount: planeCount, planeStride: planeStride, index: i, x: x,
                                    width: w, hasN: hasN)
                            {
                                continue
                            }
                            var previousToken = 0
                            for c in 0..<planeCount {
                                let p = planes + c * planeStride
                                let n = Neighbours(p, index: i, x: x, width: w, hasN: hasN)
                                let (west, north, northWest, northEast) = (n.west, n.north, n.northWest, n.northEast)
                                let medPrediction: Int32
                                if northWest >= max(west, north) {
                                    medPrediction = min(west, north)
                                } else if northWest <= min(west, north) {
                                    medPrediction = max(west, north)
                                } else {
                                    medPrediction = west + north - northWest
                                }
                                let smooth = min(max((2 * (west + north) + northEast - northWest + 2) >> 2, lows[c]), highs[c])
                                let q1 = predictorErrors.baseAddress! + (2 * c) * planeStride
                                let q2 = q1 + planeStride
                                let cost1 = (x > 0 ? q1[i - 1] : 0) + q1[i - w] + (x < w - 1 ? q1[i - w + 1] : 0)
                                let cost2 = (x > 0 ? q2[i - 1] : 0) + q2[i - w] + (x < w - 1 ? q2[i - w + 1] : 0)
                                let med = cost2 < cost1 ? smooth : medPrediction
                                let e = errors.baseAddress! + c * planeStride
                                let errorWest = x > 0 ? e[i - 1] : 0, errorNorth = e[i - w]
                                let errorNE = x < w - 1 ? e[i - w + 1] : 0
                                let activity =
                                    abs(north - northWest) + abs(west - northWest) + abs(northEast - north)
                                    + errorWest + (errorNorth + errorNE) / 2
                                let pattern =
                                    (west > med ? 1 : 0) | (north > med ? 2 : 0) | (northWest > med ? 4 : 0)
                                    | (northEast > med ? 8 : 0)
                                let biasContext = (c * Self.activityBuckets + bucketOf[Int(min(activity, 127))]) * 16 + pattern
                                let correction = cancelsBias ? bias.correction(biasContext) : 0
                                let prediction = min(max(med + correction, lows[c]), highs[c])
                                let cross =
                                    c == 0 ? 0 : (previousToken == 0 ? 0 : previousToken <= 2 ? 1 : previousToken <= 6 ? 2 : 3)
                                let context =
                                    (c * Self.activityBuckets + bucketOf[Int(min(activity, 127))]) * Self.crossBuckets + cross
                                var (token, extra) = S.isDecoding ? (0, 0) : ResidualToken.split(residual: Int(p[i] - prediction))
                                stream.code(&token, tokens, context: context)
                                tokens.update(context, with: token)
                                try ResidualToken.finish(
                                    &stream, token: token, extra: &extra, prediction: prediction, at: p + i, low: lows[c],
                                    high: highs[c])
                                previousToken = token
                                bias.record(biasContext, error: p[i] - med)
                                e[i] = abs(p[i] - prediction)
                                q1[i] = abs(p[i] - medPrediction)
                                q2[i] = abs(p[i] - smooth)
                            }
                        }
                    }
                }
            }

        }
    }
}
