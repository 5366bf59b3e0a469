import Foundation
import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
@testable import ContextCoding
import PixelCoding
import Imaging
import TestSupport

/// The golden `.vdmz` files must decode bit-exactly with every future build, and encoding their images
/// again must give the same bytes: an accidental change to the model math, the coder or the format
/// breaks this test instead of users' archives. (A deliberate change regenerates the files of the
/// current format with Tests/Golden/make_golden.py; files of older versions stay as they are and must
/// keep decoding.)
final class GoldenFileTests: XCTestCase {
    private func cases() throws -> [(archive: String, coder: any PixelCoder, isDataset: Bool)] {
        let prior = try GoldenFiles.prior()
        return [
            (
                "rgb8-23x17.png.vdmz", try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps)),
                false
            ),
            ("set.vdmz", try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps)), true),
            ("set-stored.vdmz", StoredPixelCoder(), true),
            // The context coder (tag 2), payload version 5: RGB, neighbour matching, gray and palette stripes,
            // the weighted model, the copy layer, and the indexed mode (blocks-48x20.png's 60 colours).
            ("context.vdmz", ContextPixelCoder(), true),
        ]
    }

    /// Decodes `archive` and compares every image with its PNG; returns the PNGs' images.
    private func decodeAndCompare(_ archive: String, coder: any PixelCoder, isDataset: Bool, version: Int) throws -> [NamedImage]
    {
        let container = try Container(parsing: try GoldenFiles.bytes(archive))
        XCTAssertEqual(container.version, version, archive)
        XCTAssertEqual(container.isDataset, isDataset, archive)
        let decoded = try Archive.decompress(container, coder: coder)
        XCTAssertEqual(
            decoded.count,
            isDataset
                ? (["context.vdmz", "context-v2.vdmz", "context-v3.vdmz"].contains(archive)
                    ? 6 : archive == "context-v1.vdmz" ? 5 : 4)
                : 1,
            archive)
        var originals: [NamedImage] = []
        for image in decoded {
            let png = try RasterImage(pngData: try GoldenFiles.bytes(image.name))
            XCTAssertEqual(image.image, png, "\(archive): \(image.name) differs from its PNG")
            originals.append(NamedImage(name: image.name, image: png))
        }
        return originals
    }

    func testGoldenFilesDecodeBitExactlyAndReencodeToTheSameBytes() throws {
        for (archive, coder, isDataset) in try cases() {
            let originals = try decodeAndCompare(archive, coder: coder, isDataset: isDataset, version: Container.formatVersion)
            let again = try Archive.compress(originals, coder: coder, isDataset: isDataset).serialized()
            XCTAssertEqual(
                again, try GoldenFiles.bytes(archive), "\(archive): encoding the same images no longer gives the golden bytes")
        }
    }

    /// Version-1 files are no longer written, but every one ever written must still decode bit-exactly.
    func testVersion1GoldenFilesStillDecodeBitExactly() throws {
        let version1 = [
            "rgb8-23x17.png.vdmz": "rgb8-23x17-v1.vdmz", "set.vdmz": "set-v1.vdmz", "set-stored.vdmz": "set-stored-v1.vdmz",
        ]
        // The context coder (tag 2) came after container format 1 and has no version-1 file.
        for (archive, coder, isDataset) in try cases() where archive != "context.vdmz" {
            let old = try XCTUnwrap(version1[archive])
            _ = try decodeAndCompare(old, coder: coder, isDataset: isDataset, version: 1)
        }
    }

    /// Chain payload version 2 (bits-back files written before 2026-12-01, when version 3 scrambled the
    /// posteriors' slots) must still decode bit-exactly.
    func testChainPayloadVersion2GoldenFilesStillDecodeBitExactly() throws {
        let prior = try GoldenFiles.prior()
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: GoldenFiles.steps))
        _ = try decodeAndCompare("rgb8-23x17-chain2.vdmz", coder: coder, isDataset: false, version: 2)
        _ = try decodeAndCompare("set-chain2.vdmz", coder: coder, isDataset: true, version: 2)
        // And they differ from today's files, which is what the version number records.
        XCTAssertNotEqual(try GoldenFiles.bytes("set-chain2.vdmz"), try GoldenFiles.bytes("set.vdmz"))
    }

    /// Context payload version 1 (written before 2026-12-01; container format 2) must still decode bit-exactly.
    func testContextPayloadVersion1StillDecodes() throws {
        _ = try decodeAndCompare("context-v1.vdmz", coder: ContextPixelCoder(), isDataset: true, version: 2)
    }

    /// Context payload version 2 (written before the copy layer, 2026-12-01) must still decode bit-exactly;
    /// the next file of the same images was payload version 3 (some stripes take copies).
    func testContextPayloadVersion2StillDecodes() throws {
        _ = try decodeAndCompare("context-v2.vdmz", coder: ContextPixelCoder(), isDataset: true, version: 2)
        let old = try Container(parsing: try GoldenFiles.bytes("context-v2.vdmz"))
        let new = try Container(parsing: try GoldenFiles.bytes("context-v3.vdmz"))
        XCTAssertEqual(old.payload.first, 2)
        XCTAssertEqual(new.payload.first, 3)
    }

    /// Context payload version 3 (written before the indexed mode, 2026-12-02) must still decode bit-exactly;
    /// today's file of the same images is payload version 5: blocks-48x20.png (60 colours, too many for the
    /// palette mode) takes the indexed mode, and the file is smaller.
    func testContextPayloadVersion3StillDecodes() throws {
        _ = try decodeAndCompare("context-v3.vdmz", coder: ContextPixelCoder(), isDataset: true, version: 2)
        let old = try GoldenFiles.bytes("context-v3.vdmz"), new = try GoldenFiles.bytes("context.vdmz")
        XCTAssertEqual(try Container(parsing: old).payload.first, 3)
        let payload = try Container(parsing: new).payload
        XCTAssertEqual(payload.first, 5)
        // One stripe per image: the second image's mode byte is indexed.
        XCTAssertEqual(StripeMode(byte: payload[2])?.usesIndices, true, "mode byte \(payload[2])")
        XCTAssertLessThan(new.count, old.count)
    }
}
