import ContextCoding
import ExactMath
import Foundation
import Imaging
import PixelCoding
import TestSupport
import XCTest
@testable import Codec
@testable import ContainerFormat

/// The alpha plane coded by the context coder (side plane kind 9): smaller for an alpha that is an image,
/// left as zlib where it is not, and refused whenever it does not decode to a gray plane of the image's
/// size.
final class AlphaPlaneCodingTests: XCTestCase {
    /// An RGBA image of `width` × `height` with `alpha(x, y)` over a colour ramp.
    private func rgba(_ width: Int, _ height: Int, alpha: (Int, Int) -> UInt8) throws -> NamedImage {
        var samples: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width { samples += [UInt8((x * 5) & 255), UInt8((y * 7) & 255), 90, alpha(x, y)] }
        }
        let image = try RasterImage(width: width, height: height, colorType: .rgba, bitDepth: 8, samples: samples)
        return NamedImage(name: "a.png", image: image)
    }

    /// A soft round mask, as a cut-out's.
    private func softMask(_ width: Int, _ height: Int) throws -> NamedImage {
        try rgba(width, height) { x, y in
            let dx = Double(x) - Double(width) / 2, dy = Double(y) - Double(height) / 2
            let d = (dx * dx + dy * dy).squareRoot()
            return UInt8(max(0, min(255, (Double(min(width, height)) * 0.4 - d) * 25)))
        }
    }

    private func kinds(_ container: Container) -> [SidePlane.Kind] { container.images[0].sidePlanes.map(\.kind) }

    func testASoftMaskIsContextCodedSmallerAndDecodesExactly() throws {
        let image = try softMask(96, 64)
        for coder in [StoredPixelCoder() as any PixelCoder, ContextPixelCoder()] {
            let container = try Archive.compress([image], coder: coder, isDataset: false)
            XCTAssertEqual(kinds(container), [.alphaModelled], "\(coder.kind)")
            let parsed = try Container(parsing: try container.serialized())
            XCTAssertEqual(try Archive.decompress(parsed, coder: coder).map(\.image), [image.image], "\(coder.kind)")
            // Smaller in the file than the zlib stream of the plane it replaces.
            let plain = ImageLayout.decompose(image.image).sidePlanes.first { $0.kind == .alpha }!
            XCTAssertLessThan(
                try Zlib.compress(container.images[0].sidePlanes[0].bytes).count, try Zlib.compress(plain.bytes).count)
        }
    }

    /// Sharded datasets model each alpha plane once for every coder tried; the bytes do not depend on the
    /// thread count nor on whether the planes were made beforehand, and every image comes back.
    func testShardedRGBAArchivesAreIndependentOfThreadsAndDecode() throws {
        let images = try (0..<4).map { k in
            NamedImage(name: "m\(k).png", image: try softMask(40 + 8 * k, 24 + 4 * k).image)
        }
        let size = ShardSize.images(2)
        var outputs: [[UInt8]] = []
        for threads in [1, 3] {
            for premade in [false, true] {
                let decomposed = premade ? try ShardedArchive.decomposing(images, size: size, threads: threads) : nil
                let shards = try ShardedArchive.compressShards(
                    images, size: size, threads: threads, decomposed: decomposed, makeCoder: { _ in ContextPixelCoder() })
                XCTAssertEqual(
                    shards.flatMap { $0.images.map { $0.sidePlanes.map(\.kind) } },
                    [[SidePlane.Kind]](repeating: [.alphaModelled], count: 4))
                outputs.append(try ShardedContainer.assemble(shards))
                let decoded = try shards.flatMap { try Archive.decompress($0, coder: ContextPixelCoder()) }
                XCTAssertEqual(decoded, images)
            }
        }
        XCTAssertEqual(Set(outputs).count, 1, "the same bytes for 1 and 3 threads, planes made before or not")
    }

    func testAnAlphaThatIsNoImageStaysZlib() throws {
        var random = SplitMix64(seed: 4)
        let noise = try rgba(40, 30) { _, _ in random.nextByte() }
        XCTAssertEqual(kinds(try Archive.compress([noise], coder: StoredPixelCoder(), isDataset: false)), [.alpha])
        let flat = try rgba(40, 30) { _, _ in 255 }
        XCTAssertEqual(kinds(try Archive.compress([flat], coder: StoredPixelCoder(), isDataset: false)), [.alpha])
    }

    func testContextCodedAlphaThatDoesNotFitIsRefused() throws {
        let width = 12, height = 9
        func payload(_ pixel: (Int, Int) -> (UInt8, UInt8, UInt8), width: Int = 12, height: Int = 9) throws -> [UInt8] {
            var pixels: [UInt8] = []
            for y in 0..<height { for x in 0..<width { let (r, g, b) = pixel(x, y); pixels += [r, g, b] } }
            return try ContextPixelCoder().encode([try ModelImage(width: width, height: height, pixels: pixels)], progress: nil)
        }
        let gray = try payload { x, y in
            let v = UInt8(x * 9 + y); return (v, v, v)
        }
        let restored = try AlphaPlaneCoding.restoring(
            [SidePlane(kind: .alphaModelled, bytes: gray)], width: width, height: height)
        XCTAssertEqual(restored.map(\.kind), [.alpha])
        XCTAssertEqual(restored[0].bytes, (0..<(width * height)).map { UInt8(($0 % width) * 9 + $0 / width) })
        let refusals: [(String, [SidePlane], Int)] = [
            (
                "beside an alpha plane",
                [
                    SidePlane(kind: .alpha, bytes: [UInt8](repeating: 0, count: 108)),
                    SidePlane(kind: .alphaModelled, bytes: gray),
                ], width
            ),
            ("not gray", [SidePlane(kind: .alphaModelled, bytes: try payload { x, _ in (UInt8(x), 0, 0) })], width),
            (
                "a payload of another width (its stripes and message do not fit)", [SidePlane(kind: .alphaModelled, bytes: gray)],
                width + 1
            ),
            ("corrupt", [SidePlane(kind: .alphaModelled, bytes: Array(gray.dropLast()))], width),
        ]
        for (why, planes, w) in refusals {
            XCTAssertThrowsError(try AlphaPlaneCoding.restoring(planes, width: w, height: height), why) {
                guard case .inconsistentPlanes = $0 as? LayoutError else { return XCTFail("\(why): \($0)") }
            }
        }
    }

    /// The golden file of side plane kind 9, `Tests/Golden/alpha-context.vdmz` (alpha-48x32.png, a soft
    /// round mask, with the context coder): decodes bit-exactly, and encoding the PNG again gives its bytes.
    func testGoldenFileWithAContextCodedAlphaPlane() throws {
        let golden = try GoldenFiles.bytes("alpha-context.vdmz")
        let container = try Container(parsing: golden)
        XCTAssertEqual(kinds(container), [.alphaModelled])
        let png = try RasterImage(pngData: try GoldenFiles.bytes("alpha-48x32.png"))
        XCTAssertEqual(try Archive.decompress(container, coder: ContextPixelCoder()).map(\.image), [png])
        let again = try Archive.compress(
            [NamedImage(name: "alpha-48x32.png", image: png)], coder: ContextPixelCoder(), isDataset: false)
        XCTAssertEqual(try again.serialized(), golden, "encoding the golden image no longer gives the golden bytes")
    }
}
