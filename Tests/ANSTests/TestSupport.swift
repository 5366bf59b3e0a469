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
