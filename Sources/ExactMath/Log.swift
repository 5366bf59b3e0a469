// log and log1p: fdlibm's algorithm (x = 2^k·(1 + f) with 1 + f in [√2/2, √2), log(1 + f) via
// s = f/(2 + f) and a degree-14 minimax polynomial in s), written out with IEEE operations only.

extension ExactMath {
    /// Natural logarithm, within 1 ulp. `log(0) = -∞`, `log(x < 0) = NaN`, `log(+∞) = +∞`.
    @inlinable
    public static func log(_ x: Double) -> Double {
        let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
        let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
        let lg1 = Double(bitPattern: 0x3FE5_5555_5555_5593)
        let lg2 = Double(bitPattern: 0x3FD9_9999_9997_FA04)
        let lg3 = Double(bitPattern: 0x3FD2_4924_9422_9359)
        let lg4 = Double(bitPattern: 0x3FCC_71C5_1D8E_78AF)
        let lg5 = Double(bitPattern: 0x3FC7_4664_96CB_03DE)
        let lg6 = Double(bitPattern: 0x3FC3_9A09_D078_C69F)
        let lg7 = Double(bitPattern: 0x3FC2_F112_DF3E_5244)
        var x = x
        var hx = Int32(bitPattern: highWord(x))
        var k: Int32 = 0
        if hx < 0x0010_0000 {  // x < 2^-1022 (including negative, zero, subnormal)
            if x == 0 { return -.infinity }
            if x < 0 || x.isNaN { return .nan }
            k -= 54
            x *= 0x1p54  // subnormal: scale up (exact)
            hx = Int32(bitPattern: highWord(x))
        }
        if hx >= 0x7FF0_0000 { return x + x }  // +∞ or NaN
        k += (hx >> 20) - 1023
        hx &= 0x000F_FFFF
        let i = (hx &+ 0x95F64) & 0x10_0000
        // Normalize x or x/2 into [√2/2, √2).
        let newHigh = UInt64(UInt32(bitPattern: hx | (i ^ 0x3FF0_0000)))
        x = Double(bitPattern: (newHigh << 32) | (x.bitPattern & 0xFFFF_FFFF))
        k += i >> 20
        let f = x - 1.0
        let dk = Double(k)
        if (0x000F_FFFF & (2 &+ hx)) < 3 {  // -2^-20 <= f < 2^-20
            if f == 0 { return k == 0 ? 0 : dk * ln2Hi + dk * ln2Lo }
            let r = f * f * (0.5 - 0.33333333333333333 * f)
            return k == 0 ? f - r : dk * ln2Hi - ((r - dk * ln2Lo) - f)
        }
        let s = f / (2.0 + f)
        let z = s * s
        var ii = hx &- 0x6147A
        let w = z * z
        let j = 0x6B851 &- hx
        let t1 = w * (lg2 + w * (lg4 + w * lg6))
        let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
        ii |= j
        let r = t2 + t1
        if ii > 0 {
            let hfsq = 0.5 * f * f
            return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
        }
        return k == 0 ? f - s * (f - r) : dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f)
    }

    /// log(1 + x), accurate also for tiny `x` (Kahan's method: log(u)·x/(u − 1) with u = 1 + x, which
    /// cancels the rounding error of u). Within a few ulp. `log1p(-1) = -∞`, `log1p(x < -1) = NaN`.
    @inlinable
    public static func log1p(_ x: Double) -> Double {
        if x.isNaN { return x + x }
        if x == .infinity { return x }
        if x <= -1 { return x == -1 ? -.infinity : .nan }
        if Swift.abs(x) < 0x1p-54 { return x }
        let u = 1 + x
        if u == 1 { return x }
        if x > 0x1p53 { return log(x) }  // 1 + x rounds to x; log(x) is then exact up to 2^-53 relative
        return log(u) * (x / (u - 1))
    }

    /// Natural logarithm for `Float`, computed in `Double` and rounded once.
    @inlinable
    @_disfavoredOverload  // so that `ExactMath.exp(1)` (integer literal) picks the Double version
    public static func log(_ x: Float) -> Float { Float(log(Double(x))) }
}
