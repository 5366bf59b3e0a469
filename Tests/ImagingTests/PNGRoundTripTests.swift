import XCTest
@testable import Imaging
import TestSupport

final class PNGRoundTripTests: XCTestCase {
    func testEveryKindAndSizeRoundTripsBitExactly() throws {
        for (colorType, depth) in allKinds {
            for (width, height) in testSizes {
                for interlaced in [false, true] {
                    let image = try makeImage(
                        colorType, bitDepth: depth, width: width, height: height,
                        seed: UInt64(width * 31 + height), interlaced: interlaced)
                    let png = try image.pngData()
                    let decoded = try RasterImage(pngData: png)
                    XCTAssertEqual(decoded, image, "\(image.kindDescription) \(width)×\(height)")
                }
            }
        }
    }

    func testColourKeyTransparencySurvives() throws {
        let gray = try makeImage(.gray, bitDepth: 4, width: 5, height: 4, transparency: [0, 7])
        XCTAssertEqual(try RasterImage(pngData: gray.pngData()).transparency, [0, 7])
        let gray16 = try makeImage(.gray, bitDepth: 16, width: 5, height: 4, transparency: [0x12, 0x34])
        XCTAssertEqual(try RasterImage(pngData: gray16.pngData()), gray16)
        let rgb = try makeImage(.rgb, bitDepth: 8, width: 5, height: 4, transparency: [0, 1, 0, 2, 0, 3])
        XCTAssertEqual(try RasterImage(pngData: rgb.pngData()), rgb)
        let rgb16 = try makeImage(.rgb, bitDepth: 16, width: 5, height: 4, transparency: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try RasterImage(pngData: rgb16.pngData()).transparency, [1, 2, 3, 4, 5, 6])
    }

    func testPaletteTransparencySurvives() throws {
        let image = try makeImage(.palette, bitDepth: 2, width: 6, height: 3, transparency: [0, 128, 255])
        let decoded = try RasterImage(pngData: image.pngData())
        XCTAssertEqual(decoded.transparency, [0, 128, 255])
        XCTAssertEqual(decoded.palette, image.palette)
        XCTAssertEqual(decoded, image)
    }

    func testColourManagementChunksAreKeptVerbatim() throws {
        let chunks = try colorChunks()
        for (colorType, depth) in [(PNGColorType.rgb, 8), (.palette, 4), (.gray, 16)] {
            let image = try makeImage(colorType, bitDepth: depth, width: 4, height: 4, chunks: chunks)
            let decoded = try RasterImage(pngData: image.pngData())
            XCTAssertEqual(decoded.chunks, image.chunks, "\(image.kindDescription)")
            XCTAssertEqual(decoded.chunks.map(\.data), chunks.map(\.data))
        }
    }

    func testUnkeptChunksAreDropped() throws {
        // A PNG with a tEXt chunk inserted after IHDR reads back without it.
        let image = try makeImage(.rgb, bitDepth: 8, width: 3, height: 2)
        var png = try image.pngData()
        let text = pngChunk("tEXt", Array("Comment\u{0}hello".utf8))
        png.insert(contentsOf: text, at: 33)
        let decoded = try RasterImage(pngData: png)
        XCTAssertEqual(decoded, image)
        XCTAssertTrue(decoded.chunks.isEmpty)
    }

    func testPaletteIndexBeyondPaletteIsReadAndWrittenAsIs() throws {
        // 4-bit palette with 3 entries; indices 0…15.
        let samples: [UInt8] = (0..<16).map { UInt8($0) }
        let image = try RasterImage(
            width: 4, height: 4, colorType: .palette, bitDepth: 4, samples: samples,
            palette: [10, 20, 30, 40, 50, 60, 70, 80, 90])
        XCTAssertEqual(try RasterImage(pngData: image.pngData()), image)
    }
}

/// A PNG chunk with its length and CRC.
func pngChunk(_ name: String, _ data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(name.utf8) + data
    let length = UInt32(data.count)
    let crc = Zlib.crc32(typeAndData[...])
    return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) } + typeAndData
        + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc >> $0) }
}
