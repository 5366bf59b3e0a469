import XCTest
import ANS
import BitsBack
import Bytes
@testable import HybridCoding
import Imaging
import Model
import PixelCoding
import TestSupport

/// Round trips of the hybrid coder (tag 3) with the golden test checkpoint at a few steps: both coders on
/// one stack, runs of context regions, the measured choice, and damaged payloads.
final class HybridCoderTests: XCTestCase {
    static let steps = 3

    /// A `width × height` image whose left half is flat with a few lines (graphics) and whose right
    /// half is noisy (a stand-in for a photograph).
    static func mixedImage(width: Int, height: Int, seed: UInt64) throws -> ModelImage {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                let o = (y * width + x) * 3
                if x < width / 2 {
                    let line: UInt8 = y % 5 == 0 ? 40 : 230
                    pixels[o] = line; pixels[o + 1] = line; pixels[o + 2] = 250
                } else {
                    for c in 0..<3 { pixels[o + c] = UInt8((x * 9 + y * 4 + c * 30 + Int(state % 40)) % 256) }
                }
            }
        }
        return try ModelImage(width: width, height: height, pixels: pixels)
    }

    func coder(side: Int = 8, threads: Int = 1, forced: ((Int) -> RegionChoice?)? = nil) throws -> HybridCoder {
        let coder = try HybridCoder(
            prior: try GoldenFiles.prior(), parameters: ChainParameters(steps: Self.steps), regionSide: side,
            threads: threads)
        coder.forcedChoice = forced
        return coder
    }

    func shapes(_ images: [ModelImage]) -> [ModelImageShape] { images.map { $0.shape(steps: Self.steps) } }

    /// Forced choices in a pattern that gives bits-back regions between runs of context regions, odd
    /// region sizes at the right and bottom edges, and two images on one stack.
    func testForcedMixedChoicesRoundTripAndAreRecorded() throws {
        let images = [try Self.mixedImage(width: 21, height: 13, seed: 1), try Self.mixedImage(width: 9, height: 17, seed: 2)]
        // Image 1: 3 × 2 regions; image 2: 2 × 3 regions. Pattern over all 12: c c B / B c c // c B / c c / B c.
        let pattern: [RegionChoice] = [
            .context, .context, .bitsBack, .bitsBack, .context, .context,
            .context, .bitsBack, .context, .context, .bitsBack, .context,
        ]
        let coder = try coder(forced: { pattern[$0] })
        let (payload, choices) = try coder.encodeChoosing(images, progress: nil)
        XCTAssertEqual(choices, pattern)
        XCTAssertEqual(try coder.decode(payload, shapes: shapes(images), progress: nil), images)
        let recorded = try HybridCoder.regionChoices(of: payload, shapes: shapes(images))
        XCTAssertEqual(recorded.side, 8)
        XCTAssertEqual(recorded.images.map { $0.flatMap { $0 } }.flatMap { $0 }, pattern)
        XCTAssertEqual(recorded.images.map(\.count), [2, 3])
    }

    func testAllBitsBackAndAllContextRoundTrip() throws {
        let images = [try Self.mixedImage(width: 12, height: 10, seed: 3)]
        for choice in [RegionChoice.bitsBack, .context] {
            let coder = try coder(side: 5, forced: { _ in choice })
            let (payload, choices) = try coder.encodeChoosing(images, progress: nil)
            XCTAssertEqual(Set(choices), [choice])
            XCTAssertEqual(try coder.decode(payload, shapes: shapes(images), progress: nil), images, "\(choice)")
        }
    }

    /// With one region the measured choice is exact: the payload is the smaller of the two forced ones.
    func testMeasuredChoiceKeepsTheSmallerPayload() throws {
        for seed: UInt64 in [4, 5] {
            let images = [try Self.mixedImage(width: 8, height: 6, seed: seed)]
            let measured = try coder().encode(images, progress: nil)
            let viaChain = try coder(forced: { _ in .bitsBack }).encode(images, progress: nil)
            let viaContext = try coder(forced: { _ in .context }).encode(images, progress: nil)
            XCTAssertEqual(measured.count, min(viaChain.count, viaContext.count))
            XCTAssertEqual(measured, viaContext.count <= viaChain.count ? viaContext : viaChain)
        }
    }

    func testMeasuredChoicesRoundTripAndDoNotDependOnThreads() throws {
        let images = [try Self.mixedImage(width: 24, height: 16, seed: 6)]
        let one = try coder(threads: 1).encodeChoosing(images, progress: nil)
        let three = try coder(threads: 3).encodeChoosing(images, progress: nil)
        XCTAssertEqual(one.payload, three.payload)
        XCTAssertEqual(try coder().decode(one.payload, shapes: shapes(images), progress: nil), images)
    }

    // MARK: damaged payloads

    private func forcedPayload() throws -> (coder: HybridCoder, payload: [UInt8], images: [ModelImage]) {
        let images = [try Self.mixedImage(width: 14, height: 9, seed: 7)]
        let coder = try coder(forced: { $0 % 3 == 1 ? .bitsBack : .context })
        return (coder, try coder.encode(images, progress: nil), images)
    }

    func testTruncatedPayloadsThrow() throws {
        let (coder, payload, images) = try forcedPayload()
        for length in 0..<payload.count {
            XCTAssertThrowsError(
                try coder.decode(Array(payload.prefix(length)), shapes: shapes(images), progress: nil), "\(length)")
        }
    }

    func testDamagedPayloadNeverDecodesSilently() throws {
        let (coder, payload, images) = try forcedPayload()
        for index in 0..<payload.count {
            for flip: UInt8 in [0x01, 0x80] {
                var damaged = payload
                damaged[index] ^= flip
                if let decoded = try? coder.decode(damaged, shapes: shapes(images), progress: nil) {
                    XCTAssertEqual(decoded, images, "byte \(index) ^ \(flip) decoded to a wrong image without an error")
                }
            }
        }
    }

    func testHeaderErrorsAreTyped() throws {
        let (coder, payload, images) = try forcedPayload()
        var version = payload
        version[0] = 2
        XCTAssertThrowsError(try coder.decode(version, shapes: shapes(images), progress: nil)) {
            XCTAssertEqual($0 as? HybridCodingError, .unsupportedVersion(2))
        }
        // 14 × 9 at side 8: 2 × 2 regions, so bits 4…7 of the choice map are unused and must be 0.
        let mapOffset = 1 + 19 + 1
        var unused = payload
        unused[mapOffset] |= 0x80
        XCTAssertThrowsError(try coder.decode(unused, shapes: shapes(images), progress: nil)) {
            XCTAssertEqual($0 as? HybridCodingError, .corruptPayload("unused bits of the choice map are set"))
        }
        var side = payload
        side[1 + 19] = 0
        XCTAssertThrowsError(try coder.decode(side, shapes: shapes(images), progress: nil)) {
            XCTAssertEqual($0 as? HybridCodingError, .corruptPayload("region side 0"))
        }
        // A chain parameter block of version 4 (streams) has no place in a hybrid payload.
        var streams = ChainParameters(steps: Self.steps)
        streams.version = ChainParameters.streamsVersion
        streams.streamCount = 2
        let withStreams = [payload[0]] + streams.encoded + payload[(1 + 19)...]
        XCTAssertThrowsError(try coder.decode(withStreams, shapes: shapes(images), progress: nil)) {
            XCTAssertEqual($0 as? HybridCodingError, .corruptPayload("2 streams in a hybrid payload"))
        }
        // The container's steps must be the payload's.
        XCTAssertThrowsError(try coder.decode(payload, shapes: images.map { $0.shape(steps: Self.steps + 1) }, progress: nil)) {
            guard case .corruptPayload? = $0 as? HybridCodingError else { return XCTFail("\($0)") }
        }
    }

    func testWorkBeyondTheLimitIsRefused() throws {
        let (coder, payload, images) = try forcedPayload()
        coder.limits = ImageLimits(maxWork: 10, workPerPayloadByte: 0)
        XCTAssertThrowsError(try coder.decode(payload, shapes: shapes(images), progress: nil)) {
            guard case .workLimitExceeded? = $0 as? BitsBackError else { return XCTFail("\($0)") }
        }
    }

    func testContextRunsAreCutIntoRowsAndBands() {
        let grid = RegionGrid(width: 20, height: 10, side: 4)  // 5 × 3 regions
        XCTAssertEqual(grid.count, 15)
        XCTAssertEqual(grid.region(4), TileRect(x: 16, y: 0, width: 4, height: 4))
        XCTAssertEqual(grid.region(14), TileRect(x: 16, y: 8, width: 4, height: 2))
        let c = RegionChoice.context, b = RegionChoice.bitsBack
        let choices: [RegionChoice] = [c, c, b, c, c, /**/ c, c, c, c, c, /**/ b, b, c, b, c]
        let units = grid.units(choices[...])
        XCTAssertEqual(units.map(\.choice), [c, b, c, c, b, b, c, b, c])
        XCTAssertEqual(units[0].rect, TileRect(x: 0, y: 0, width: 8, height: 4))
        XCTAssertEqual(units[2].rect, TileRect(x: 12, y: 0, width: 8, height: 4))
        XCTAssertEqual(units[3].rect, TileRect(x: 0, y: 4, width: 20, height: 4))
        XCTAssertEqual(units[8].rect, TileRect(x: 16, y: 8, width: 4, height: 2))
        // Whole rows join into one band: an all-context image is one rectangle.
        XCTAssertEqual(
            grid.units([RegionChoice](repeating: c, count: 15)[...]).map(\.rect), [TileRect(x: 0, y: 0, width: 20, height: 10)])
        // A run from the middle of a row: the rest of that row, a band, the start of the last row.
        let run = grid.units(([b] + [RegionChoice](repeating: c, count: 12) + [b, b])[...])
        XCTAssertEqual(
            run.map(\.rect),
            [
                TileRect(x: 0, y: 0, width: 4, height: 4), TileRect(x: 4, y: 0, width: 16, height: 4),
                TileRect(x: 0, y: 4, width: 20, height: 4), TileRect(x: 0, y: 8, width: 12, height: 2),
                TileRect(x: 12, y: 8, width: 4, height: 2), TileRect(x: 16, y: 8, width: 4, height: 2),
            ])
    }
}
