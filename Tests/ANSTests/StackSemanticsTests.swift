import ExactMath
import XCTest
@testable import ANS

/// Calls of different kinds and sizes compose as a stack: undoing them in reverse order restores the
/// message exactly, and interleaved pops/pushes (the bits-back pattern) are exact inverses.
final class StackSemanticsTests: XCTestCase {
    func testMixedKindsAndSizesUndoInReverseOrder() throws {
        var rng = SplitMix64(seed: 41)
        let table = try CategoricalDistribution(
            frequencies: randomFrequencies(count: 20, precision: 14, rng: &rng), precision: 14)
        let grid = try DiscretizedGaussian(binWidth: 0.01, precision: 26)
        for lanes in [1, 5, 16] {
            let start = try randomMessage(laneCount: lanes, words: 3, seed: UInt64(lanes))
            var m = start
            // Bits-back-like sequence: pop latents, push data, pop more latents, push latents.
            let means1 = (0..<37).map { _ in Float.random(in: -1...1, using: &rng) }
            let z1 = try m.popGaussian(means: means1, standardDeviation: 0.2, under: grid)
            let data = try m.pop(count: 23, with: table)  // any symbols of the support
            try m.push(data, with: table)
            let means2 = (0..<101).map { _ in Float.random(in: -1...1, using: &rng) }
            let sigmas2 = (0..<101).map { _ in Float.random(in: 0.05...0.3, using: &rng) }
            let z2 = try m.popGaussian(means: means2, standardDeviations: sigmas2, under: grid)
            let raw = (0..<9).map { _ in UInt32.random(in: 0..<(1 << 20), using: &rng) }
            try m.pushUniform(raw, bits: 20)
            try m.pushGaussian(z1, means: means2.prefix(37).map { $0 }, standardDeviation: 0.5, under: grid)
            let afterAll = m
            // Undo everything in reverse.
            XCTAssertEqual(try m.popGaussian(means: means2.prefix(37).map { $0 }, standardDeviation: 0.5, under: grid), z1)
            XCTAssertEqual(try m.popUniform(count: 9, bits: 20), raw)
            try m.pushGaussian(z2, means: means2, standardDeviations: sigmas2, under: grid)
            XCTAssertEqual(try m.pop(count: 23, with: table), data)
            try m.push(data, with: table)
            try m.pushGaussian(z1, means: means1, standardDeviation: 0.2, under: grid)
            XCTAssertEqual(m, start, "lanes \(lanes)")
            // And serialization in the middle of a chain is transparent.
            var copy = try Message(serialized: afterAll.serialized())
            XCTAssertEqual(try copy.popGaussian(means: means2.prefix(37).map { $0 }, standardDeviation: 0.5, under: grid), z1)
        }
    }
}
