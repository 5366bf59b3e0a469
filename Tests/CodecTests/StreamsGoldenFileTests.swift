import Bytes
import Foundation
import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import Imaging
import Model
import TestSupport

/// rgb8-32x24-streams.vdmz: chain payload version 4, the message cut into 2 streams of one lane. A 32×24
/// image (2,304 sub-pixels) coded with Tests/Golden/model.safetensors at T = 6 by a coder that allows
/// streams of 1,024 sub-pixels (the default asks for 2^16, which a file small enough for the fuzzing seeds
/// does not reach). It is one of the fuzzing seeds (`GoldenFiles.seeds`).
/// Every future build must decode it bit-exactly and re-encode the same bytes with the same setting.
/// Written (only with a deliberate change) by `VDMZ_WRITE_GOLDEN=1 swift test --filter StreamsGoldenFileTests`.
final class StreamsGoldenFileTests: XCTestCase {
    static let name = "rgb8-32x24-streams.vdmz"

    func testStreamsGoldenFileDecodesBitExactlyAndReencodesToTheSameBytes() throws {
        let prior = try DiffusionPrior(checkpoint: Checkpoint(contentsOf: GoldenFiles.model))
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps))
        coder.streamMinimumSubpixels = 1024
        let image = try makeImage(.rgb, bitDepth: 8, width: 32, height: 24, seed: 7)
        let named = [NamedImage(name: "streams.png", image: image)]
        let golden = try GoldenFiles.bytes(Self.name) { try Archive.compress(named, coder: coder, isDataset: false).serialized() }
        let container = try Container(parsing: golden)
        // The payload is version 4 with two streams.
        var reader = ByteReader(container.payload)
        let parameters = try ChainParameters.decode(from: &reader)
        XCTAssertEqual(parameters.version, 4)
        XCTAssertEqual(parameters.streamCount, 2)
        // Decoded through the factory, as the command line does (its coder has the default settings).
        let factory = CoderFactory(prior: .checkpoint(path: GoldenFiles.model.path))
        XCTAssertEqual(try Archive.decompress(container, coder: try factory.decoder(for: container)).map(\.image), [image])
        let again = try Archive.compress(named, coder: coder, isDataset: false)
        XCTAssertEqual(try again.serialized(), golden, "encoding the image again no longer gives the golden bytes")
    }
}
