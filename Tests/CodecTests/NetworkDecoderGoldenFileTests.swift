import Foundation
import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import Imaging
import Model
import TestSupport

/// rgb8-23x17-netdec.vdmz: rgb8-23x17.png coded by the bits-back coder (T = 6) with
/// Tests/Golden/model-netdec.safetensors, a checkpoint with the network decoder p(x | z_0)
/// ("decoder": "network"). Every future build must decode it bit-exactly and re-encode the same bytes.
/// The model determines the decoder, so the file has today's container and chain payload versions.
/// Written (only with a deliberate change) by `VDMZ_WRITE_GOLDEN=1 swift test --filter NetworkDecoderGoldenFileTests`.
final class NetworkDecoderGoldenFileTests: XCTestCase {
    static let name = "rgb8-23x17-netdec.vdmz"
    static let image = "rgb8-23x17.png"
    static let model = GoldenFiles.directory.appendingPathComponent("model-netdec.safetensors")

    func testNetworkDecoderGoldenFileDecodesBitExactlyAndReencodesToTheSameBytes() throws {
        let prior = try DiffusionPrior(checkpoint: Checkpoint(contentsOf: Self.model))
        XCTAssertEqual(prior.metadata.decoder, .network)
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps))
        let png = try RasterImage(pngData: try GoldenFiles.bytes(Self.image))
        let golden = try GoldenFiles.bytes(Self.name) {
            try Archive.compress([NamedImage(name: Self.image, image: png)], coder: coder, isDataset: false).serialized()
        }
        let container = try Container(parsing: golden)
        XCTAssertEqual(container.version, Container.formatVersion)
        // Decoded through the factory, as the command line does.
        let factory = CoderFactory(prior: .checkpoint(path: Self.model.path))
        let decoded = try Archive.decompress(container, coder: try factory.decoder(for: container))
        XCTAssertEqual(decoded.map(\.image), [png])
        let again = try Archive.compress([NamedImage(name: Self.image, image: png)], coder: coder, isDataset: false)
        XCTAssertEqual(try again.serialized(), golden, "encoding the image again no longer gives the golden bytes")
        // Today's golden model codes the same image to other bytes: the decoder is the model's.
        XCTAssertNotEqual(golden, try GoldenFiles.bytes("rgb8-23x17.png.vdmz"))
    }
}
