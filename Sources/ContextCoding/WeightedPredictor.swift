/// The self-correcting weighted predictor of JPEG XL's modular mode (ISO/IEC 18181-1 H.5, libjxl's
/// `weighted` predictor with its default header), over one plane of a stripe: four sub-predictors whose
/// weights follow their recent errors, in fixed point with 3 extra bits. Integer arithmetic only.
///
/// Invariants: the state holds two rows (`width + 2` entries each) of the four sub-predictors' |errors|
/// (each also accumulating the error of the pixel to its lower left, so reading N gives err(N) + err(W))
/// and of the final prediction's signed error; both read 0 for the row above a stripe and for x out of range.
struct WeightedPredictor {
    private let width: Int
    private var subErrors: [Int32]
    private var trueErrors: [Int32]
    /// The sub-predictions and the prediction (both × 8) of the last `predict` call.
    private var sub: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
    private var prediction8: Int64 = 0
    private static let maxWeights: (UInt32, UInt32, UInt32, UInt32) = (13, 12, 12, 12)
    static let divisions: [UInt32] = (0..<64).map { UInt32((1 << 24) / ($0 + 1)) }

    init(width: Int) {
        self.width = width
        subErrors = [Int32](repeating: 0, count: 4 * 2 * (width + 2))
        trueErrors = [Int32](repeating: 0, count: 2 * (width + 2))
    }

    /// Neighbour errors of the last prediction (× 8): W, N, NW, NE.
    private(set) var neighbourErrors: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)

    @inline(__always)
    private static func weight(_ sum: UInt64, _ maxWeight: UInt32) -> UInt32 {
        let shift = max(0, (63 - (sum + 1).leadingZeroBitCount) - 5)
        return 4 &+ ((maxWeight &* divisions[Int(sum >> UInt64(shift))]) >> UInt32(shift))
    }

    /// The prediction (× 8, not yet rounded) of the value at column x of stripe row `row`.
    @inline(__always)
    mutating func predict(row: Int, x: Int, west: Int32, north: Int32, northWest: Int32, northEast: Int32) -> Int64 {
        let rowLength = width + 2
        let current = (row & 1) * rowLength, previous = rowLength - current
        let n = previous + x
        let ne = x < width - 1 ? n + 1 : n
        let nw = x > 0 ? n - 1 : n
        let errorSums: (UInt32, UInt32, UInt32, UInt32) = subErrors.withUnsafeBufferPointer { e in
            func sum(_ k: Int) -> UInt32 {
                let b = k * 2 * rowLength
                return UInt32(bitPattern: e[b + n]) &+ UInt32(bitPattern: e[b + ne]) &+ UInt32(bitPattern: e[b + nw])
            }
            return (sum(0), sum(1), sum(2), sum(3))
        }
        var w0 = Self.weight(UInt64(errorSums.0), Self.maxWeights.0)
        var w1 = Self.weight(UInt64(errorSums.1), Self.maxWeights.1)
        var w2 = Self.weight(UInt64(errorSums.2), Self.maxWeights.2)
        var w3 = Self.weight(UInt64(errorSums.3), Self.maxWeights.3)
        let n8 = Int64(north) << 3, w8 = Int64(west) << 3, ne8 = Int64(northEast) << 3
        let teW: Int64 = x == 0 ? 0 : Int64(trueErrors[current + x - 1])
        let teN = Int64(trueErrors[n]), teNW = Int64(trueErrors[nw]), teNE = Int64(trueErrors[ne])
        neighbourErrors = (teW, teN, teNW, teNE)
        let sumWN = teN + teW
        sub = (
            w8 + ne8 - n8,
            n8 - (((sumWN + teNE) * 16) >> 5),
            w8 - (((sumWN + teNW) * 10) >> 5),
            n8 - ((teNW * 7 + teN * 7 + teNE * 7) >> 5)
        )
        let logSum = 63 - UInt64(w0 + w1 + w2 + w3).leadingZeroBitCount
        let shift = UInt32(logSum - 4)
        w0 >>= shift; w1 >>= shift; w2 >>= shift; w3 >>= shift
        let weightSum = w0 + w1 + w2 + w3
        let total =
            Int64(weightSum >> 1) - 1 + sub.0 * Int64(w0) + sub.1 * Int64(w1) + sub.2 * Int64(w2) + sub.3 * Int64(w3)
        var p = (total * Int64(Self.divisions[Int(weightSum) - 1])) >> 24
        if ((teN ^ teW) | (teN ^ teNW)) <= 0 {
            p = min(max(p, min(w8, ne8, n8)), max(w8, ne8, n8))
        }
        prediction8 = p
        return p
    }

    /// Records the true value of the pixel of the last `predict` call.
    @inline(__always)
    mutating func update(row: Int, x: Int, value: Int32) {
        let rowLength = width + 2
        let current = (row & 1) * rowLength, previous = rowLength - current
        let v8 = Int64(value) << 3
        trueErrors[current + x] = Int32(truncatingIfNeeded: prediction8 - v8)
        let errors = (sub.0 - v8, sub.1 - v8, sub.2 - v8, sub.3 - v8)
        subErrors.withUnsafeMutableBufferPointer { e in
            func put(_ k: Int, _ d: Int64) {
                let err = Int32(truncatingIfNeeded: (abs(d) + 3) >> 3)
                let b = k * 2 * rowLength
                e[b + current + x] = err
                e[b + previous + x + 1] &+= err
            }
            put(0, errors.0); put(1, errors.1); put(2, errors.2); put(3, errors.3)
        }
    }
}
