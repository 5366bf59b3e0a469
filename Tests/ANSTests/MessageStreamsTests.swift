import Bytes
import ExactMath
import XCTest
@testable import ANS

/// Messages of several streams (`MessageStreams.swift`): each batch split over the streams, element i to
/// stream i mod G; push and pop stay exact inverses, the bytes do not depend on the thread count, one
/// stream is the plain message, and the streams' bytes read back.
final class MessageStreamsTests: XCTestCase {
    /// Logits of `n` rows of 256 categories, and a symbol per row.
    private func categoricalBatch(count n: Int, seed: UInt64) -> (symbols: [Int32], logits: [Float]) {
        var rng = SplitMix64(seed: seed)
        let logits = (0..<(n * 256)).map { _ in Float.random(in: -8...0, using: &rng) }
        let symbols = (0..<n).map { _ in Int32.random(in: 0..<256, using: &rng) }
        return (symbols, logits)
    }

    func testOneStreamIsThePlainMessage() throws {
        let (values, means, sigmas, grid) = try gaussianTestBatch(count: 5000, seed: 1)
        var plain = try Message(laneCount: 8, seed: 3)
        var one = try Message(laneCount: 8, seed: 3, streamCount: 1)
        XCTAssertEqual(plain, one)
        try plain.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: 2)
        try one.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: 2)
        XCTAssertEqual(plain, one)
        var a = ByteWriter(), b = ByteWriter()
        plain.serialize(into: &a)
        one.serializeStreams(into: &b)
        XCTAssertEqual(a.bytes, b.bytes)
        XCTAssertEqual(one.serializedStreamsByteCount, b.bytes.count)
    }

    func testBatchesSplitOverStreamsInvertExactlyOnAnyThreadCount() throws {
        let n = Message.gaussianSegment + 3001  // parallel, two segments per stream for G = 1 … 2
        let (values, means, sigmas, grid) = try gaussianTestBatch(count: n, seed: 2)
        let (symbols, logits) = categoricalBatch(count: 6000, seed: 4)
        for streams in [2, 3, 4] {
            let fresh = try Message(laneCount: 4, seed: 9, streamCount: streams)
            XCTAssertEqual(fresh.streamCount, streams)
            var reference: Message?
            for threads in [1, 2, 3, 5] {
                var m = fresh
                // Bits-back order: a pop from (initial) bits first, then pushes; then everything undone.
                let sampled = try m.popGaussian(means: means, standardDeviation: 0.125, under: grid, threads: threads)
                try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: threads)
                try m.pushCategorical(symbols, logits: logits, categoryCount: 256, threads: threads)
                try m.pushUniform([7, 8, 9], bits: 4)  // a call that codes on stream 0
                if let reference {
                    XCTAssertEqual(m, reference, "\(streams) streams, \(threads) threads")
                } else {
                    reference = m
                }
                XCTAssertEqual(try m.popUniform(count: 3, bits: 4), [7, 8, 9])
                XCTAssertEqual(
                    try m.popCategorical(logits: logits, categoryCount: 256, threads: threads), symbols,
                    "\(streams) streams, \(threads) threads")
                XCTAssertEqual(try m.popGaussian(means: means, standardDeviations: sigmas, under: grid, threads: threads), values)
                try m.pushGaussian(sampled, means: means, standardDeviation: 0.125, under: grid, threads: threads)
                XCTAssertEqual(m, fresh, "back to the fresh message: \(streams) streams, \(threads) threads")
            }
            // Every stream took a share: none is still fresh after the pushes.
            let coded = try XCTUnwrap(reference).separateStreams
            let untouched = try Message(laneCount: 4, seed: 9, streamCount: streams).separateStreams
            for s in 0..<streams { XCTAssertNotEqual(coded[s], untouched[s], "stream \(s) of \(streams)") }
        }
    }

    func testStreamsBalanceTheirContent() throws {
        // Element i goes to stream i mod G, so streams see the same mix and fill alike.
        let (values, means, sigmas, grid) = try gaussianTestBatch(count: 40000, seed: 6)
        var m = try Message(laneCount: 4, seed: 0, streamCount: 4)
        try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid, threads: 2)
        let bits = m.separateStreams.map(\.contentBits)
        for b in bits { XCTAssertEqual(b, bits.reduce(0, +) / 4, accuracy: 0.05 * bits.reduce(0, +) / 4) }
        XCTAssertEqual(m.contentBits, bits.reduce(0, +), accuracy: 1e-6)
    }

    func testStreamsSerializeAndReadBack() throws {
        let (values, means, sigmas, grid) = try gaussianTestBatch(count: 3000, seed: 7)
        var m = try Message(laneCount: 2, seed: 0, streamCount: 3)
        try m.pushGaussian(values, means: means, standardDeviations: sigmas, under: grid)
        var w = ByteWriter()
        m.serializeStreams(into: &w)
        XCTAssertEqual(m.serializedStreamsByteCount, w.bytes.count)
        let back = try Message(serializedStreams: w.bytes, streamCount: 3)
        XCTAssertEqual(back, m)
        XCTAssertEqual(back.separateStreams.map(\.seed), [0, 1, 2])
        // Wrong stream counts, a truncated or a damaged message: errors, never a trap.
        XCTAssertThrowsError(try Message(serializedStreams: w.bytes, streamCount: 2))
        XCTAssertThrowsError(try Message(serializedStreams: w.bytes, streamCount: 4))
        XCTAssertThrowsError(try Message(serializedStreams: w.bytes, streamCount: 0))
        XCTAssertThrowsError(try Message(serializedStreams: w.bytes, streamCount: Message.maxStreamCount + 1))
        XCTAssertThrowsError(try Message(serializedStreams: Array(w.bytes.dropLast(5)), streamCount: 3))
        var damaged = w.bytes
        damaged[damaged.count / 2] ^= 0x10
        XCTAssertThrowsError(try Message(serializedStreams: damaged, streamCount: 3))
        var longLength = w.bytes
        longLength[0] = 0xFF  // the first stream's length runs past the message
        XCTAssertThrowsError(try Message(serializedStreams: longLength, streamCount: 3))
    }

    func testDrawingIsBoundedInEveryStream() throws {
        var m = try Message(laneCount: 2, seed: 0, streamCount: 2)
        m.limitInitialDrawing(toDrawnPlus: 1)
        let grid = try DiscretizedGaussian(binWidth: 1.0 / 4096, precision: 27)
        // Pop far more than two words a stream can give: every stream overdraws.
        _ = try m.popGaussian(means: [Float](repeating: 0, count: 4096), standardDeviation: 1, under: grid)
        XCTAssertTrue(m.isOverdrawn)
        XCTAssertTrue(m.separateStreams.allSatisfy(\.isOverdrawn))
        XCTAssertEqual(m.initialBitsDrawn, m.separateStreams.map(\.initialBitsDrawn).reduce(0, +))
    }
}
