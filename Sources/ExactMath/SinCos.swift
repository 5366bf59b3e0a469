// sin and cos: argument reduction modulo π/2 (RangeReduction.swift), then fdlibm's minimax kernels on
// [−π/4, π/4], written out with IEEE operations only.

extension ExactMath {
    /// sin on [−π/4, π/4] of the double-double `x + y` (`hasTail == false`: `y` is 0).
    @inlinable @inline(__always)
    static func kernelSin(_ x: Double, _ y: Double, hasTail: Bool) -> Double {
        let s1 = Double(bitPattern: 0xBFC5_5555_5555_5549)
        let s2 = Double(bitPattern: 0x3F81_1111_1110_F8A6)
        let s3 = Double(bitPattern: 0xBF2A_01A0_19C1_61D5)
        let s4 = Double(bitPattern: 0x3EC7_1DE3_57B1_FE7D)
        let s5 = Double(bitPattern: 0xBE5A_E5E6_8A2B_9CEB)
        let s6 = Double(bitPattern: 0x3DE5_D93A_5ACF_D57C)
        let z = x * x
        let v = z * x
        let r = s2 + z * (s3 + z * (s4 + z * (s5 + z * s6)))
        if !hasTail { return x + v * (s1 + z * r) }
        return x - ((z * (0.5 * y - v * r) - y) - v * s1)
    }

    /// cos on [−π/4, π/4] of the double-double `x + y`.
    @inlinable @inline(__always)
    static func kernelCos(_ x: Double, _ y: Double) -> Double {
        let c1 = Double(bitPattern: 0x3FA5_5555_5555_554C)
        let c2 = Double(bitPattern: 0xBF56_C16C_16C1_5177)
        let c3 = Double(bitPattern: 0x3EFA_01A0_19CB_1590)
        let c4 = Double(bitPattern: 0xBE92_7E4F_809C_52AD)
        let c5 = Double(bitPattern: 0x3E21_EE9E_BDB4_B1C4)
        let c6 = Double(bitPattern: 0xBDA8_FAE9_BE88_38D4)
        let z = x * x
        var w = z * z
        let r = z * (c1 + z * (c2 + z * c3)) + w * w * (c4 + z * (c5 + z * c6))
        let hz = 0.5 * z
        w = 1.0 - hz
        return w + (((1.0 - w) - hz) + (z * r - x * y))
    }

    /// Sine, within 1 ulp for every finite `x` (exact reduction modulo π/2, Payne–Hanek beyond
    /// |x| ≈ 1.6e6). `sin(±∞) = NaN`.
    @inlinable
    public static func sin(_ x: Double) -> Double {
        let ix = highWord(x) & 0x7FFF_FFFF
        if ix <= 0x3FE9_21FB {  // |x| ≲ π/4
            if ix < 0x3E50_0000 { return x }  // |x| < 2^-26
            return kernelSin(x, 0, hasTail: false)
        }
        if ix >= 0x7FF0_0000 { return x - x }  // NaN or ±∞
        let (n, y0, y1) = reduceHalfPi(x)
        switch n & 3 {
        case 0: return kernelSin(y0, y1, hasTail: true)
        case 1: return kernelCos(y0, y1)
        case 2: return -kernelSin(y0, y1, hasTail: true)
        default: return -kernelCos(y0, y1)
        }
    }

    /// Cosine, within 1 ulp for every finite `x`. `cos(±∞) = NaN`.
    @inlinable
    public static func cos(_ x: Double) -> Double {
        let ix = highWord(x) & 0x7FFF_FFFF
        if ix <= 0x3FE9_21FB {
            if ix < 0x3E46_A09E { return 1.0 }  // |x| < 2^-27·√2
            return kernelCos(x, 0)
        }
        if ix >= 0x7FF0_0000 { return x - x }
        let (n, y0, y1) = reduceHalfPi(x)
        switch n & 3 {
        case 0: return kernelCos(y0, y1)
        case 1: return -kernelSin(y0, y1, hasTail: true)
        case 2: return -kernelCos(y0, y1)
        default: return kernelSin(y0, y1, hasTail: true)
        }
    }

    /// `(sin x, cos x)` with one shared range reduction; each component is bit-identical to `sin(x)` and
    /// `cos(x)`.
    @inlinable
    public static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        let ix = highWord(x) & 0x7FFF_FFFF
        if ix <= 0x3FE9_21FB || ix >= 0x7FF0_0000 { return (sin(x), cos(x)) }
        let (n, y0, y1) = reduceHalfPi(x)
        let s = kernelSin(y0, y1, hasTail: true), c = kernelCos(y0, y1)
        switch n & 3 {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    /// Sine for `Float`, computed in `Double` and rounded once.
    @inlinable
    @_disfavoredOverload  // so that `ExactMath.exp(1)` (integer literal) picks the Double version
    public static func sin(_ x: Float) -> Float { Float(sin(Double(x))) }

    /// Cosine for `Float`, computed in `Double` and rounded once.
    @inlinable
    @_disfavoredOverload  // so that `ExactMath.exp(1)` (integer literal) picks the Double version
    public static func cos(_ x: Float) -> Float { Float(cos(Double(x))) }
}
