import Foundation
import XCTest
@testable import Codec

/// The golden `.vdmz` files must decode bit-exactly with every future build, and encoding their images
/// again must give the same bytes: an accidental change to the model math, the coder or the format
/// breaks this test instead of users' archives. (A deliberate format change bumps the version and
/// regenerates the files with Tests/Golden/make_golden.py.)
final class GoldenFileTests: XCTestCase {
    func testGoldenFilesDecodeBitExactlyAndReencodeToTheSameBytes() throws {
        let prior = try GoldenFiles.prior()
        let cases: [(archive: String, coder: any PixelCoder, isDataset: Bool)] = [
            ("rgb8-23x17.png.vdmz", try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps)), false),
            ("set.vdmz", try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps)), true),
            ("set-stored.vdmz", StoredPixelCoder(), true),
        ]
        for (archive, coder, isDataset) in cases {
            let bytes = try GoldenFiles.bytes(archive)
            let container = try Container(parsing: bytes)
            let decoded = try Archive.decompress(container, coder: coder)
            var originals: [NamedImage] = []
            for image in decoded {
                let png = try RasterImage(pngData: try GoldenFiles.bytes(image.name))
                XCTAssertEqual(image.image, png, "\(archive): \(image.name) differs from its PNG")
                originals.append(NamedImage(name: image.name, image: png))
            }
            XCTAssertEqual(decoded.count, isDataset ? 4 : 1, archive)
            let again = try Archive.compress(originals, coder: coder, isDataset: isDataset).serialized()
            XCTAssertEqual(again, bytes, "\(archive): encoding the same images no longer gives the golden bytes")
        }
    }
}
