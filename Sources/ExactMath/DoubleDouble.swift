/// Unevaluated sums `hi + lo` with `|lo| ≤ ulp(hi)/2` ("double-double"), used internally where an
/// intermediate needs about 106 bits (the erf series, the argument of the normal CDF, large-argument
/// range reduction). Built from `+`, `*` and explicit fused multiply-add only, so results are exact
/// functions of the inputs on every IEEE-754 machine.
@usableFromInline
struct DoubleDouble {
    @usableFromInline var hi: Double
    @usableFromInline var lo: Double

    @inlinable @inline(__always)
    init(_ hi: Double, _ lo: Double) { self.hi = hi; self.lo = lo }

    /// `a + b` exactly, assuming `|a| ≥ |b|` or `a == 0`.
    @inlinable @inline(__always)
    static func fastTwoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b
        return DoubleDouble(s, b - (s - a))
    }

    /// `a + b` exactly (Knuth's TwoSum).
    @inlinable @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> DoubleDouble {
        let s = a + b
        let bb = s - a
        return DoubleDouble(s, (a - (s - bb)) + (b - bb))
    }

    /// `a · b` exactly (unless it over/underflows), via explicit FMA.
    @inlinable @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> DoubleDouble {
        let p = a * b
        return DoubleDouble(p, (-p).addingProduct(a, b))
    }

    @inlinable @inline(__always)
    static func + (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let s = twoSum(x.hi, y.hi)
        return fastTwoSum(s.hi, s.lo + (x.lo + y.lo))
    }

    @inlinable @inline(__always)
    static prefix func - (x: DoubleDouble) -> DoubleDouble { DoubleDouble(-x.hi, -x.lo) }

    @inlinable @inline(__always)
    static func * (x: DoubleDouble, y: DoubleDouble) -> DoubleDouble {
        let p = twoProduct(x.hi, y.hi)
        let e = p.lo + (x.hi * y.lo + x.lo * y.hi)
        return fastTwoSum(p.hi, e)
    }

    @inlinable @inline(__always)
    static func * (x: DoubleDouble, d: Double) -> DoubleDouble {
        let p = twoProduct(x.hi, d)
        return fastTwoSum(p.hi, p.lo + x.lo * d)
    }

    @inlinable @inline(__always)
    static func / (x: DoubleDouble, d: Double) -> DoubleDouble {
        let q1 = x.hi / d
        let r = (x.hi).addingProduct(-q1, d) + x.lo
        return fastTwoSum(q1, r / d)
    }

    @inlinable @inline(__always)
    var value: Double { hi + lo }
}
