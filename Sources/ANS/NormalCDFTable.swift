import ExactMath

/// A fixed-point table of the standard normal CDF with exact-integer linear interpolation: the float
/// evaluation behind every discretized-Gaussian frequency.
///
/// `table[i] = round(Φ(−12 + i/64) · 2^60)` for `i = 0…1536`, computed once with `ExactMath.normalCDF`
/// (deterministic on every machine). `value(at:)` interpolates with a 32-bit fraction in integer
/// arithmetic, so it is a monotone non-decreasing function of its argument, identical everywhere, and
/// cheap (one multiply-high). The interpolation error (≤ 1e-5 absolute, far less in the tails' relative
/// terms that matter) only changes which monotone CDF is used, not correctness.
@usableFromInline
struct NormalCDFTable {
    @usableFromInline static let range = 12.0
    @usableFromInline static let stepsPerUnit = 64.0
    @usableFromInline static let cellCount = 1536
    /// Φ values in units of 2^-60.
    @usableFromInline static let table: [UInt64] = (0...cellCount).map { i in
        let u = -range + Double(i) / stepsPerUnit
        return UInt64((ExactMath.normalCDF(u) * 0x1p60).rounded(.toNearestOrEven))
    }
    @usableFromInline static let one: UInt64 = 1 << 60

    /// Φ(e)·2^60, interpolated; clamps e to [−12, 12]. `e` must not be NaN.
    @inlinable @inline(__always)
    static func value(_ table: UnsafePointer<UInt64>, at e: Double) -> UInt64 {
        let pos = (e + range) * stepsPerUnit
        if !(pos > 0) { return table[0] }
        if pos >= Double(cellCount) { return table[cellCount] }
        let i = Int(pos)
        // In [0, 2^32): the signed conversion gives the same integer as the unsigned one, in one instruction.
        let frac = UInt64(bitPattern: Int64((pos - Double(i)) * 0x1p32))
        let lo = table[i]
        let d = table[i + 1] &- lo
        let p = d.multipliedFullWidth(by: frac)
        return lo &+ ((p.high &<< 32) | (p.low &>> 32))
    }

    /// `1 / (table[i+1] − table[i])` (0 for an empty cell), for the inverse.
    @usableFromInline static let inverseSteps: [Double] = (0..<cellCount).map { i in
        let d = table[i + 1] - table[i]
        return d == 0 ? 0 : 1 / Double(d)
    }

    /// `bucketStart[j]` = the last cell `i` with `table[i] ≤ j·2^48` (j = 0…4096): narrows the inverse
    /// search to at most two cells wherever |u| < 2.5 (99 % of the mass).
    @usableFromInline static let bucketStart: [Int32] = {
        var starts = [Int32](repeating: 0, count: 4097)
        var i = 0
        for j in 0...4096 {
            let v = UInt64(j) << 48
            while i < cellCount && table[i + 1] <= v { i += 1 }
            starts[j] = Int32(i)
        }
        return starts
    }()

    /// The inverse: an e with value(e) ≈ v (used only as a starting guess, so its accuracy does not
    /// affect correctness).
    @inlinable @inline(__always)
    static func inverse(
        _ table: UnsafePointer<UInt64>, buckets: UnsafePointer<Int32>, inverseSteps: UnsafePointer<Double>,
        of v: UInt64
    ) -> Double {
        if v <= table[0] { return -range }
        if v >= table[cellCount] { return range }
        var lo = Int(buckets[Int(v >> 48)])  // table[lo] ≤ v
        if table[lo + 1] <= v {
            lo += 1
            while table[lo + 1] <= v { lo += 1 }  // only in the tails (|u| > 2.5)
        }
        let frac = Double(Int64(bitPattern: v &- table[lo])) * inverseSteps[lo]  // the difference is < 2^60
        return -range + (Double(lo) + frac) / stepsPerUnit
    }
}
