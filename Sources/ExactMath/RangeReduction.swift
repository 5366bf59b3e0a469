// Reduction of a trigonometric argument modulo π/2: x = n·(π/2) + (y0 + y1) with |y0 + y1| ≤ ~π/4.
// |x| < 2^20·(π/2): Cody–Waite with a three-part π/2 (fdlibm's "medium" path, ≥ 118 good bits).
// Larger |x|: Payne–Hanek with a 1280-bit table of 2/π, in exact integer arithmetic.

extension ExactMath {
    /// Bits of 2/π after the binary point, most significant first (b₁…b₁₂₈₀), from mpmath.
    @usableFromInline
    static let twoOverPiBits: [UInt64] = [
        0xA2F9_836E_4E44_1529, 0xFC27_57D1_F534_DDC0, 0xDB62_9599_3C43_9041, 0xFE51_63AB_DEBB_C561,
        0xB724_6E3A_424D_D2E0, 0x0649_2EEA_09D1_921C, 0xFE1D_EB1C_B129_A73E, 0xE882_35F5_2EBB_4484,
        0xE99C_7026_B45F_7E41, 0x3991_D639_8353_39F4, 0x9C84_5F8B_BDF9_283B, 0x1FF8_97FF_DE05_980F,
        0xEF2F_118B_5A0A_6D1F, 0x6D36_7ECF_27CB_09B7, 0x4F46_3F66_9E5F_EA2D, 0x7527_BAC7_EBE5_F17B,
        0x3D07_39F7_8A52_92EA, 0x6BFB_5FB1_1F8D_5D08, 0x5603_3046_FC7B_6BAB, 0xF0CF_BC20_9AF4_361D,
    ]

    /// `x = n·π/2 + y0 + y1` for finite `x` with `|x| > π/4`; `y0 + y1` is the reduced argument as a
    /// double-double with `|y0 + y1| ≤ π/4 + tiny`.
    @inlinable
    static func reduceHalfPi(_ x: Double) -> (n: Int, y0: Double, y1: Double) {
        let ix = highWord(x) & 0x7FFF_FFFF
        if ix < 0x4139_21FB { return reduceMedium(x, ix) }
        return reduceLarge(x)
    }

    @inlinable @inline(__always)
    static func reduceMedium(_ x: Double, _ ix: UInt32) -> (n: Int, y0: Double, y1: Double) {
        let invPio2 = Double(bitPattern: 0x3FE4_5F30_6DC9_C883)
        let pio2_1 = Double(bitPattern: 0x3FF9_21FB_5440_0000)
        let pio2_1t = Double(bitPattern: 0x3DD0_B461_1A62_6331)
        let pio2_2 = Double(bitPattern: 0x3DD0_B461_1A60_0000)
        let pio2_2t = Double(bitPattern: 0x3BA3_198A_2E03_7073)
        let pio2_3 = Double(bitPattern: 0x3BA3_198A_2E00_0000)
        let pio2_3t = Double(bitPattern: 0x397B_839A_2520_49C1)
        // Round to nearest integer with the 1.5·2^52 trick (exact, ties-to-even, no libm).
        let fn = (x * invPio2 + 0x1.8p52) - 0x1.8p52
        let n = Int(fn)
        var r = x - fn * pio2_1
        var w = fn * pio2_1t  // first round: good to 85 bits
        let j = Int(ix >> 20)
        var y0 = r - w
        var i = j - Int((highWord(y0) >> 20) & 0x7FF)
        if i > 16 {  // second round: good to 118 bits
            var t = r
            w = fn * pio2_2
            r = t - w
            w = fn * pio2_2t - ((t - r) - w)
            y0 = r - w
            i = j - Int((highWord(y0) >> 20) & 0x7FF)
            if i > 49 {  // third round: 151 bits, covers all cases
                t = r
                w = fn * pio2_3
                r = t - w
                w = fn * pio2_3t - ((t - r) - w)
                y0 = r - w
            }
        }
        let y1 = (r - y0) - w
        return (n, y0, y1)
    }

    /// Payne–Hanek reduction for `|x| ≥ 2^20·π/2` (finite).
    @inlinable
    static func reduceLarge(_ x: Double) -> (n: Int, y0: Double, y1: Double) {
        let bits = x.bitPattern
        let e = Int((bits >> 52) & 0x7FF) - 1075  // |x| = m·2^e, m a 53-bit integer (x is normal here)
        let m = (bits & 0x000F_FFFF_FFFF_FFFF) | 0x0010_0000_0000_0000
        // x·2/π = Σ_i b_i·m·2^(e−i); terms with e − i ≥ 2 are multiples of 4 and do not matter.
        let s = Swift.max(1, e - 1)  // first bit of 2/π that matters
        let word = (s - 1) >> 6, shift = UInt64((s - 1) & 63)
        let table = twoOverPiBits
        @inline(__always) func windowWord(_ k: Int) -> UInt64 {
            if shift == 0 { return table[word + k] }
            return (table[word + k] << shift) | (table[word + k + 1] >> (64 - shift))
        }
        let w0 = windowWord(0), w1 = windowWord(1), w2 = windowWord(2)  // 192 bits of 2/π
        // P = m · W (256 bits, little-endian words p0…p3).
        let a2 = m.multipliedFullWidth(by: w2), a1 = m.multipliedFullWidth(by: w1)
        let a0 = m.multipliedFullWidth(by: w0)
        let p0 = a2.low
        let (p1, c1) = a2.high.addingReportingOverflow(a1.low)
        let (t2, c2a) = a1.high.addingReportingOverflow(a0.low)
        let (p2, c2b) = t2.addingReportingOverflow(c1 ? 1 : 0)
        let p3 = a0.high &+ (c2a ? 1 : 0) &+ (c2b ? 1 : 0)
        // The binary point of x·2/π lies below bit q of P; shift so it sits 2 bits below the top.
        let q = s + 191 - e
        let sft = 254 - q  // in 30...64
        var r3: UInt64, r2: UInt64, r1: UInt64, r0: UInt64
        if sft == 64 {
            r3 = p2; r2 = p1; r1 = p0; r0 = 0
        } else {
            let sh = UInt64(sft), inv = UInt64(64 - sft)
            r3 = (p3 << sh) | (p2 >> inv); r2 = (p2 << sh) | (p1 >> inv); r1 = (p1 << sh) | (p0 >> inv)
            r0 = p0 << sh
        }
        var n = Int(r3 >> 62)
        // Fraction: the 192 bits below the two integer bits (f2 most significant).
        var f2 = (r3 << 2) | (r2 >> 62)
        var f1 = (r2 << 2) | (r1 >> 62)
        var f0 = (r1 << 2) | (r0 >> 62)
        var negative = false
        if f2 >> 63 == 1 {  // fraction ≥ 1/2: round n up and take the negative remainder 1 − f
            n += 1
            negative = true
            f0 = ~f0 &+ 1
            f1 = ~f1 &+ (f0 == 0 ? 1 : 0)
            f2 = ~f2 &+ (f0 == 0 && f1 == 0 ? 1 : 0)
        }
        // Normalize so that the leading one is the top bit of fHi (cancellation is < 64 bits for doubles).
        var lz = 0
        if f2 == 0 { f2 = f1; f1 = f0; f0 = 0; lz = 64 }
        if f2 == 0 { return (x < 0 ? -n : n, 0, 0) }
        let l = f2.leadingZeroBitCount
        var fHi = f2, fLo = f1
        if l > 0 {
            fHi = (f2 << UInt64(l)) | (f1 >> UInt64(64 - l)); fLo = (f1 << UInt64(l)) | (f0 >> UInt64(64 - l))
        }
        lz += l
        // f = (fHi·2^64 + fLo)·2^(−128−lz) ≈ a + b.
        let a = Double(fHi & ~0x7FF) * powerOfTwo(-64 - lz)
        let b = Double(((fHi & 0x7FF) << 53) | (fLo >> 11)) * powerOfTwo(-64 - 53 - lz)
        let pio2Hi = Double(bitPattern: 0x3FF9_21FB_5444_2D18)
        let pio2Lo = Double(bitPattern: 0x3C91_A626_3314_5C07)
        let prod = DoubleDouble.twoProduct(a, pio2Hi)
        let err = prod.lo + (a * pio2Lo + b * pio2Hi)
        let y = DoubleDouble.fastTwoSum(prod.hi, err)
        var y0 = y.hi, y1 = y.lo
        if negative { y0 = -y0; y1 = -y1 }
        if x < 0 { return (-n, -y0, -y1) }
        return (n, y0, y1)
    }
}
