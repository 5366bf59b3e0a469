/// Vectorised sine and cosine of single-precision arguments, evaluated in double precision and rounded
/// once to `Float` (used for the network's Fourier features, docs/DESIGN.md §3).
///
/// Each lane is one fixed sequence of IEEE-754 binary64 operations (round-to-nearest-even, explicit fused
/// multiply-add, Horner polynomials), so the result depends only on the lane's input and is the same on
/// every machine. For |u| ≤ 2²⁰ the double result is within a few 1e−16 of the true value, so the returned
/// `Float` is the correctly rounded sine/cosine except in rare near-halfway cases.
extension ExactMath {
    /// (sin u, cos u) for each lane; |u| ≤ 2²⁰ for full accuracy (larger arguments stay finite but lose
    /// accuracy in the Cody–Waite reduction).
    @inlinable @inline(__always)
    public static func sinCos(_ u: SIMD4<Float>) -> (sin: SIMD4<Float>, cos: SIMD4<Float>) {
        let (s, c) = sinCos(SIMD4<Double>(u))
        return (SIMD4<Float>(s), SIMD4<Float>(c))
    }

    /// (sin x, cos x) for each lane in double precision; |x| ≤ 2²⁰ for full accuracy.
    @inlinable @inline(__always)
    public static func sinCos(_ x: SIMD4<Double>) -> (sin: SIMD4<Double>, cos: SIMD4<Double>) {
        // k = round(x·2/π) with the 1.5·2⁵² trick; the quadrant is k mod 4, read from the low bits.
        let magic = SIMD4<Double>(repeating: 6_755_399_441_055_744)
        let shifted = magic.addingProduct(x, SIMD4(repeating: 0.636_619_772_367_581_4))
        let k = shifted - magic
        // r = x − k·π/2 with π/2 split in two doubles, each step one fused multiply-add.
        var r = x.addingProduct(k, SIMD4(repeating: -1.570_796_326_794_896_6))
        r = r.addingProduct(k, SIMD4(repeating: -6.123_233_995_736_766e-17))
        let r2 = r * r
        // Taylor polynomials on |r| ≤ π/4 (truncation error < 3e−14 relative).
        var ps = SIMD4<Double>(repeating: 1.0 / 6_227_020_800)  // 1/13!
        ps = SIMD4(repeating: -1.0 / 39_916_800).addingProduct(ps, r2)
        ps = SIMD4(repeating: 1.0 / 362_880).addingProduct(ps, r2)
        ps = SIMD4(repeating: -1.0 / 5_040).addingProduct(ps, r2)
        ps = SIMD4(repeating: 1.0 / 120).addingProduct(ps, r2)
        ps = SIMD4(repeating: -1.0 / 6).addingProduct(ps, r2)
        let sinR = r.addingProduct(r * r2, ps)
        var pc = SIMD4<Double>(repeating: 1.0 / 87_178_291_200)  // 1/14!
        pc = SIMD4(repeating: -1.0 / 479_001_600).addingProduct(pc, r2)
        pc = SIMD4(repeating: 1.0 / 3_628_800).addingProduct(pc, r2)
        pc = SIMD4(repeating: -1.0 / 40_320).addingProduct(pc, r2)
        pc = SIMD4(repeating: 1.0 / 720).addingProduct(pc, r2)
        pc = SIMD4(repeating: -1.0 / 24).addingProduct(pc, r2)
        pc = SIMD4(repeating: 0.5).addingProduct(pc, r2)
        let cosR = SIMD4<Double>(repeating: 1) - r2 * pc
        // Quadrant arithmetic on exact small integers in float64 (no integer masks: they do not
        // vectorise): q = k mod 4 ∈ {0, 1, 2, 3}, odd = q mod 2 ∈ {0, 1}; every product below is by 0, 1
        // or ±1, hence exact, so this is a lane select with sign flips.
        let quarter = SIMD4<Double>(repeating: 0.25), half = SIMD4<Double>(repeating: 0.5)
        let one = SIMD4<Double>(repeating: 1), two = SIMD4<Double>(repeating: 2), four = SIMD4<Double>(repeating: 4)
        let q = k - four * (k * quarter).rounded(.down)
        let odd = q - two * (q * half).rounded(.down)
        let even = one - odd
        let sinSign = one - two * (q * half).rounded(.down)
        let shiftedQ = q + one
        let cosQ = shiftedQ - four * (shiftedQ * quarter).rounded(.down)
        let cosSign = one - two * (cosQ * half).rounded(.down)
        let sinX = sinSign * (odd * cosR + even * sinR)
        let cosX = cosSign * (odd * sinR + even * cosR)
        return (sinX, cosX)
    }
}
