import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import Imaging
import PixelCoding
import TestSupport

/// The golden sharded archives (Tests/Golden/make_golden.py): container format 4 (written now) and
/// format 3 (the first sharded format, read only). Each shard decodes alone to its PNGs; coding the PNGs
/// again in shards of two gives the format-4 bytes.
final class ShardedGoldenFileTests: XCTestCase {
    private static let names = [["rgba16-7x5.png", "gray8-1x1.png"], ["palette-9x4.png", "graya16-3x8.png"]]

    func testShardedGoldenFilesDecodeBitExactlyAndReencodeToTheSameBytes() throws {
        let prior = try GoldenFiles.prior()
        let cases: [(String, (Int) throws -> any PixelCoder)] = [
            (
                "set-sharded.vdmz",
                {
                    let coder = try BitsBackCoder(
                        prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps), threads: $0)
                    coder.laneCap = BitsBackCoder.datasetLaneCap
                    return coder
                }
            ),
            ("set-sharded-stored.vdmz", { _ in StoredPixelCoder() }),
        ]
        for (archive, makeCoder) in cases {
            let bytes = try GoldenFiles.bytes(archive)
            let originals = try decodeChecked(archive, version: 4, coder: makeCoder(1))
            let again = try ShardedArchive.compress(originals, size: .images(2), threads: 2, makeCoder: makeCoder)
            XCTAssertEqual(again, bytes, "\(archive): encoding the same images no longer gives the golden bytes")
        }
    }

    func testFormat3GoldenFilesStillDecodeBitExactly() throws {
        let prior = try GoldenFiles.prior()
        _ = try decodeChecked("set-sharded-v3.vdmz", version: 3, coder: BitsBackCoder(prior: prior))
        _ = try decodeChecked("set-sharded-stored-v3.vdmz", version: 3, coder: StoredPixelCoder())
    }

    /// Format 4 with chain payload version 2 (written before the posteriors' slots were scrambled).
    func testFormat4GoldenFileOfChainPayload2StillDecodesBitExactly() throws {
        _ = try decodeChecked("set-sharded-chain2.vdmz", version: 4, coder: BitsBackCoder(prior: try GoldenFiles.prior()))
    }

    /// Random access: the last shard's second image alone, decoded without the first (the chain stops
    /// early), equals the PNG.
    func testOneImageOfAShardDecodesWithoutTheImagesBeforeIt() throws {
        let prior = try GoldenFiles.prior()
        let source = MemoryByteSource(try GoldenFiles.bytes("set-sharded.vdmz"))
        let index = try ShardedContainer(readingIndexFrom: source)
        let decoded = try Archive.decompress(index.shard(1, from: source), coder: BitsBackCoder(prior: prior), wanted: [1])
        XCTAssertEqual(decoded.map(\.name), ["graya16-3x8.png"])
        XCTAssertEqual(decoded[0].image, try RasterImage(pngData: try GoldenFiles.bytes("graya16-3x8.png")))
    }

    /// Decodes every shard of `archive` alone (last first), compares each image with its PNG, and
    /// returns the images in order.
    private func decodeChecked(_ archive: String, version: Int, coder: any PixelCoder) throws -> [NamedImage] {
        let source = MemoryByteSource(try GoldenFiles.bytes(archive))
        let index = try ShardedContainer(readingIndexFrom: source)
        XCTAssertEqual(index.version, version, archive)
        XCTAssertEqual(index.shards.map(\.names), Self.names, archive)
        var originals: [NamedImage] = []
        for number in [1, 0] {
            let decoded = try Archive.decompress(index.shard(number, from: source), coder: coder)
            for image in decoded {
                let png = try RasterImage(pngData: try GoldenFiles.bytes(image.name))
                XCTAssertEqual(image.image, png, "\(archive): \(image.name) differs from its PNG")
            }
            originals = decoded + originals
        }
        return originals
    }
}
