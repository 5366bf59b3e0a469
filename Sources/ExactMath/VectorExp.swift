/// Vectorised single-precision exp, sigmoid and SiLU for the network's activations (docs/DESIGN.md §3).
///
/// Each lane is computed by one fixed sequence of IEEE-754 operations (add, multiply, divide, min/max,
/// round-to-nearest-even and explicit fused multiply-add), so a lane's result depends only on its input:
/// the same bits for any vector width, position, thread count, build or machine with IEEE-754 binary32.
/// Accuracy: `exp` is within 2 ulp of the true value on its range (measured against `Double` in the
/// tests); inputs are clamped to [−87, 88] so that no lane overflows to infinity or goes subnormal.
extension ExactMath {
    @usableFromInline static let expLowerBound: Float = -87
    @usableFromInline static let expUpperBound: Float = 88

    /// e^x for each lane, x clamped to [−87, 88]. NaN lanes give an unspecified finite value.
    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let lower = SIMD8<Float>(repeating: expLowerBound), upper = SIMD8<Float>(repeating: expUpperBound)
        var clamped = x.replacing(with: lower, where: x .< lower)
        clamped = clamped.replacing(with: upper, where: clamped .> upper)
        // n = round(x / ln 2) by the 1.5·2²³ trick: adding it leaves the integer in the low mantissa bits.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = magic.addingProduct(clamped, SIMD8(repeating: 1.442_695_04))
        let n = shifted - magic
        // r = x − n·ln 2 in two parts (Cody–Waite), each step one fused multiply-add.
        var r = clamped.addingProduct(n, SIMD8(repeating: -0.693_359_375))
        r = r.addingProduct(n, SIMD8(repeating: 2.121_944_4e-4))
        // Minimax polynomial for e^r on |r| ≤ ln2/2 (Cephes expf coefficients), Horner with FMA.
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = SIMD8(repeating: 1.398_199_95e-3).addingProduct(p, r)
        p = SIMD8(repeating: 8.333_451_9e-3).addingProduct(p, r)
        p = SIMD8(repeating: 4.166_579_6e-2).addingProduct(p, r)
        p = SIMD8(repeating: 1.666_666_55e-1).addingProduct(p, r)
        p = SIMD8(repeating: 5.000_000_1e-1).addingProduct(p, r)
        let r2 = r * r
        let er = (r + SIMD8(repeating: 1)).addingProduct(p, r2)
        // 2^n from the exponent bits; n ∈ [−126, 127] after the clamp.
        let bits = unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- SIMD8(repeating: 0x4B40_0000)
        let scale = unsafeBitCast((bits &+ SIMD8(repeating: 127)) &<< SIMD8(repeating: 23), to: SIMD8<Float>.self)
        return er * scale
    }

    /// 1 / (1 + e^−x) for each lane (see `exp(_: SIMD8<Float>)` for the clamp).
    @inlinable @inline(__always)
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(repeating: 1) / (SIMD8(repeating: 1) + exp(-x))
    }

    /// SiLU(x) = x / (1 + e^−x) for each lane: one division, no reassociation.
    @inlinable @inline(__always)
    public static func silu(_ x: SIMD8<Float>) -> SIMD8<Float> {
        x / (SIMD8(repeating: 1) + exp(-x))
    }

    /// Scalar SiLU with exactly the lane arithmetic of `silu(_: SIMD8<Float>)` (same bits).
    @inlinable
    public static func silu(_ x: Float) -> Float {
        silu(SIMD8(repeating: x))[0]
    }

    /// Applies SiLU in place to `count` floats starting at `values` (any count; the tail is padded).
    @inlinable
    public static func siluInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeMutableRawPointer(values + i)
            raw.storeBytes(of: silu(raw.loadUnaligned(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            values[i] = silu(values[i])
            i += 1
        }
    }
}
