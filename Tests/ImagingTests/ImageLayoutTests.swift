import XCTest
@testable import Imaging
import TestSupport

final class ImageLayoutTests: XCTestCase {
    func testEveryKindRoundTripsThroughTheLayout() throws {
        for (colorType, depth) in allKinds {
            for (width, height) in testSizes {
                let image = try makeImage(
                    colorType, bitDepth: depth, width: width, height: height,
                    seed: UInt64(depth * 1000 + width), chunks: colorChunks())
                let parts = ImageLayout.decompose(image)
                XCTAssertEqual(parts.model.pixels.count, width * height * 3)
                let restored = try ImageLayout.compose(header: parts.header, model: parts.model, sidePlanes: parts.sidePlanes)
                XCTAssertEqual(restored, image, "\(image.kindDescription) \(width)×\(height)")
            }
        }
    }

    func testRGB8GoesToTheModelUnchangedWithoutSidePlanes() throws {
        let image = try makeImage(.rgb, bitDepth: 8, width: 5, height: 3)
        let parts = ImageLayout.decompose(image)
        XCTAssertEqual(parts.model.pixels, image.samples)
        XCTAssertEqual(parts.sidePlanes, [])
    }

    func testGrayIsNeutralRGBAndSubEightBitIsScaledExactly() throws {
        let image = try RasterImage(width: 4, height: 1, colorType: .gray, bitDepth: 2, samples: [0, 1, 2, 3])
        let parts = ImageLayout.decompose(image)
        XCTAssertEqual(parts.model.pixels, [0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255])
        let one = try RasterImage(width: 2, height: 1, colorType: .gray, bitDepth: 1, samples: [1, 0])
        XCTAssertEqual(ImageLayout.decompose(one).model.pixels, [255, 255, 255, 0, 0, 0])
    }

    func testSixteenBitScaledFromEightBitHasAZeroLowPlane() throws {
        let eight = try makeImage(.rgba, bitDepth: 8, width: 6, height: 4)
        let wide = try RasterImage(
            width: 6, height: 4, colorType: .rgba, bitDepth: 16,
            samples: eight.samples.flatMap { [$0, $0] })  // v · 257
        let parts = ImageLayout.decompose(wide)
        XCTAssertEqual(parts.sidePlanes.map(\.kind), [.alpha, .alphaLow, .colorLow])
        XCTAssertTrue(parts.sidePlanes[1].bytes.allSatisfy { $0 == 0 })
        XCTAssertTrue(parts.sidePlanes[2].bytes.allSatisfy { $0 == 0 })
        XCTAssertEqual(try ImageLayout.compose(header: parts.header, model: parts.model, sidePlanes: parts.sidePlanes), wide)
    }

    func testDuplicatePaletteColoursAreResolvedByRanks() throws {
        // Entries 0 and 2 are both red (2 is transparent), entry 1 is green.
        let palette: [UInt8] = [255, 0, 0, 0, 255, 0, 255, 0, 0]
        let image = try RasterImage(
            width: 5, height: 1, colorType: .palette, bitDepth: 2, samples: [0, 2, 1, 2, 0],
            palette: palette, transparency: [255, 255, 0])
        let parts = ImageLayout.decompose(image)
        XCTAssertEqual(parts.sidePlanes.first { $0.kind == .paletteRank }?.bytes, [0, 1, 1, 0])
        XCTAssertEqual(try ImageLayout.compose(header: parts.header, model: parts.model, sidePlanes: parts.sidePlanes), image)
    }

    func testIndicesBeyondThePaletteAreCodedAsASidePlane() throws {
        let image = try RasterImage(
            width: 3, height: 1, colorType: .palette, bitDepth: 4, samples: [0, 1, 9],
            palette: [1, 2, 3, 4, 5, 6])
        let parts = ImageLayout.decompose(image)
        XCTAssertEqual(parts.sidePlanes.first { $0.kind == .paletteIndices }?.bytes, [0, 1, 9])
        XCTAssertEqual(try ImageLayout.compose(header: parts.header, model: parts.model, sidePlanes: parts.sidePlanes), image)
    }

    func testInconsistentPlanesAreRejected() throws {
        let gray = ImageLayout.decompose(try makeImage(.gray, bitDepth: 8, width: 2, height: 2))
        var pixels = gray.model.pixels
        pixels[1] &+= 1
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: gray.header, model: ModelImage(width: 2, height: 2, pixels: pixels),
                sidePlanes: []))
        let gray4 = ImageLayout.decompose(try makeImage(.gray, bitDepth: 4, width: 2, height: 2))
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: gray4.header,
                model: ModelImage(width: 2, height: 2, pixels: [UInt8](repeating: 1, count: 12)),
                sidePlanes: []))
        let rgba = ImageLayout.decompose(try makeImage(.rgba, bitDepth: 8, width: 2, height: 2))
        XCTAssertThrowsError(try ImageLayout.compose(header: rgba.header, model: rgba.model, sidePlanes: []))
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: rgba.header, model: rgba.model,
                sidePlanes: rgba.sidePlanes + rgba.sidePlanes))
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: rgba.header, model: rgba.model,
                sidePlanes: rgba.sidePlanes + [SidePlane(kind: .colorLow, bytes: [])]))
        let palette = ImageLayout.decompose(try makeImage(.palette, bitDepth: 8, width: 3, height: 3))
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: palette.header,
                model: ModelImage(width: 3, height: 3, pixels: [UInt8](repeating: 7, count: 27)),
                sidePlanes: palette.sidePlanes))
        XCTAssertThrowsError(
            try ImageLayout.compose(
                header: ImageHeader(width: 3, height: 2, colorType: .rgb, bitDepth: 8, isInterlaced: false),
                model: palette.model, sidePlanes: []))
    }
}
