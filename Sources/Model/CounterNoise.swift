import ExactMath

/// Standard normal noise addressed by (step, element): ε(step, i) is a pure function of the seed and its
/// coordinates (SplitMix64 hashing + Box–Muller with `ExactMath`), so any rectangle of any step can be
/// regenerated without storing the whole image's noise — the memory-bounded ELBO uses it. The same
/// numbers on every machine for a given seed.
public struct CounterNoise {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// ε(step, index) ~ N(0, 1); index < 2⁴⁰, step < 2²⁴.
    public func normal(step: Int, index: Int) -> Float {
        let first = Self.mix(seed ^ Self.mix(UInt64(truncatingIfNeeded: step) << 40 ^ UInt64(truncatingIfNeeded: index)))
        let second = Self.mix(first)
        let u1 = (Double(first >> 11) + 0.5) / 9_007_199_254_740_992
        let u2 = Double(second >> 11) / 9_007_199_254_740_992
        return Float((-2 * ExactMath.log(u1)).squareRoot() * ExactMath.cos(2 * Double.pi * u2))
    }
}
