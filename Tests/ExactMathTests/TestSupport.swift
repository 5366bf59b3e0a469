import ExactMath
import Foundation

/// Distance in units in the last place between two finite doubles of the same sign (or ±0): the
/// number of representable doubles between them. NaN vs NaN is 0; NaN vs number is `.max`.
func ulpDistance(_ a: Double, _ b: Double) -> UInt64 {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
    if a == b { return 0 }
    func ordered(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? Int64.min &- bits : bits
    }
    let d = ordered(a) &- ordered(b)
    return d < 0 ? UInt64(bitPattern: 0 &- d) : UInt64(bitPattern: d)
}

/// Checks `f` against the oracle `g` on `inputs`; returns the largest ulp distance and its input.
func maxUlpError(_ inputs: [Double], _ f: (Double) -> Double, _ g: (Double) -> Double) -> (UInt64, Double) {
    var worst: UInt64 = 0, at = 0.0
    for x in inputs {
        let d = ulpDistance(f(x), g(x))
        if d > worst { worst = d; at = x }
    }
    return (worst, at)
}

/// Uniform doubles in `[lo, hi)`.
func uniformInputs(_ count: Int, _ lo: Double, _ hi: Double, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in Double.random(in: lo..<hi, using: &rng) }
}

/// Doubles with log-uniform magnitude in `[2^e0, 2^e1)` and random sign when `signed`.
func logUniformInputs(_ count: Int, _ e0: Double, _ e1: Double, signed: Bool, seed: UInt64) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let v = Foundation.pow(2.0, Double.random(in: e0..<e1, using: &rng))
        return signed && Bool.random(using: &rng) ? -v : v
    }
}
