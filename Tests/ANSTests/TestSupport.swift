import ExactMath
import ANS

/// A message with some random content: `words` uniform 32-bit symbols pushed on a fresh message.
func randomMessage(laneCount: Int, words: Int, seed: UInt64) throws -> Message {
    var rng = SplitMix64(seed: seed)
    var m = try Message(laneCount: laneCount, seed: seed)
    try m.pushUniform((0..<words).map { _ in UInt32.random(in: 0...UInt32.max, using: &rng) }, bits: 32)
    return m
}

/// Random frequencies summing to 2^precision with `count` symbols, some of them zero.
func randomFrequencies(count: Int, precision: Int, rng: inout SplitMix64) -> [UInt32] {
    let weights = (0..<count).map { _ in Double.random(in: 0..<1, using: &rng) < 0.2 ? 0.0 : Double.random(in: 0..<1, using: &rng)
    }
    var w = weights
    if !w.contains(where: { $0 > 0 }) { w[0] = 1 }
    return try! ANS.FrequencyQuantizer.frequencies(probabilities: w, precision: precision)
}

/// n values under N(means, σ²) on a grid with σ/δ = 8, about 1 in 500 far outside the window (escapes).
func gaussianTestBatch(count n: Int, seed: UInt64) throws -> (
    values: [Int32], means: [Float], sigmas: [Float], grid: DiscretizedGaussian
) {
    var rng = SplitMix64(seed: seed)
    let grid = try DiscretizedGaussian(binWidth: 0.125 / 8, precision: 27).reading(slotsIn: .scrambled)
    let means = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
    let sigmas = (0..<n).map { _ in Float.random(in: 0.06...0.2, using: &rng) }
    let values = (0..<n).map { i -> Int32 in
        if Int.random(in: 0..<500, using: &rng) == 0 { return Int32.random(in: -1_000_000...1_000_000, using: &rng) }
        let z = Double(means[i]) + Double(sigmas[i]) * Double.random(in: -3...3, using: &rng)
        return Int32((z / grid.binWidth).rounded())
    }
    return (values, means, sigmas, grid)
}
