import Bytes
import XCTest
@testable import BitsBack
@testable import Codec
@testable import ContainerFormat
import Imaging
import TestSupport

/// set-chains.vdmz, bits-back payload version 5: eight 16×12 images coded with the golden model at T = 6
/// as a dataset of three chains, a lender of four images and two borrowers of two (`chainPixels` 384:
/// the default, 2^16, needs far more images than a golden file should hold). Every future build must
/// decode it bit-exactly, image by image too, and encode the same bytes again. Written (only with a
/// deliberate change) by `VDMZ_WRITE_GOLDEN=1 swift test --filter ChainGroupGoldenFileTests`.
final class ChainGroupGoldenFileTests: XCTestCase {
    static let name = "set-chains.vdmz"

    func testChainGroupGoldenFileDecodesBitExactlyAndReencodesToTheSameBytes() throws {
        let coder = try BitsBackCoder(prior: try GoldenFiles.prior(), parameters: ChainParameters(steps: GoldenFiles.steps))
        coder.laneCap = BitsBackCoder.datasetLaneCap
        coder.chainPixels = 2 * 16 * 12
        let named = try (0..<8).map {
            NamedImage(
                name: "chain-\($0).png", image: try makeImage(.rgb, bitDepth: 8, width: 16, height: 12, seed: 40 + UInt64($0)))
        }
        let golden = try GoldenFiles.bytes(Self.name) { try Archive.compress(named, coder: coder, isDataset: true).serialized() }
        let container = try Container(parsing: golden)
        var reader = ByteReader(container.payload)
        XCTAssertEqual(try ChainParameters.decode(from: &reader).version, ChainParameters.groupVersion)
        let group = try ChainGroup.read(from: &reader, imageCount: 8, maxWords: container.payload.count)
        XCTAssertEqual(group.imageCounts, [4, 2, 2])
        XCTAssertTrue(group.loans.contains { $0.taken > 0 }, "no borrower took words: \(group.loans)")
        // Decoded through the factory, as the command line does, whole and image by image.
        let factory = CoderFactory(prior: .checkpoint(path: GoldenFiles.model.path))
        let decoder = try factory.decoder(for: container)
        XCTAssertEqual(try Archive.decompress(container, coder: decoder), named)
        for i in named.indices {
            XCTAssertTrue(try Archive.decompress(container, coder: decoder, wanted: [i]).contains(named[i]), "image \(i)")
        }
        let again = try Archive.compress(named, coder: coder, isDataset: true)
        XCTAssertEqual(try again.serialized(), golden, "encoding the images again no longer gives the golden bytes")
    }
}
