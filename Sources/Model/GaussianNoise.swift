import ExactMath
import Parallelism

/// A seeded source of standard normal float32 noise (SplitMix64 + Box–Muller with `ExactMath`), the same
/// numbers on every machine for a given seed. For Monte-Carlo estimates (ELBO, sampling), not for coding.
public struct GaussianNoise {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    /// `count` independent N(0, 1) samples.
    public mutating func next(count: Int) -> [Float] { next(count: count, threads: 1) }

    /// `count` independent N(0, 1) samples, computed on up to `threads` threads: the same numbers as
    /// `next(count:)`. SplitMix64's n-th output is mix(state + n·increment), so pair p of the Box–Muller
    /// transform (outputs 2p + 1 and 2p + 2) can be computed by any thread.
    public mutating func next(count: Int, threads: Int) -> [Float] {
        let pairs = (count + 1) / 2
        let base = generator.state
        generator.state = base &+ UInt64(truncatingIfNeeded: 2 * pairs) &* SplitMix64.increment
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { out in
            ParallelLoop.forEachChunk(count: pairs, threads: pairs < 1024 ? 1 : threads) { range in
                for p in range {
                    let first = SplitMix64.mix(base &+ UInt64(truncatingIfNeeded: 2 * p + 1) &* SplitMix64.increment)
                    let second = SplitMix64.mix(base &+ UInt64(truncatingIfNeeded: 2 * p + 2) &* SplitMix64.increment)
                    let radius = (-2 * ExactMath.log(Self.uniform(first))).squareRoot()
                    let angle = 2 * Double.pi * Self.uniform(second)
                    out[2 * p] = Float(radius * ExactMath.cos(angle))
                    if 2 * p + 1 < count { out[2 * p + 1] = Float(radius * ExactMath.sin(angle)) }
                }
            }
        }
        return values
    }

    /// A uniform double in (0, 1) from one generator output.
    @inline(__always)
    private static func uniform(_ bits: UInt64) -> Double { (Double(bits >> 11) + 0.5) / 9_007_199_254_740_992 }
}
