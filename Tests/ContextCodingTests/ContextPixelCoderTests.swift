import Foundation
import ANS
import ExactMath
import Imaging
import PixelCoding
import TestSupport
import XCTest
@testable import ContextCoding

final class ContextPixelCoderTests: XCTestCase {
    func testRoundTripOfOddShapesAndKinds() throws {
        for (w, h) in testSizes {
            _ = try roundTrip([try noisy(w, h, seed: UInt64(w * 100 + h))])
            _ = try roundTrip([try graphic(w, h)])
            _ = try roundTrip([
                try image(w, h) { x, y in
                    let v = UInt8((x * 7 + y * 3) & 255); return (v, v, v)
                }
            ])
        }
    }

    func testDatasetOfMixedImagesRoundTrips() throws {
        _ = try roundTrip([
            try noisy(17, 9, seed: 1), try graphic(40, 30), try noisy(1, 1, seed: 2),
            try image(12, 12) { _, _ in (9, 9, 9) },
        ])
    }

    func testExtremeResidualsRoundTrip() throws {
        // Alternating 0 and 255 in every channel and opposite chroma: residuals of ±255 and differences of ±255.
        _ = try roundTrip([try image(31, 23) { x, y in (x + y) % 2 == 0 ? (255, 0, 255) : (0, 255, 0) }])
    }

    func testGrayIsCodedAsOnePlaneAndGraphicsByMatching() throws {
        let v = try image(64, 64) { x, y in
            let g = UInt8((x * x + y * 3) & 255); return (g, g, g)
        }
        let gray = try roundTrip([v])
        XCTAssertEqual(StripeMode(byte: gray[1])?.transform, .gray)
        let graphicPayload = try roundTrip([try graphic(128, 96)])
        let graphicMode = try XCTUnwrap(StripeMode(byte: graphicPayload[1]))
        XCTAssertTrue(graphicMode.usesPalette || graphicMode.usesIndices, "a few-colour mode, not \(graphicPayload[1])")
        // 64 flat colours: too many for the palette mode, a case for neighbour matching.
        let blocks = try roundTrip([
            try image(128, 96) { x, y in
                let k = (x / 16) * 8 + y / 12
                return (UInt8(k * 4), UInt8(255 - k * 3), UInt8((k * 37) & 255))
            }
        ])
        XCTAssertEqual(StripeMode(byte: blocks[1])?.matchesNeighbours, true)
        // 12,288 pixels of 4 colours in diagonal bands: under a bit per pixel (raw: 24).
        XCTAssertLessThan(graphicPayload.count * 8, 128 * 96)
    }

    func testThreadCountDoesNotChangeBytes() throws {
        // Noise (raw wins), a palette graphic, flat blocks (neighbour matching), gray, repeated glyphs
        // (the copy layer), and a dataset of them: the same payload for 1, 2, 3 and 5 threads.
        let glyphs = try image(96, 40) { x, y in
            let on = (x % 12 < 8) && (y % 10 < 7) && ((x / 12 + y / 10) % 3 != 0) && ((x % 12) * (y % 10)) % 5 < 3
            return on ? (10, 10, 10) : (240, 235, 220)
        }
        let sets: [[ModelImage]] = [
            [try noisy(33, 17, seed: 4)], [try graphic(64, 48)], [try glyphs],
            [
                try image(48, 32) { x, y in
                    let g = UInt8((x * 5 + y * y) & 255); return (g, g, g)
                }
            ],
            [try noisy(9, 31, seed: 5), try graphic(20, 20), try glyphs],
        ]
        for images in sets {
            let one = try ContextPixelCoder(threads: 1).encode(images, progress: nil)
            for threads in [2, 3, 5] {
                XCTAssertEqual(try ContextPixelCoder(threads: threads).encode(images, progress: nil), one, "\(threads) threads")
            }
        }
    }

    func testSeveralStripesRoundTrip() throws {
        // Width 1: a stripe holds 2^20 rows, so 2^20 + 37 rows make two stripes.
        let height = ContextPixelCoder.stripePixels + 37
        XCTAssertEqual(ContextPixelCoder.stripeCount(width: 1, height: height), 2)
        var random = SplitMix64(seed: 9)
        let pixels = (0..<height).flatMap { y -> [UInt8] in
            y < 1000
                ? [random.nextByte(), 3, 3]
                : [UInt8(truncatingIfNeeded: y >> 4), UInt8(truncatingIfNeeded: y >> 4), UInt8(truncatingIfNeeded: y >> 4)]
        }
        let payload = try roundTrip([try ModelImage(width: 1, height: height, pixels: pixels)])
        XCTAssertEqual(payload.count > 3, true)
        XCTAssertNotEqual(StripeMode(byte: payload[1])?.transform, .gray)
        XCTAssertEqual(StripeMode(byte: payload[2])?.transform, .gray)
    }

    func testDamagedPayloadsThrowOrDecodeToSomethingElse() throws {
        let images = [try noisy(20, 11, seed: 5), try graphic(9, 9)]
        let shapes = images.map { $0.shape(steps: 0) }
        let coder = ContextPixelCoder()
        let payload = try coder.encode(images, progress: nil)
        var random = SplitMix64(seed: 3)
        for position in 0..<payload.count {
            var damaged = payload
            damaged[position] ^= UInt8(1 << (random.next() % 8))
            if let decoded = try? coder.decode(damaged, shapes: shapes, progress: nil) {
                XCTAssertNotEqual(decoded, images, "a flipped byte at \(position) went unnoticed")
            }
        }
        XCTAssertThrowsError(try coder.decode(Array(payload.prefix(payload.count - 1)), shapes: shapes, progress: nil))
        XCTAssertThrowsError(try coder.decode([], shapes: shapes, progress: nil))
        XCTAssertThrowsError(try coder.decode([6] + payload.dropFirst(), shapes: shapes, progress: nil)) { error in
            XCTAssertEqual(error as? ContextCodingError, .unsupportedVersion(6))
        }
    }

    func testSequentialPopsUndoPushesOnAnyLaneCount() throws {
        for lanes in [1, 3, 16] {
            var message = try Message(laneCount: lanes)
            try message.pushUniform([7, 9, 1], bits: 4)
            let before = message
            var intervals: [UInt32] = []
            for i in 0..<100 {
                let value = UInt32(i)
                if i % 3 == 0 {
                    intervals.append(SequentialInterval.raw(value % 32, bits: 5))
                } else {
                    intervals.append(SequentialInterval.packed(start: value * 100, frequency: 1 + value * 7))
                }
            }
            message.pushForSequentialPop(intervals)
            message.withSequentialDecoder { decoder in
                for (i, packed) in intervals.enumerated() {
                    let start = packed >> 16, frequency = (packed & 0xFFFF) + 1
                    let slot = decoder.slot()
                    XCTAssertTrue(slot >= start && slot < start + frequency, "symbol \(i)")
                    decoder.consume(start: start, frequency: frequency)
                }
            }
            XCTAssertEqual(message, before)
        }
    }

    func testEveryModeRoundTripsWhenForced() throws {
        // Gray with 20 levels: valid input for every mode, so each can be forced and must decode exactly.
        let picture = try image(37, 19) { x, y in
            let v = UInt8(((x / 3 + y / 2) % 20) * 12); return (v, v, v)
        }
        var modes: [StripeMode] = [.palette]
        for transform in ColourTransform.allCases {
            for matching in [false, true] {
                for bias in [false, true] {
                    modes.append(StripeMode(transform: transform, matchesNeighbours: matching, cancelsBias: bias))
                }
                modes.append(.weighted(transform, matchesNeighbours: matching))
            }
        }
        // The indexed modes (payload version 5, `IndexedStripe`).
        for matching in [false, true] {
            for bias in [false, true] { modes.append(.indexed(matchesNeighbours: matching, cancelsBias: bias)) }
            modes.append(.indexed(matchesNeighbours: matching, weighted: true))
        }
        // Every mode also with the copy layer (payload version 3, `CopyCoder`), and the raw modes (version 4).
        for mode in modes + modes.map(\.withCopies) + [.raw(.gray), .raw(.rgb)] {
            var message = try Message(laneCount: 1)
            message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: 19, mode: mode))
            let payload = [ContextPixelCoder.currentVersion, mode.byte] + message.serialized()
            let decoded = try ContextPixelCoder().decode(payload, shapes: [picture.shape(steps: 0)], progress: nil)
            XCTAssertEqual(decoded, [picture], "mode \(mode.byte)")
        }
        XCTAssertNil(StripeMode(byte: 9, version: 4), "version 4 has no indexed mode")
        XCTAssertNil(StripeMode(byte: 24))
        XCTAssertNil(StripeMode(byte: 48), "the weighted model has no bias bit")
        XCTAssertNil(StripeMode(byte: 64, version: 2), "version 2 has no copy layer")
        XCTAssertNil(StripeMode(byte: 128, version: 3), "version 3 has no raw mode")
        XCTAssertEqual(StripeMode(byte: 128), StripeMode.raw(.gray), "version 4: the raw mode (RawStripeCoderTests)")
        XCTAssertEqual(StripeMode(byte: 37)?.usesWeightedPredictor, true)
        XCTAssertNil(StripeMode(byte: 32, version: 1), "version 1 has no weighted model")
    }

    /// Payloads of version 1 (modes without bit 5, `StripeCoder` only) still decode; a version-1 payload
    /// naming the weighted model is refused, as is an unknown version.
    func testVersion1PayloadsStillDecode() throws {
        let pictures = [
            try noisy(29, 13, seed: 7), try graphic(33, 21),
            try image(19, 11) { x, y in
                let v = UInt8((x * 11 + y * 5) & 255); return (v, v, v)
            },
        ]
        let modes: [StripeMode] = [
            StripeMode(transform: .ycocg, matchesNeighbours: false, cancelsBias: true),
            StripeMode(transform: .subtractGreen, matchesNeighbours: true),
            StripeMode(transform: .gray, matchesNeighbours: false, cancelsBias: true),
        ]
        var message = try Message(laneCount: 1)
        for (picture, mode) in zip(pictures, modes) {
            message.pushForSequentialPop(
                try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: picture.height, mode: mode))
        }
        let payload = [1] + modes.map(\.byte) + message.serialized()
        let shapes = pictures.map { $0.shape(steps: 0) }
        XCTAssertEqual(try ContextPixelCoder().decode(payload, shapes: shapes, progress: nil), pictures)
        var weighted = payload
        weighted[1] = StripeMode.weighted(.ycocg, matchesNeighbours: false).byte
        XCTAssertThrowsError(try ContextPixelCoder().decode(weighted, shapes: shapes, progress: nil)) {
            XCTAssertEqual($0 as? ContextCodingError, .corruptPayload)
        }
        var future = payload
        future[0] = 6
        XCTAssertThrowsError(try ContextPixelCoder().decode(future, shapes: shapes, progress: nil)) {
            XCTAssertEqual($0 as? ContextCodingError, .unsupportedVersion(6))
        }
    }

    /// The weighted model at the edges of its predictor: 1×1, one row, one column, forced.
    func testWeightedModelRoundTripsOnDegenerateShapes() throws {
        for (w, h) in [(1, 1), (57, 1), (1, 23), (2, 2)] {
            let picture = try noisy(w, h, seed: UInt64(w * 31 + h))
            for matching in [false, true] {
                let mode = StripeMode.weighted(.ycocg, matchesNeighbours: matching)
                var message = try Message(laneCount: 1)
                message.pushForSequentialPop(try ContextPixelCoder.intervalsOf(picture, firstRow: 0, rows: h, mode: mode))
                let payload = [ContextPixelCoder.currentVersion, mode.byte] + message.serialized()
                let decoded = try ContextPixelCoder().decode(payload, shapes: [picture.shape(steps: 0)], progress: nil)
                XCTAssertEqual(decoded, [picture], "\(w)×\(h), matching \(matching)")
            }
        }
    }

    /// The golden payload of the weighted model (payload version 2), `Tests/Golden/context-weighted.payload`:
    /// the curved field of `field-40x32.png` (make_golden.py's formula) forced to the weighted model with
    /// YCoCg-R and neighbour matching, then its green plane as gray under the weighted model without
    /// matching (`checkGoldenPayload`).
    func testWeightedGoldenPayloadDecodesAndReencodes() throws {
        let field = try image(40, 32) { x, y in
            func channel(_ c: Int) -> UInt8 {
                let noise = ((x * 73_856_093) ^ (y * 19_349_663) ^ (c * 83_492_791)) % 9 - 4
                return UInt8(min(255, max(0, 40 + 50 * c + (x * x + (2 + c) * x * y) / (30 + 10 * c) + noise)))
            }
            return (channel(0), channel(1), channel(2))
        }
        let green = try image(40, 32) { x, y in
            let v = field.pixels[(y * 40 + x) * 3 + 1]; return (v, v, v)
        }
        let pictures = [field, green]
        let modes: [StripeMode] = [.weighted(.ycocg, matchesNeighbours: true), .weighted(.gray, matchesNeighbours: false)]
        try checkGoldenPayload("context-weighted.payload", version: 2, pictures: pictures, modes: modes)
    }
}
