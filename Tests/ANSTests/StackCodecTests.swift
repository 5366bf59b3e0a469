import ExactMath
import XCTest
@testable import ANS

/// The codec law of `StackCodec`: push then pop returns the value and the message; pop on arbitrary bits
/// then push gives the bits back.
final class StackCodecTests: XCTestCase {
    private func codecs(count n: Int, rng: inout SplitMix64) throws -> [GaussianCodec] {
        let grid = try DiscretizedGaussian(binWidth: 0.05, precision: 27)
        let means = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
        let sigmas = (0..<n).map { _ in Float.random(in: 0.1...0.9, using: &rng) }
        let shared = GaussianCodec(means: means, standardDeviation: 0.4, grid: grid)
        let perElement = GaussianCodec(means: means, deviations: .perElement(sigmas), grid: grid)
        return [shared, perElement, shared.inReverseOrder, perElement.inReverseOrder]
    }

    func testPushThenPopIsTheIdentity() throws {
        var rng = SplitMix64(seed: 51)
        for codec in try codecs(count: 300, rng: &rng) {
            let values = codec.means.map { Int32((Double($0) / 0.05 + Double.random(in: -6...6, using: &rng)).rounded()) }
            let start = try randomMessage(laneCount: 4, words: 9, seed: 3)
            var message = start
            try codec.push(values, onto: &message)
            XCTAssertEqual(try codec.pop(from: &message), values)
            XCTAssertEqual(message, start)
        }
    }

    func testPopOnArbitraryBitsThenPushGivesTheBitsBack() throws {
        var rng = SplitMix64(seed: 52)
        for codec in try codecs(count: 200, rng: &rng) {
            let start = try randomMessage(laneCount: 2, words: 700, seed: 4)
            var message = start
            let values = try codec.pop(from: &message)
            XCTAssertLessThan(message.contentBits, start.contentBits)
            try codec.push(values, onto: &message)
            XCTAssertEqual(message, start)
        }
    }

    func testReversedOrderCodesEachElementUnderItsOwnDistribution() throws {
        // Same distributions, other order: the cost of a value is the same (to rANS rounding), the
        // bits on the stack are not.
        var rng = SplitMix64(seed: 53)
        let codec = try codecs(count: 64, rng: &rng)[1]
        let values = codec.means.map { Int32((Double($0) / 0.05).rounded()) }
        var forward = try Message(laneCount: 1, seed: 0)
        var reversed = forward
        try codec.push(values, onto: &forward)
        try codec.inReverseOrder.push(values, onto: &reversed)
        XCTAssertEqual(forward.contentBits, reversed.contentBits, accuracy: 0.01 * forward.contentBits)
        XCTAssertNotEqual(forward, reversed)
        XCTAssertEqual(try codec.inReverseOrder.pop(from: &reversed), values)
    }
}
