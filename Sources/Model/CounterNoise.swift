import ExactMath

/// Standard normal noise addressed by (step, element): ε(step, i) is a pure function of the seed and its
/// coordinates (SplitMix64 hashing + Box–Muller with `ExactMath`), so any rectangle of any step can be
/// regenerated without storing the whole image's noise — the memory-bounded ELBO uses it. The same
/// numbers on every machine for a given seed.
public struct CounterNoise {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 { SplitMix64.mix(value &+ SplitMix64.increment) }

    /// ε(step, index) ~ N(0, 1); index < 2⁴⁰, step < 2²⁴.
    public func normal(step: Int, index: Int) -> Float {
        let first = Self.mix(seed ^ Self.mix(UInt64(truncatingIfNeeded: step) << 40 ^ UInt64(truncatingIfNeeded: index)))
        let second = Self.mix(first)
        let u1 = (Double(first >> 11) + 0.5) / 9_007_199_254_740_992
        let u2 = Double(second >> 11) / 9_007_199_254_740_992
        return Float((-2 * ExactMath.log(u1)).squareRoot() * ExactMath.cos(2 * Double.pi * u2))
    }
}
