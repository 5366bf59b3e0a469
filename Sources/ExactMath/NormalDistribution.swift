// The standard normal distribution: CDF (accurate in both tails) and an inverse CDF.

extension ExactMath {
    /// Φ(x) = ½·erfc(−x/√2), the standard normal CDF, within a few ulp of its value everywhere,
    /// including the far lower tail (the argument −x/√2 is formed exactly as a double-double, so the
    /// relative error does not grow with |x|; subnormal results are rounded once). Monotone
    /// non-decreasing. `Φ(−∞) = 0`, `Φ(+∞) = 1`.
    @inlinable
    public static func normalCDF(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        if x == .infinity { return 1 }
        if x == -.infinity { return 0 }
        if x < -40 { return 0 }
        if x > 40 { return 1 }
        let cHi = Double(bitPattern: 0x3FE6_A09E_667F_3BCD)  // 1/√2 = cHi + cLo
        let cLo = Double(bitPattern: 0xBC8B_DD34_13B2_6456)
        let p = DoubleDouble.twoProduct(-x, cHi)
        let a = DoubleDouble.fastTwoSum(p.hi, p.lo + (-x) * cLo)
        return erfcCore(a, shift: -1)
    }

    /// An inverse of the standard normal CDF: x with Φ(x) ≈ p. Acklam's rational approximation
    /// (relative error 1.2e-9) refined by one Halley step on `normalCDF`, giving ≈ 1e-15 relative
    /// accuracy for p not too close to 1. `p = 0 → −∞`, `p = 1 → +∞`, p outside [0, 1] or NaN → NaN.
    @inlinable
    public static func normalQuantile(_ p: Double) -> Double {
        if !(p >= 0 && p <= 1) { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let a1 = -3.969683028665376e+01, a2 = 2.209460984245205e+02, a3 = -2.759285104469687e+02
        let a4 = 1.383577518672690e+02, a5 = -3.066479806614716e+01, a6 = 2.506628277459239e+00
        let b1 = -5.447609879822406e+01, b2 = 1.615858368580409e+02, b3 = -1.556989798598866e+02
        let b4 = 6.680131188771972e+01, b5 = -1.328068155288572e+01
        let c1 = -7.784894002430293e-03, c2 = -3.223964580411365e-01, c3 = -2.400758277161838e+00
        let c4 = -2.549732539343734e+00, c5 = 4.374664141464968e+00, c6 = 2.938163982698783e+00
        let d1 = 7.784695709041462e-03, d2 = 3.224671290700398e-01, d3 = 2.445134137142996e+00
        let d4 = 3.754408661907416e+00
        let pLow = 0.02425
        var x: Double
        if p < pLow {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
        } else if p <= 1 - pLow {
            let q = p - 0.5
            let r = q * q
            x =
                (((((a1 * r + a2) * r + a3) * r + a4) * r + a5) * r + a6) * q
                / (((((b1 * r + b2) * r + b3) * r + b4) * r + b5) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1)
        }
        // One Halley step: e = Φ(x) − p, u = e/φ(x), x ← x − u/(1 + x·u/2).
        let density = exp(-0.5 * x * x) * 0.39894228040143267794
        if density > 0x1p-1000 {
            let e = p > 0.5 ? -(normalCDF(-x) - (1 - p)) : normalCDF(x) - p
            let u = e / density
            x -= u / (1 + 0.5 * x * u)
        }
        return x
    }
}
