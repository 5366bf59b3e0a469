import Foundation
import XCTest
@testable import Codec
import ContainerFormat
import BitsBack
@testable import HybridCoding
import PixelCoding
import Imaging
import TestSupport

/// The golden file of the hybrid coder (tag 3, payload version 1): `Tests/Golden/hybrid.vdmz`, the image
/// rgb8-23x17.png in 8-pixel regions with both coders chosen. With the tiny golden checkpoint the
/// measured choice is the context coder everywhere, so the file is made with a fixed pattern of choices
/// (the encoder's test hook), recorded in the file like any other: write it again with
/// `VDMZ_WRITE_GOLDEN=1 swift test --filter HybridGoldenFileTests` (only with a deliberate format change).
final class HybridGoldenFileTests: XCTestCase {
    static let name = "hybrid.vdmz"
    static let image = "rgb8-23x17.png"
    /// The 3 × 3 regions' choices, raster order: context runs across rows and bits-back between them.
    static let pattern: [RegionChoice] = [
        .context, .bitsBack, .context, .context, .context, .bitsBack, .context, .context, .bitsBack,
    ]

    func coder() throws -> HybridCoder {
        try HybridCoder(prior: try GoldenFiles.prior(), parameters: ChainParameters(steps: GoldenFiles.steps), regionSide: 8)
    }

    func testHybridGoldenFileDecodesBitExactlyAndReencodesToTheSameBytes() throws {
        let png = try RasterImage(pngData: try GoldenFiles.bytes(Self.image))
        let golden = try GoldenFiles.bytes(Self.name) {
            let forced = try self.coder()
            forced.forcedChoice = { Self.pattern[$0] }
            return try Archive.compress([NamedImage(name: Self.image, image: png)], coder: forced, isDataset: false).serialized()
        }
        let container = try Container(parsing: golden)
        XCTAssertEqual(container.coder, .hybrid)
        XCTAssertEqual(container.version, Container.formatVersion)
        // Decoded through the factory, as the command line does.
        let factory = CoderFactory(prior: .checkpoint(path: GoldenFiles.model.path))
        let decoded = try Archive.decompress(container, coder: try factory.decoder(for: container))
        XCTAssertEqual(decoded.map(\.image), [png])
        let recorded = try HybridCoder.regionChoices(of: container.payload, shapes: container.images.map(\.shape))
        XCTAssertEqual(recorded.side, 8)
        XCTAssertEqual(recorded.images.flatMap { $0 }.flatMap { $0 }, Self.pattern)
        // Encoding the image again with the recorded choices gives the same bytes.
        let coder = try coder()
        coder.forcedChoice = { Self.pattern[$0] }
        let again = try Archive.compress([NamedImage(name: Self.image, image: png)], coder: coder, isDataset: false)
        XCTAssertEqual(try again.serialized(), golden, "encoding the golden image again no longer gives the golden bytes")
    }
}
