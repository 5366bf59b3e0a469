import ANS
import ExactMath
import Imaging
import XCTest
@testable import ContextCoding

/// The indexed mode (payload version 5): a stripe of up to 256 colours coded as its palette and the plane
/// of its palette indices. Quantized images (GIF, pngquant) have few colours scattered over the RGB cube,
/// which the colour transforms predict badly: a 256-colour dithered Kodak image was 224,067 bytes with the
/// modes before, larger than its PNG (223,534), and is 187,547 bytes with this one (docs/DESIGN.md §2.12).
final class IndexedStripeTests: XCTestCase {
    /// A smooth field quantized to `colours` colours scattered over the RGB cube (a fixed random palette),
    /// with an index that follows the field, as a quantizer's would.
    private func quantized(_ width: Int, _ height: Int, colours: Int, seed: UInt64) throws -> ModelImage {
        var random = SplitMix64(seed: seed)
        let palette = (0..<colours).map { _ in (random.nextByte(), random.nextByte(), random.nextByte()) }
        return try image(width, height) { x, y in
            let field = (x * x + 3 * x * y + 2 * y * y) / (width + height) + Int(random.next() % 3)
            return palette[field % colours]
        }
    }

    /// The smallest payload `ContextPixelCoder` writes with only the modes before version 5.
    private func smallestWithoutIndices(_ picture: ModelImage) throws -> Int {
        let modes = ContextPixelCoder.candidates(for: picture.pixels, width: picture.width, firstRow: 0, rows: picture.height)
            .filter { !$0.usesIndices }
        return try modes.map { mode in
            var message = try Message(laneCount: 1)
            message.pushForSequentialPop(
                try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: picture.height, mode: mode))
            return message.serializedByteCount
        }.min()!
    }

    func testAQuantizedImageIsCodedByItsIndicesAndSmallerSo() throws {
        for colours in [40, 200] {
            let picture = try quantized(64, 48, colours: colours, seed: UInt64(colours))
            let payload = try roundTrip([picture])
            XCTAssertEqual(payload[0], 5, "\(colours) colours: payload version 5")
            let mode = try XCTUnwrap(StripeMode(byte: payload[1]))
            XCTAssertTrue(mode.usesIndices, "\(colours) colours: the indexed mode, not \(payload[1])")
            let without = try smallestWithoutIndices(picture)
            XCTAssertLessThan(payload.count, without * 4 / 5, "\(colours) colours: at least 20 % below the other modes")
        }
    }

    func testIndexedModeBytes() throws {
        XCTAssertEqual(StripeMode.indexed(matchesNeighbours: false).byte, 9)
        XCTAssertEqual(StripeMode.indexed(matchesNeighbours: true, cancelsBias: true).byte, 9 | 4 | 16)
        XCTAssertEqual(StripeMode.indexed(matchesNeighbours: true, weighted: true).withCopies.byte, 9 | 4 | 32 | 64)
        for matching in [false, true] {
            for (bias, weighted) in [(false, false), (true, false), (false, true)] {
                let mode = StripeMode.indexed(matchesNeighbours: matching, cancelsBias: bias, weighted: weighted)
                XCTAssertEqual(StripeMode(byte: mode.byte, version: 5), mode)
                XCTAssertEqual(StripeMode(byte: mode.withCopies.byte, version: 5), mode.withCopies)
                XCTAssertNil(StripeMode(byte: mode.byte, version: 4), "version 4 has no indexed mode")
                XCTAssertNil(StripeMode(byte: mode.withCopies.byte, version: 4))
            }
        }
        XCTAssertEqual(StripeMode(byte: 8, version: 5), .palette, "byte 8 keeps its meaning")
        XCTAssertNil(StripeMode(byte: 9 | 16 | 32, version: 5), "the weighted model has no bias bit")
        XCTAssertNil(StripeMode(byte: 9 | 2, version: 5), "the index plane is one gray plane")
        XCTAssertNil(StripeMode(byte: 8 | 3, version: 5))
        XCTAssertNil(StripeMode(byte: 128 | 9, version: 5))
    }

    func testCandidatesTakeIndicesOnlyWhereTheyCanDiffer() throws {
        func indexedCount(_ picture: ModelImage) -> Int {
            ContextPixelCoder.candidates(for: picture.pixels, width: picture.width, firstRow: 0, rows: picture.height)
                .filter(\.usesIndices).count
        }
        // Colour stripes of 2…256 colours: all six.
        XCTAssertEqual(indexedCount(try quantized(32, 16, colours: 2, seed: 1)), 6)
        XCTAssertEqual(indexedCount(try quantized(32, 32, colours: 256, seed: 2)), 6)
        // More than 256 colours, or one: none.
        XCTAssertEqual(indexedCount(try noisy(32, 32, seed: 3)), 0)
        XCTAssertEqual(indexedCount(try image(8, 8) { _, _ in (1, 2, 3) }), 0)
        // Gray with contiguous levels (the indices would be the values shifted): none; with gaps: six.
        XCTAssertEqual(
            indexedCount(
                try image(40, 10) { x, _ in
                    let v = UInt8(50 + x); return (v, v, v)
                }), 0)
        XCTAssertEqual(
            indexedCount(
                try image(40, 10) { x, _ in
                    let v = UInt8(5 * x); return (v, v, v)
                }), 6)
    }

    /// The copy layer is tried over the best mode of each family (indexed or not) when the other is within a
    /// quarter of the best: copies can reverse their order (waterloo_squares' palette stripe was 4 bytes
    /// larger when only the best literal mode got the copies).
    func testTheCopyLayerIsTriedOverTheBestOfBothFamilies() throws {
        // Black and white cells 4 × 16 in a XOR pattern: the indexed literal (101 bytes) beats the palette
        // mode (109), but the palette mode takes the copies better (45 against 49).
        let cells = try image(128, 96) { x, y in ((x / 4) ^ (y / 16)) & 1 == 0 ? (0, 0, 0) : (255, 255, 255) }
        let blocks = try image(80, 40) { x, y in
            let k = (x / 5) * 7 + y / 4
            return (UInt8(k * 3 & 255), UInt8(255 - k * 2), UInt8((k * 41) & 255))
        }
        for (name, picture) in [("cells", cells), ("blocks", blocks), ("quantized", try quantized(64, 32, colours: 60, seed: 5))]
        {
            let modes = ContextPixelCoder.candidates(for: picture.pixels, width: picture.width, firstRow: 0, rows: picture.height)
            // Each family's best literal mode, as the encoder's trials find it.
            let families = try [modes.filter(\.usesIndices), modes.filter { !$0.usesIndices }].map { family in
                try XCTUnwrap(
                    try family.map { mode -> (mode: StripeMode, recorder: IntervalRecorder, size: Int) in
                        let recorder = try ContextPixelCoder.recording(picture, firstRow: 0, rows: picture.height, mode: mode)
                        var message = try Message(laneCount: 1)
                        message.pushForSequentialPop(recorder.intervals)
                        return (mode, recorder, message.serializedByteCount)
                    }.min { $0.size < $1.size }, name)
            }.sorted { $0.size < $1.size }
            let best = families[0].size
            var expected = best
            for family in families where family.size <= best + best / 4 {
                let copies = try ContextPixelCoder.copyCoding(of: picture, firstRow: 0, rows: picture.height, literal: family)
                expected = min(expected, copies?.size ?? .max)
            }
            let payload = try roundTrip([picture])
            XCTAssertEqual(payload.count - 2, expected, "\(name): the smallest of both families with and without copies")
            if name == "cells" {
                let bestWithCopies = try XCTUnwrap(
                    try ContextPixelCoder.copyCoding(of: picture, firstRow: 0, rows: picture.height, literal: families[0]))
                XCTAssertLessThan(expected, bestWithCopies.size, "cells: the other family's copies are smaller")
                XCTAssertFalse(families[0].mode.usesPalette, "cells: the best literal mode is not the palette mode")
            }
        }
    }

    /// A stripe below others reads the row above it through its own palette (index 0 for colours it lacks),
    /// on both sides.
    func testAStripeBelowOthersDecodesWhateverColoursTheRowAboveHas() throws {
        let picture = try quantized(29, 11, colours: 30, seed: 7)
        var pixels = picture.pixels
        // Rows 0–3 another stripe, with colours the lower stripe does not have.
        for i in 0..<(4 * 29 * 3) { pixels[i] = UInt8(truncatingIfNeeded: i * 7) }
        let mixed = try ModelImage(width: 29, height: 11, pixels: pixels)
        for mode in [StripeMode.indexed(matchesNeighbours: false), .indexed(matchesNeighbours: true, weighted: true).withCopies] {
            var message = try Message(laneCount: 1)
            message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(mixed, firstRow: 4, rows: 7, mode: mode))
            var decoded = pixels
            for i in (4 * 29 * 3)..<decoded.count { decoded[i] = 0 }
            try ContextPixelCoder.decodeStripe(into: &decoded, width: 29, firstRow: 4, rows: 7, mode: mode, from: &message)
            XCTAssertEqual(decoded, pixels, "mode \(mode.byte)")
            XCTAssertEqual(message, try Message(laneCount: 1), "mode \(mode.byte): the whole stripe is read")
        }
    }

    /// An index beyond the palette, a palette out of order or of one colour is refused, never painted.
    func testIndicesOutsideThePaletteAndUnsortedPalettesAreRefused() throws {
        let mode = StripeMode.indexed(matchesNeighbours: false)
        func payload(palette: [UInt32], indices: [Int32]) throws -> [UInt8] {
            var recorder = IntervalRecorder()
            var palette = palette
            try IndexedStripe.codePalette(&recorder, &palette)
            var plane = [Int32](repeating: 0, count: 4) + indices
            try plane.withUnsafeMutableBufferPointer {
                try ContextPixelCoder.runPredictive(
                    mode.indexPlaneMode, &recorder, planes: $0.baseAddress!, width: 4, rows: 2, firstRow: 0, copies: nil)
            }
            var message = try Message(laneCount: 1)
            message.pushForSequentialPop(recorder.intervals)
            return [5, mode.byte] + message.serialized()
        }
        let shape = try ModelImage(width: 4, height: 2, pixels: [UInt8](repeating: 0, count: 24)).shape(steps: 0)
        let good = try payload(palette: [0x000000, 0x102030, 0xFFFFFF], indices: [0, 1, 2, 1, 0, 1, 2, 2])
        let decoded = try ContextPixelCoder().decode(good, shapes: [shape], progress: nil)
        XCTAssertEqual(Array(decoded[0].pixels[3..<6]), [0x10, 0x20, 0x30])
        XCTAssertThrowsError(
            try ContextPixelCoder().decode(
                try payload(palette: [0x000000, 0x102030], indices: [0, 1, 2, 1, 0, 1, 0, 0]), shapes: [shape], progress: nil),
            "index 2 of a 2-colour palette"
        ) { XCTAssertEqual($0 as? ContextCodingError, .corruptPayload) }
        XCTAssertThrowsError(
            try ContextPixelCoder().decode(
                try payload(palette: [0x102030, 0x000000], indices: [0, 1, 0, 1, 0, 1, 0, 0]), shapes: [shape], progress: nil),
            "a palette out of order"
        ) { XCTAssertEqual($0 as? ContextCodingError, .corruptPayload) }
        XCTAssertThrowsError(
            try ContextPixelCoder().decode(
                try payload(palette: [0x102030], indices: [0, 0, 0, 0, 0, 0, 0, 0]), shapes: [shape], progress: nil),
            "a one-colour palette (the encoder never writes one)"
        ) { XCTAssertEqual($0 as? ContextCodingError, .corruptPayload) }
    }

    /// The golden payload of the indexed mode, `Tests/Golden/context-indexed.payload`: a 40-colour
    /// quantized field under the plain model, and a 200-colour one under the weighted model with neighbour
    /// matching and copies (`checkGoldenPayload`).
    func testIndexedGoldenPayloadDecodesAndReencodes() throws {
        let pictures = [try quantized(23, 14, colours: 40, seed: 11), try quantized(31, 9, colours: 200, seed: 12)]
        try checkGoldenPayload(
            "context-indexed.payload", version: 5, pictures: pictures,
            modes: [.indexed(matchesNeighbours: false), .indexed(matchesNeighbours: true, weighted: true).withCopies])
    }
}
