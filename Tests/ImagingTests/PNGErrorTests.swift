import XCTest
@testable import Imaging
import TestSupport
import ExactMath

final class PNGErrorTests: XCTestCase {
    func testNonPNGIsRejected() {
        XCTAssertThrowsError(try RasterImage(pngData: [])) { XCTAssertEqual($0 as? PNGError, .notPNG) }
        XCTAssertThrowsError(try RasterImage(pngData: Array("GIF89a and more bytes".utf8))) {
            XCTAssertEqual($0 as? PNGError, .notPNG)
        }
    }

    func testEveryTruncationThrows() throws {
        let png = try makeImage(.rgba, bitDepth: 8, width: 7, height: 5, chunks: colorChunks()).pngData()
        for length in 1..<png.count {
            XCTAssertThrowsError(try RasterImage(pngData: Array(png.prefix(length))), "prefix \(length)") { error in
                guard let error = error as? PNGError else { return XCTFail("untyped error \(error)") }
                switch error {
                case .truncated, .corrupt: break
                default: XCTFail("prefix \(length): \(error)")
                }
            }
        }
    }

    func testCRCErrorInImageDataIsReported() throws {
        var png = try makeImage(.rgb, bitDepth: 8, width: 8, height: 8).pngData()
        guard let idat = find(Array("IDAT".utf8), in: png) else { return XCTFail("no IDAT") }
        let length = png[idat - 4..<idat].reduce(0) { $0 << 8 | Int($1) }
        png[idat + 4 + length] ^= 0x40  // first byte of the IDAT CRC
        XCTAssertThrowsError(try RasterImage(pngData: png)) { error in
            guard case .corrupt(let message)? = error as? PNGError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("CRC"), message)
        }
    }

    func testByteFlipsNeverCrash() throws {
        let png = try makeImage(.palette, bitDepth: 8, width: 6, height: 6, chunks: colorChunks()).pngData()
        var random = SplitMix64(seed: 7)
        for position in 0..<png.count {
            var damaged = png
            damaged[position] ^= UInt8(1 << (random.next() % 8))
            _ = try? RasterImage(pngData: damaged)  // must return or throw, never crash
        }
    }

    func testImagesAboveThePixelLimitAreRefused() throws {
        let png = try makeImage(.gray, bitDepth: 8, width: 20, height: 10).pngData()
        XCTAssertThrowsError(try RasterImage(pngData: png, limits: ImageLimits(maxPixels: 199))) {
            XCTAssertEqual($0 as? PNGError, .tooLarge(width: 20, height: 10, limit: 199))
        }
        XCTAssertNoThrow(try RasterImage(pngData: png, limits: ImageLimits(maxPixels: 200)))
    }

    func testHugeDeclaredDimensionsAreRefusedBeforeAllocation() throws {
        // IHDR claims 2^30 × 2^30 pixels: refused from the header alone.
        var png = try makeImage(.rgb, bitDepth: 8, width: 2, height: 2).pngData()
        let ihdr = pngChunk("IHDR", [0x40, 0, 0, 0, 0x40, 0, 0, 0, 8, 2, 0, 0, 0])
        png.replaceSubrange(8..<33, with: ihdr)
        XCTAssertThrowsError(try RasterImage(pngData: png)) {
            XCTAssertEqual($0 as? PNGError, .tooLarge(width: 1 << 30, height: 1 << 30, limit: 1 << 28))
        }
    }

    func testInvalidImagesAreRejectedByTheInitializer() {
        XCTAssertThrowsError(try RasterImage(width: 0, height: 1, colorType: .gray, bitDepth: 8, samples: []))
        XCTAssertThrowsError(try RasterImage(width: 2, height: 1, colorType: .rgb, bitDepth: 4, samples: [0, 0, 0, 0, 0, 0]))
        XCTAssertThrowsError(try RasterImage(width: 2, height: 1, colorType: .gray, bitDepth: 8, samples: [0]))
        XCTAssertThrowsError(try RasterImage(width: 2, height: 1, colorType: .gray, bitDepth: 2, samples: [0, 4]))
        XCTAssertThrowsError(try RasterImage(width: 1, height: 1, colorType: .palette, bitDepth: 8, samples: [0]))
        XCTAssertThrowsError(
            try RasterImage(
                width: 1, height: 1, colorType: .palette, bitDepth: 1, samples: [0],
                palette: [UInt8](repeating: 1, count: 9)))
        XCTAssertThrowsError(
            try RasterImage(
                width: 1, height: 1, colorType: .rgba, bitDepth: 8, samples: [1, 2, 3, 4],
                transparency: [0, 0, 0, 0, 0, 0]))
        XCTAssertThrowsError(try PNGChunk(name: "tEXt", location: .beforeImageData, data: []))
    }
}

func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }

    /// Issue 15, finding 6: an animated PNG used to come back as its first frame, exit 0.
    func testAnimatedPNGIsRefused() throws {
        let still = try RasterImage(width: 2, height: 2, colorType: .rgb, bitDepth: 8, samples: [UInt8](repeating: 7, count: 12))
            .pngData()
        XCTAssertNoThrow(try RasterImage(pngData: still))
        // An acTL chunk (2 frames, loop forever) right after IHDR (8 + 25 bytes), as APNG writers put it.
        var acTL: [UInt8] = [0, 0, 0, 8] + Array("acTL".utf8) + [0, 0, 0, 2, 0, 0, 0, 0]
        acTL += [0, 0, 0, 0]  // CRC (libpng would complain about it; the refusal comes first)
        let animated = Array(still[0..<33]) + acTL + Array(still[33...])
        XCTAssertThrowsError(try RasterImage(pngData: animated)) { XCTAssertEqual($0 as? PNGError, .animated) }
    }
}
