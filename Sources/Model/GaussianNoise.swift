import ExactMath

/// A seeded source of standard normal float32 noise (SplitMix64 + Box–Muller with `ExactMath`), the same
/// numbers on every machine for a given seed. For Monte-Carlo estimates (ELBO, sampling), not for coding.
public struct GaussianNoise {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    private mutating func nextUInt64() -> UInt64 { generator.next() }

    /// A uniform double in (0, 1).
    private mutating func nextUniform() -> Double { (Double(nextUInt64() >> 11) + 0.5) / 9_007_199_254_740_992 }

    /// `count` independent N(0, 1) samples.
    public mutating func next(count: Int) -> [Float] {
        var values = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let radius = (-2 * ExactMath.log(nextUniform())).squareRoot()
            let angle = 2 * Double.pi * nextUniform()
            values[i] = Float(radius * ExactMath.cos(angle))
            if i + 1 < count { values[i + 1] = Float(radius * ExactMath.sin(angle)) }
            i += 2
        }
        return values
    }
}
