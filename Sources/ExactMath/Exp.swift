// exp and expm1: fdlibm's algorithm (argument reduction x = k·ln2 + r with a two-part ln 2, then a
// degree-5 minimax rational in r²), written out with IEEE operations only.

extension ExactMath {
    /// For finite `x` with `-745.2 < x < 709.8`: `(y, k)` with `exp(x) = y · 2^k`, `y` in `[0.5, 2)`.
    @inlinable @inline(__always)
    static func expParts(_ x: Double) -> (Double, Int) {
        let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
        let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
        let invLn2 = Double(bitPattern: 0x3FF7_1547_652B_82FE)
        let p1 = Double(bitPattern: 0x3FC5_5555_5555_553E)
        let p2 = Double(bitPattern: 0xBF66_C16C_16BE_BD93)
        let p3 = Double(bitPattern: 0x3F11_566A_AF25_DE2C)
        let p4 = Double(bitPattern: 0xBEBB_BD41_C5D2_6BF1)
        let p5 = Double(bitPattern: 0x3E66_3769_72BE_A4D0)
        let hx = highWord(x) & 0x7FFF_FFFF
        var hi = x, lo = 0.0, k = 0
        if hx > 0x3FD6_2E42 {  // |x| > 0.5 ln 2
            if hx < 0x3FF0_A2B2 {  // and |x| < 1.5 ln 2
                if x >= 0 { hi = x - ln2Hi; lo = ln2Lo; k = 1 } else { hi = x + ln2Hi; lo = -ln2Lo; k = -1 }
            } else {
                k = Int(invLn2 * x + (x >= 0 ? 0.5 : -0.5))
                let t = Double(k)
                hi = x - t * ln2Hi  // exact
                lo = t * ln2Lo
            }
        } else if hx < 0x3E30_0000 {  // |x| < 2^-28
            return (1 + x, 0)
        }
        let r = hi - lo
        let t = r * r
        let c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
        if k == 0 { return (1 - ((r * c) / (c - 2) - r), 0) }
        return (1 - ((lo - (r * c) / (2 - c)) - hi), k)
    }

    /// e^x, correctly rounded in most cases and within 1 ulp. `exp(-∞) = 0`, `exp(+∞) = +∞`, overflow
    /// (x > 709.78) gives +∞, underflow gives a subnormal or 0.
    @inlinable
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        if x > 709.782712893383973096 { return .infinity }
        if x < -745.13321910194110842 { return 0 }
        let (y, k) = expParts(x)
        return scale(y, by: k)
    }

    /// e^x − 1, accurate also for tiny `x` (Kahan's method: (u − 1)·x / log u with u = e^x, which
    /// cancels the rounding error of u). Within a few ulp. `expm1(-∞) = -1`.
    @inlinable
    public static func expm1(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        if x > 709.782712893383973096 { return .infinity }
        if x < -40 { return -1 }  // e^x < 2^-57: −1 + tiny rounds to −1
        let ax = Swift.abs(x)
        if ax < 0x1p-54 { return x }
        if ax < 0.34657359027997264 {
            // Small |x|: u − 1 is exact and log u is accurate, so the quotient recovers full precision.
            let u = exp(x)
            if u == 1 { return x }
            let um1 = u - 1
            return um1 * (x / log(u))
        }
        // |x| ≥ ln2/2: no significant cancellation in e^x − 1.
        let (y, k) = expParts(x)
        if k > 56 { return scale(y, by: k) }  // −1 is below half an ulp
        // e^x − 1 = y·2^k − 1 = 2^k·(y − 2^-k); y − 2^-k is exact enough for |k| ≤ 56 in double-double.
        let s = DoubleDouble.twoSum(y, -powerOfTwo(-k))
        return scale(s.hi + s.lo, by: k)
    }

    /// e^x for `Float`, computed in `Double` and rounded once.
    @inlinable
    @_disfavoredOverload  // so that `ExactMath.exp(1)` (integer literal) picks the Double version
    public static func exp(_ x: Float) -> Float { Float(exp(Double(x))) }
}
