// erf and erfc. |x| ≤ 3: the Taylor series of erf in double-double arithmetic (≈ 106 bits, so that
// erfc = 1 − erf keeps full relative precision down to erfc(3) ≈ 2e-5). x > 3: Laplace's continued
// fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))), evaluated backwards with a fixed
// number of terms, and e^(−x²) from an exactly split x². IEEE operations only.

extension ExactMath {
    /// Σₙ (−1)ⁿ x^(2n+1) / (n!·(2n+1)) in double-double, for |x| ≤ 3 (erf = 2/√π · this).
    @usableFromInline
    static func erfSeries(_ x: DoubleDouble) -> DoubleDouble {
        if x.hi == 0 { return x }
        let x2 = x * x
        var a = x  // x^(2n+1)/n!
        var sum = x
        var n = 1
        while n < 160 {
            a = a * x2 / Double(n)
            let t = a / Double(2 * n + 1)
            sum = sum + (n & 1 == 1 ? -t : t)
            if Swift.abs(t.hi) < Swift.abs(sum.hi) * 0x1p-110 { break }
            n += 1
        }
        return sum
    }

    /// 2/√π as a double-double.
    @inlinable @inline(__always)
    static var twoOverSqrtPi: DoubleDouble {
        DoubleDouble(Double(bitPattern: 0x3FF2_0DD7_5042_9B6D), Double(bitPattern: 0x3C71_AE3A_914F_ED80))
    }

    /// `y · 2^k` with a single rounding for any positive finite `y` (renormalizes `y` first).
    @usableFromInline
    static func scaleAny(_ y: Double, by k: Int) -> Double {
        if y == 0 || !y.isFinite { return y }
        let e = Int((y.bitPattern >> 52) & 0x7FF)
        if e == 0 { return scale(y * 0x1p54, by: k - 54) }
        let m = Double(bitPattern: (y.bitPattern & 0x800F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        return scale(m, by: k + e - 1023)
    }

    /// erfc(x) · 2^shift for the double-double argument `x`, rounded once.
    @usableFromInline
    static func erfcCore(_ x: DoubleDouble, shift: Int) -> Double {
        let hi = x.hi
        if hi.isNaN { return hi }
        if hi > 3 {
            if hi > 27.3 { return 0 }
            let x2 = DoubleDouble.twoProduct(hi, hi)
            if x2.hi > 745 { return 0 }  // erfc(x) < 2^-1075: rounds to 0
            let x2lo = x2.lo + 2 * hi * x.lo
            let (y, k) = expParts(-x2.hi)
            let ey = y - y * x2lo  // e^(−x2.hi)·e^(−x2lo), |x2lo| < 2^-43
            var f = hi
            var j = hi < 6 ? 40 : 20
            while j > 0 {
                f = hi + (Double(j) * 0.5) / f
                j -= 1
            }
            f += x.lo
            let invSqrtPi = Double(bitPattern: 0x3FE2_0DD7_5042_9B6D)
            return scaleAny((ey * invSqrtPi) / f, by: k + shift)
        }
        if hi < -3 {
            let c = erfcCore(-x, shift: 0)
            return scaleAny(2 - c, by: shift)
        }
        let erfValue = twoOverSqrtPi * erfSeries(x)
        let r = DoubleDouble(1, 0) + (-erfValue)
        return scaleAny(r.value, by: shift)
    }

    /// The error function (2/√π)∫₀ˣ e^(−t²) dt, within a few ulp. `erf(±∞) = ±1`. Not a hot-path
    /// function (≈ 1 µs for |x| ≤ 3).
    @inlinable
    public static func erf(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        let ax = Swift.abs(x)
        if ax <= 3 { return (twoOverSqrtPi * erfSeries(DoubleDouble(x, 0))).value }
        if ax >= 6 { return x > 0 ? 1 : -1 }
        let v = 1 - erfcCore(DoubleDouble(ax, 0), shift: 0)
        return x > 0 ? v : -v
    }

    /// The complementary error function 1 − erf(x), within a few ulp of its own value over the whole
    /// range (no cancellation in the upper tail; subnormal results are rounded once). `erfc(+∞) = 0`,
    /// `erfc(−∞) = 2`. Not a hot-path function.
    @inlinable
    public static func erfc(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        if x == .infinity { return 0 }
        if x == -.infinity { return 2 }
        return erfcCore(DoubleDouble(x, 0), shift: 0)
    }
}
