import Foundation
import XCTest
@testable import Codec
import Imaging
import ContainerFormat

final class CLIRoundTripTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    func testCompressAndDecompressRestoreEveryKindBitExactly() throws {
        let kinds: [(PNGColorType, Int)] = [(.rgb, 8), (.rgba, 16), (.gray, 1), (.gray, 16), (.grayAlpha, 8), (.palette, 4)]
        for (colorType, depth) in kinds {
            let image = try testImage(colorType, bitDepth: depth)
            let png = try image.pngData()
            try cli.write(png, to: "in.png")
            let compress = try cli.run(["compress", "-q", "--verify", "in.png"])
            XCTAssertEqual(compress.status, 0, compress.standardError)
            XCTAssertEqual(compress.standardError, "")
            XCTAssertEqual(cli.read("in.png"), png, "input must not be modified")
            try FileManager.default.removeItem(atPath: cli.path("in.png"))
            let decompress = try cli.run(["decompress", "-q", "in.png.vdmz"])
            XCTAssertEqual(decompress.status, 0, decompress.standardError)
            let restored = try RasterImage(pngData: XCTUnwrap(cli.read("in.png")))
            XCTAssertEqual(restored, image, "\(image.kindDescription)")
            XCTAssertEqual(cli.files(), ["in.png", "in.png.vdmz"])
            try FileManager.default.removeItem(atPath: cli.path("in.png"))
            try FileManager.default.removeItem(atPath: cli.path("in.png.vdmz"))
        }
    }

    func testStandardInputAndOutput() throws {
        let image = try testImage(.rgba, bitDepth: 8)
        let compressed = try cli.run(["compress", "-"], input: try image.pngData())
        XCTAssertEqual(compressed.status, 0, compressed.standardError)
        XCTAssertEqual(Array(compressed.standardOutput.prefix(8)), Container.magic)
        let restored = try cli.run(["decompress", "-"], input: compressed.standardOutput)
        XCTAssertEqual(restored.status, 0, restored.standardError)
        XCTAssertEqual(try RasterImage(pngData: restored.standardOutput), image)
        XCTAssertEqual(cli.files(), [])
    }

    func testDatasetArchiveRestoresEveryFileByName() throws {
        let images = try [
            testImage(.rgb, bitDepth: 8, seed: 1), testImage(.gray, bitDepth: 8, seed: 2),
            testImage(.palette, bitDepth: 8, width: 3, height: 40, seed: 3),
        ]
        for (index, image) in images.enumerated() { try cli.write(try image.pngData(), to: "img\(index).png") }
        let compress = try cli.run([
            "compress", "-q", "--coder", "bits-back", "img0.png", "img1.png", "img2.png", "-o", "set.vdmz",
        ])
        XCTAssertEqual(compress.status, 0, compress.standardError)
        let info = try cli.run(["info", "set.vdmz"])
        XCTAssertEqual(info.status, 0, info.standardError)
        let text = String(decoding: info.standardOutput, as: UTF8.self)
        XCTAssertTrue(text.contains("images:   3 (dataset archive)"), text)
        XCTAssertTrue(text.contains("coder:    bits-back"), text)
        XCTAssertTrue(text.contains("img2.png: 3×40 palette 8-bit"), text)
        XCTAssertTrue(text.contains(".vdmz format 2,"), text)
        XCTAssertTrue(text.contains("pixels:   SHA-256 digest "), text)
        XCTAssertTrue(text.contains("chain:    payload version 3, T = "), text)  // small images: one stream
        XCTAssertFalse(text.contains("pixel SHA-256"), text)
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: false)
        let decompress = try cli.run(["decompress", "-q", "set.vdmz", "-d", "out"])
        XCTAssertEqual(decompress.status, 0, decompress.standardError)
        XCTAssertEqual(cli.files(in: "out"), ["img0.png", "img1.png", "img2.png"])
        for (index, image) in images.enumerated() {
            XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("out/img\(index).png"))), image)
        }
    }

    func testForceOverwritesAndOutputOptionNamesTheFile() throws {
        let image = try testImage(.rgb, bitDepth: 16)
        try cli.write(try image.pngData(), to: "a.png")
        try cli.write([1, 2, 3], to: "b.vdmz")
        XCTAssertEqual(try cli.run(["compress", "-q", "--force", "a.png", "-o", "b.vdmz"]).status, 0)
        XCTAssertEqual(try cli.run(["decompress", "-q", "b.vdmz", "-o", "c.png"]).status, 0)
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("c.png"))), image)
        XCTAssertEqual(cli.files().filter { $0.hasPrefix(".") }, [])
    }

    /// Tests/Golden.
    private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    /// Copies the golden file `name` into the working folder as `copy` and returns what `vdmz info` prints.
    private func infoOfGoldenFile(_ name: String, copiedTo copy: String) throws -> String {
        try cli.write(Array(try Data(contentsOf: golden.appendingPathComponent(name))), to: copy)
        let info = try cli.run(["info", copy])
        XCTAssertEqual(info.status, 0, info.standardError)
        return String(decoding: info.standardOutput, as: UTF8.self)
    }

    /// `info` names the chain payload version and its streams (the golden file of payload version 4).
    func testInfoShowsTheChainPayloadVersionAndStreams() throws {
        let text = try infoOfGoldenFile("rgb8-32x24-streams.vdmz", copiedTo: "s.vdmz")
        XCTAssertTrue(text.contains("chain:    payload version 4, T = 6, 1 lane in each of 2 streams"), text)
    }

    /// A version-1 archive (a golden file) still restores every image, and `info` shows its version and
    /// its per-image checksums.
    func testVersion1ArchivesStillDecompress() throws {
        let text = try infoOfGoldenFile("set-stored-v1.vdmz", copiedTo: "old.vdmz")
        XCTAssertTrue(text.contains(".vdmz format 1,"), text)
        XCTAssertTrue(text.contains("gray8-1x1.png: 1×1 gray 8-bit, steps 0, side planes 0 bytes stored, pixel SHA-256 "), text)
        XCTAssertFalse(text.contains("digest"), text)
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: false)
        let decompress = try cli.run(["decompress", "-q", "old.vdmz", "-d", "out"])
        XCTAssertEqual(decompress.status, 0, decompress.standardError)
        let names = ["gray8-1x1.png", "graya16-3x8.png", "palette-9x4.png", "rgba16-7x5.png"]
        XCTAssertEqual(cli.files(in: "out"), names)
        for name in names {
            let original = try RasterImage(pngData: Array(try Data(contentsOf: golden.appendingPathComponent(name))))
            XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("out/" + name))), original, name)
        }
    }
}
