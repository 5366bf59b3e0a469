import ExactMath
import Foundation
import XCTest
@testable import ANS

/// The coded length of a long message is within 0.1 % (plus a fixed flush) of its information content.
final class RateTests: XCTestCase {
    func testCategoricalRateIsWithinATenthOfAPercentOfIdeal() throws {
        var rng = SplitMix64(seed: 31)
        let precision = 16
        let freq = randomFrequencies(count: 50, precision: precision, rng: &rng)
        let dist = try CategoricalDistribution(frequencies: freq, precision: precision)
        // Sample symbols from the distribution itself.
        var cumulative = [UInt32](); var acc: UInt32 = 0
        for f in freq { acc += f; cumulative.append(acc) }
        let n = 200_000
        let symbols: [Int32] = (0..<n).map { _ in
            let u = UInt32.random(in: 0..<(1 << UInt32(precision)), using: &rng)
            return Int32(cumulative.firstIndex { u < $0 }!)
        }
        let ideal = symbols.reduce(0.0) { $0 - log2(Double(freq[Int($1)]) / 65536) }
        let lanes = 16
        var m = try Message(laneCount: lanes)
        let empty = m.serializedBitCount
        let emptyContent = m.contentBits
        try m.push(symbols, with: dist)
        let coded = Double(m.serializedBitCount)
        let flush = Double(empty + 32 * lanes)  // header + heads, plus ≤ one partial word per lane
        XCTAssertLessThanOrEqual(coded, ideal * 1.001 + flush, "coded \(coded) bits, ideal \(ideal)")
        XCTAssertGreaterThanOrEqual(coded, ideal)  // cannot beat the information content
        XCTAssertEqual(m.contentBits - emptyContent, ideal, accuracy: ideal * 1e-4 + 64)
    }

    func testGaussianRateIsCloseToIdeal() throws {
        var rng = SplitMix64(seed: 32)
        let grid = try DiscretizedGaussian(binWidth: 1.0 / 32, precision: 26)
        let n = 50_000
        let means = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
        // Draw values by popping from random bits (exact samples of the quantized distribution).
        var source = try Message(laneCount: 8, seed: 5)
        let values = try source.popGaussian(means: means, standardDeviation: 0.5, under: grid)
        var ideal = 0.0
        for i in 0..<n { ideal += try grid.codeLength(of: values[i], mean: means[i], standardDeviation: 0.5) }
        var m = try Message(laneCount: 8)
        let empty = m.serializedBitCount
        try m.pushGaussian(values, means: means, standardDeviation: 0.5, under: grid)
        let coded = Double(m.serializedBitCount)
        XCTAssertLessThanOrEqual(coded, ideal * 1.001 + Double(empty + 32 * 8), "coded \(coded), ideal \(ideal)")
        XCTAssertGreaterThanOrEqual(coded, ideal)
    }
}
