/// Deterministic elementary functions (docs/DESIGN.md §3): the same bits on every machine, every build and every
/// thread count, because they use only IEEE-754 add, subtract, multiply, divide, square root, exact
/// integer ↔ float conversions, bit manipulation and *explicit* fused multiply-add
/// (`addingProduct`). Platform libm is never called, and no expression relies on the compiler fusing or
/// reassociating (Swift does neither).
///
/// Accuracy (measured by `ExactMathTests` against glibc): a few ulp in `Double` over the whole domain.
/// Special values follow IEEE / C99 conventions (NaN propagates, overflow gives ±∞, underflow gives 0 or
/// a subnormal) and never trap.
///
/// Compatibility: results of these functions reach the ANS frequency tables, so changing any of them
/// changes the bits of archives already written. `ExactMathTests.testGoldenBits` pins a set of outputs.
public enum ExactMath {}

// MARK: - Bit-level helpers shared by the implementations.

extension ExactMath {
    /// The upper 32 bits of `x`'s IEEE-754 representation (fdlibm's `GET_HIGH_WORD`).
    @inlinable @inline(__always)
    static func highWord(_ x: Double) -> UInt32 { UInt32(truncatingIfNeeded: x.bitPattern >> 32) }

    /// `2^k` for `k` in `-1022...1023`, built from its bit pattern (exact).
    @inlinable @inline(__always)
    static func powerOfTwo(_ k: Int) -> Double { Double(bitPattern: UInt64(k + 1023) << 52) }

    /// `y · 2^k` with a single rounding, for `y` in `[0.5, 2)` and any `k` (overflow → ∞, underflow → 0 or
    /// subnormal, rounded once).
    @inlinable @inline(__always)
    static func scale(_ y: Double, by k: Int) -> Double {
        if k > 1023 {
            if k > 2046 { return y * 0x1p1023 * 0x1p1023 }
            return y * 0x1p1023 * powerOfTwo(k - 1023)
        }
        if k >= -1021 { return y * powerOfTwo(k) }
        if k < -2100 { return y * 0x1p-1022 * 0x1p-1022 }
        // Keep the first product normal (exact) so the result is rounded only once.
        let kk = max(k + 1000, -1022)
        return (y * powerOfTwo(kk)) * powerOfTwo(k - kk)
    }
}
