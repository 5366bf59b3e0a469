import ExactMath
import XCTest
@testable import ANS

final class CategoricalTests: XCTestCase {
    func testFixedTableRoundTripOnRandomParameters() throws {
        var rng = SplitMix64(seed: 11)
        for trial in 0..<30 {
            let precision = [4, 8, 12, 16, 20, 24, 31][trial % 7]
            let k = Int.random(in: 1...Swift.min(300, 1 << precision), using: &rng)
            let freq = randomFrequencies(count: k, precision: precision, rng: &rng)
            let dist = try CategoricalDistribution(frequencies: freq, precision: precision)
            let support = (0..<k).filter { freq[$0] > 0 }
            let n = Int.random(in: 0..<2000, using: &rng)
            let symbols = (0..<n).map { _ in Int32(support.randomElement(using: &rng)!) }
            let start = try randomMessage(laneCount: 1 + trial % 5, words: 3, seed: UInt64(trial))
            var m = start
            try m.push(symbols, with: dist)
            XCTAssertEqual(try m.pop(count: n, with: dist), symbols, "trial \(trial)")
            XCTAssertEqual(m, start)
        }
    }

    func testZeroFrequencyAndOutOfRangeSymbolsThrowAndPushNothing() throws {
        let dist = try CategoricalDistribution(frequencies: [8, 0, 8], precision: 4)
        var m = try Message(laneCount: 2)
        let before = m
        XCTAssertThrowsError(try m.push([0, 1], with: dist))
        XCTAssertThrowsError(try m.push([3], with: dist))
        XCTAssertThrowsError(try m.push([-1], with: dist))
        XCTAssertEqual(m, before)
        XCTAssertThrowsError(try CategoricalDistribution(frequencies: [1, 2], precision: 4))
        XCTAssertThrowsError(try CategoricalDistribution(frequencies: [16], precision: 0))
        // Popping never yields a zero-frequency symbol, whatever the bits.
        let popped = try m.pop(count: 1000, with: dist)
        XCTAssertFalse(popped.contains(1))
    }

    func testQuantizationIsExactAndKeepsEverySymbol() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<200 {
            let k = Int.random(in: 1...300, using: &rng)
            let precision = Int.random(in: 9...28, using: &rng)
            let logits = (0..<k).map { _ in Float.random(in: -60...60, using: &rng) }
            let f = try FrequencyQuantizer.frequencies(logits: logits, precision: precision)
            XCTAssertEqual(f.reduce(UInt64(0)) { $0 + UInt64($1) }, UInt64(1) << UInt64(precision))
            XCTAssertTrue(f.allSatisfy { $0 >= 1 })
            // Deterministic.
            XCTAssertEqual(try FrequencyQuantizer.frequencies(logits: logits, precision: precision), f)
        }
        let p = try FrequencyQuantizer.frequencies(probabilities: [0.5, 0, 0.25, 0.25], precision: 8)
        XCTAssertEqual(p, [128, 0, 64, 64])
        XCTAssertThrowsError(try FrequencyQuantizer.frequencies(logits: [1, .nan], precision: 8))
        XCTAssertThrowsError(try FrequencyQuantizer.frequencies(probabilities: [0, 0], precision: 8))
        XCTAssertThrowsError(try FrequencyQuantizer.frequencies(logits: [Float](repeating: 0, count: 300), precision: 8))
    }

    /// The softmax quantizer that works on the nonzero weights only gives the frequencies of the plain
    /// definition (every weight `ExactMath.exp(lₖ − max l)`, then `quantize` over all of them), bit for
    /// bit, for logits that underflow to zero far from the mode (the pixel decoder's) and for those that
    /// do not.
    func testSoftmaxQuantizerMatchesPlainDefinition() throws {
        var rng = SplitMix64(seed: 13)
        for trial in 0..<400 {
            let k = trial % 4 == 0 ? 256 : Int.random(in: 1...300, using: &rng)
            let precision = Int.random(in: 9...28, using: &rng)
            guard k <= 1 << precision else { continue }
            let center = Double.random(in: -20...Double(k) + 20, using: &rng)
            let width = [0.3, 2, 20, 1e4][trial % 4]
            var logits = (0..<k).map { j -> Float in
                let d = (Double(j) - center) / width
                return Float(-0.5 * d * d + Double.random(in: -0.5...0.5, using: &rng))
            }
            if trial % 7 == 0 { logits[Int.random(in: 0..<k, using: &rng)] = Float.random(in: -800 ... -700, using: &rng) }
            let weights = logits.map { ExactMath.exp(Double($0) - Double(logits.max()!)) }
            var expected = [UInt32](repeating: 0, count: k)
            let plain = weights.withUnsafeBufferPointer { w in
                expected.withUnsafeMutableBufferPointer { o in
                    FrequencyQuantizer.quantize(
                        weights: w.baseAddress!, count: k, precision: precision, everySymbolCanOccur: true,
                        into: o.baseAddress!)
                }
            }
            XCTAssertTrue(plain)
            XCTAssertEqual(try FrequencyQuantizer.frequencies(logits: logits, precision: precision), expected, "trial \(trial)")
        }
    }

    func testQuantizationRateOverheadIsTiny() throws {
        // KL(p ‖ quantized) in bits for 256-way softmaxes at precision 24.
        var rng = SplitMix64(seed: 13)
        var worst = 0.0
        for _ in 0..<50 {
            let logits = (0..<256).map { _ in Float.random(in: -12...4, using: &rng) }
            let f = try FrequencyQuantizer.frequencies(logits: logits, precision: 24)
            let e = logits.map { Foundation.exp(Double($0)) }
            let z = e.reduce(0, +)
            var kl = 0.0
            for j in 0..<256 { let p = e[j] / z; kl += p * Foundation.log2(p / (Double(f[j]) / 0x1p24)) }
            worst = Swift.max(worst, kl)
        }
        XCTAssertLessThan(worst, 1e-4, "quantization overhead \(worst) bits per symbol")
    }

    func testPerSymbolLogitsRoundTrip() throws {
        var rng = SplitMix64(seed: 14)
        for trial in 0..<6 {
            let k = [2, 5, 256][trial % 3]
            let n = Int.random(in: 1..<120, using: &rng)
            let logits = (0..<(n * k)).map { _ in Float.random(in: -8...8, using: &rng) }
            let symbols = (0..<n).map { _ in Int32.random(in: 0..<Int32(k), using: &rng) }
            let start = try randomMessage(laneCount: 1 + trial, words: 2, seed: UInt64(trial))
            var m = start
            try m.pushCategorical(symbols, logits: logits, categoryCount: k, precision: 24)
            XCTAssertEqual(try m.popCategorical(logits: logits, categoryCount: k, precision: 24), symbols)
            XCTAssertEqual(m, start)
            // pop then push
            let popped = try m.popCategorical(logits: logits, categoryCount: k, precision: 20)
            try m.pushCategorical(popped, logits: logits, categoryCount: k, precision: 20)
            XCTAssertEqual(m, start)
        }
        // Extreme logits (e^(l − max) underflows to 0) still give every category frequency ≥ 1.
        let extreme: [Float] = [0, -1e6, -800, 3, -1e30, -50]
        let f = try FrequencyQuantizer.frequencies(logits: extreme, precision: 24)
        XCTAssertTrue(f.allSatisfy { $0 >= 1 })
        let start = try Message(laneCount: 3)
        var e = start
        let every = (0..<6).map { Int32($0) }
        try e.pushCategorical(every, logits: Array(repeating: extreme, count: 6).flatMap { $0 }, categoryCount: 6)
        XCTAssertEqual(try e.popCategorical(logits: Array(repeating: extreme, count: 6).flatMap { $0 }, categoryCount: 6), every)
        XCTAssertEqual(e, start)
        var m = try Message(laneCount: 2)
        XCTAssertThrowsError(try m.pushCategorical([0], logits: [0, 1, 2], categoryCount: 2))
        XCTAssertThrowsError(try m.pushCategorical([2], logits: [0, 1], categoryCount: 2))
        XCTAssertThrowsError(try m.pushCategorical([0], logits: [0, .infinity], categoryCount: 2))
    }
}

import Foundation
