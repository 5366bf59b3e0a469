import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import Imaging
import PixelCoding
import TestSupport

/// The golden sharded archives (container format 3, Tests/Golden/make_golden.py): each shard decodes
/// alone to its PNGs, and coding the PNGs again in shards of two gives the same bytes.
final class ShardedGoldenFileTests: XCTestCase {
    func testShardedGoldenFilesDecodeBitExactlyAndReencodeToTheSameBytes() throws {
        let prior = try GoldenFiles.prior()
        let cases: [(String, (Int) throws -> any PixelCoder)] = [
            (
                "set-sharded.vdmz",
                { try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps), threads: $0) }
            ),
            ("set-sharded-stored.vdmz", { _ in StoredPixelCoder() }),
        ]
        for (archive, makeCoder) in cases {
            let bytes = try GoldenFiles.bytes(archive)
            let source = MemoryByteSource(bytes)
            let index = try ShardedContainer(readingIndexFrom: source)
            XCTAssertEqual(
                index.shards.map(\.names), [["rgba16-7x5.png", "gray8-1x1.png"], ["palette-9x4.png", "graya16-3x8.png"]])
            var originals: [NamedImage] = []
            for number in [1, 0] {
                let decoded = try Archive.decompress(index.shard(number, from: source), coder: makeCoder(1))
                for image in decoded {
                    let png = try RasterImage(pngData: try GoldenFiles.bytes(image.name))
                    XCTAssertEqual(image.image, png, "\(archive): \(image.name) differs from its PNG")
                }
                originals = decoded.map { NamedImage(name: $0.name, image: $0.image) } + originals
            }
            let again = try ShardedArchive.compress(originals, size: .images(2), threads: 2, makeCoder: makeCoder)
            XCTAssertEqual(again, bytes, "\(archive): encoding the same images no longer gives the golden bytes")
        }
    }
}
