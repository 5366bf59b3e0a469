import ExactMath
import XCTest
@testable import ANS

/// Batches large enough to run their per-element work on several threads (`Message.parallelMinimum`) and
/// to span several segments (`Message.gaussianSegment`, `categoricalSegmentEntries`): the message must be
/// the same for every thread count, and push and pop must stay exact inverses.
final class ParallelCodingTests: XCTestCase {
    func testGaussianBatchesGiveTheSameMessageOnAnyThreadCount() throws {
        let n = 2 * Message.gaussianSegment + 4321  // three segments, not a whole number of lane blocks
        let (values, means, sigmas, grid) = try gaussianTestBatch(count: n, seed: 5)
        for lanes in [16, 5] {
            let start = try randomMessage(laneCount: lanes, words: 8, seed: UInt64(lanes))
            var reference: Message?
            for threads in [1, 2, 3] {
                var m = start
                try m.pushGaussian(values, means: means, standardDeviation: 0.125, under: grid, threads: threads)
                try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: threads)
                if let reference { XCTAssertEqual(m, reference, "\(lanes) lanes, \(threads) threads") } else { reference = m }
                XCTAssertEqual(try m.popGaussian(means: means, standardDeviations: sigmas, under: grid, threads: threads), values)
                XCTAssertEqual(try m.popGaussian(means: means, standardDeviation: 0.125, under: grid, threads: threads), values)
                XCTAssertEqual(m, start)
            }
            // Pop first (samples from whatever bits are there), then push back: the same samples on any thread count.
            var sampled: [Int32]?
            for threads in [1, 3] {
                var m = start
                let popped = try m.popGaussian(means: means, standardDeviations: sigmas, under: grid, threads: threads)
                if let sampled { XCTAssertEqual(popped, sampled) } else { sampled = popped }
                try m.pushGaussian(popped, means: means, standardDeviations: sigmas, under: grid, threads: threads)
                XCTAssertEqual(m, start)
            }
        }
    }

    func testAnInvalidElementFarIntoAParallelBatchThrowsAndCodesNothing() throws {
        let n = Message.gaussianSegment + 100
        let batch = try gaussianTestBatch(count: n, seed: 8)
        let (values, grid) = (batch.values, batch.grid)
        var (means, sigmas) = (batch.means, batch.sigmas)
        let start = try randomMessage(laneCount: 16, words: 4, seed: 1)
        var m = start
        means[n - 50] = .nan
        XCTAssertThrowsError(try m.pushGaussian(values, means: means, standardDeviation: 0.125, under: grid, threads: 2)) {
            XCTAssertEqual("\($0)", "\(ANSError.invalidParameter("mean nan at index \(n - 50) not finite"))")
        }
        XCTAssertEqual(m, start)
        means[n - 50] = 0
        sigmas[n - 20] = 0
        XCTAssertThrowsError(try m.popGaussian(means: means, standardDeviations: sigmas, under: grid, threads: 2))
        XCTAssertThrowsError(try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: 3))
        XCTAssertEqual(m, start)
    }

    func testCategoricalBatchesGiveTheSameMessageOnAnyThreadCount() throws {
        var rng = SplitMix64(seed: 9)
        let k = 256
        let n = Message.categoricalSegmentEntries / k + 77  // two segments of rows
        let logits = (0..<(n * k)).map { _ in Float.random(in: -6...6, using: &rng) }
        let symbols = (0..<n).map { _ in Int32.random(in: 0..<Int32(k), using: &rng) }
        let start = try randomMessage(laneCount: 16, words: 8, seed: 3)
        var pushed: Message?
        var sampled: [Int32]?
        for threads in [1, 2, 3] {
            var m = start
            try m.pushCategorical(symbols, logits: logits, categoryCount: k, precision: 24, threads: threads)
            if let pushed { XCTAssertEqual(m, pushed) } else { pushed = m }
            XCTAssertEqual(try m.popCategorical(logits: logits, categoryCount: k, precision: 24, threads: threads), symbols)
            XCTAssertEqual(m, start)
            let popped = try m.popCategorical(logits: logits, categoryCount: k, precision: 24, threads: threads)
            if let sampled { XCTAssertEqual(popped, sampled) } else { sampled = popped }
            try m.pushCategorical(popped, logits: logits, categoryCount: k, precision: 24, threads: threads)
            XCTAssertEqual(m, start)
        }
        var bad = logits
        bad[(n - 3) * k + 7] = .infinity
        var m = start
        XCTAssertThrowsError(try m.pushCategorical(symbols, logits: bad, categoryCount: k, threads: 2)) {
            XCTAssertEqual("\($0)", "\(ANSError.invalidParameter("non-finite logit in row \(n - 3)"))")
        }
        XCTAssertEqual(m, start)
    }
}
