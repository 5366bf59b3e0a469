import Foundation
import XCTest
@testable import Codec
import PixelCoding
import ContainerFormat

/// Every bad input: non-zero exit, one line on standard error, no output created, nothing overwritten,
/// no temporary file left.
final class CLIErrorTests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    private func assertFails(
        _ arguments: [String], mentioning text: String, leaves files: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let result = try cli.run(arguments)
        XCTAssertNotEqual(result.status, 0, "\(arguments) should fail", file: file, line: line)
        XCTAssertEqual(result.errorLines.count, 1, "one-line message expected: \(result.standardError)", file: file, line: line)
        XCTAssertTrue(result.standardError.hasPrefix("vdmz: "), result.standardError, file: file, line: line)
        XCTAssertTrue(result.standardError.contains(text), "'\(text)' not in: \(result.standardError)", file: file, line: line)
        XCTAssertEqual(cli.files(), files.sorted(), "directory contents", file: file, line: line)
    }

    private func validArchive(name: String = "a.png") throws -> [UInt8] {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: name)
        XCTAssertEqual(try cli.run(["compress", "-q", name]).status, 0)
        try FileManager.default.removeItem(atPath: cli.path(name))
        return try XCTUnwrap(cli.read(name + ".vdmz"))
    }

    func testNotAPNG() throws {
        try cli.write(Array("hello, not an image".utf8), to: "text.png")
        try assertFails(["compress", "text.png"], mentioning: "not a PNG", leaves: ["text.png"])
    }

    func testMissingInput() throws {
        try assertFails(["compress", "absent.png"], mentioning: "No such file", leaves: [])
    }

    func testTruncatedArchive() throws {
        let archive = try validArchive()
        try cli.write(Array(archive.prefix(archive.count / 2)), to: "cut.png.vdmz")
        try FileManager.default.removeItem(atPath: cli.path("a.png.vdmz"))
        try assertFails(["decompress", "cut.png.vdmz"], mentioning: "truncated", leaves: ["cut.png.vdmz"])
    }

    func testCorruptedArchive() throws {
        var archive = try validArchive()
        archive[archive.count / 2] ^= 0x10
        try cli.write(archive, to: "a.png.vdmz")
        try assertFails(["decompress", "a.png.vdmz"], mentioning: "corrupted", leaves: ["a.png.vdmz"])
    }

    func testNotAnArchive() throws {
        try cli.write(try testImage(.gray, bitDepth: 8).pngData(), to: "x.vdmz")
        try assertFails(["decompress", "x.vdmz"], mentioning: "not a .vdmz file", leaves: ["x.vdmz"])
        try assertFails(["info", "x.vdmz"], mentioning: "not a .vdmz file", leaves: ["x.vdmz"])
    }

    func testWrongModelHash() throws {
        // A file made with the default checkpoint, decoded with another (the tiny test checkpoint).
        let tiny = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelTests/Fixtures/tiny.safetensors")
        try cli.write(try [UInt8](Data(contentsOf: tiny)), to: "b.ckpt")
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "m.png")
        // The bits-back coder named: on so small an image auto keeps the context coder's file, which needs no model.
        XCTAssertEqual(try cli.run(["compress", "-q", "--coder", "bits-back", "m.png"]).status, 0)
        try FileManager.default.removeItem(atPath: cli.path("m.png"))
        try assertFails(
            ["decompress", "m.png.vdmz", "--model", "b.ckpt"], mentioning: "was compressed with the checkpoint",
            leaves: ["b.ckpt", "m.png.vdmz"])
        try assertFails(
            ["decompress", "m.png.vdmz", "--model", "m.png.vdmz"], mentioning: "not a valid safetensors",
            leaves: ["b.ckpt", "m.png.vdmz"])
    }

    func testExistingOutputIsNotOverwritten() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        try cli.write([42], to: "a.png.vdmz")
        try assertFails(["compress", "a.png"], mentioning: "already exists", leaves: ["a.png", "a.png.vdmz"])
        XCTAssertEqual(cli.read("a.png.vdmz"), [42])
        try FileManager.default.removeItem(atPath: cli.path("a.png.vdmz"))
        XCTAssertEqual(try cli.run(["compress", "-q", "a.png"]).status, 0)
        let original = cli.read("a.png")
        try assertFails(["decompress", "a.png.vdmz"], mentioning: "already exists", leaves: ["a.png", "a.png.vdmz"])
        XCTAssertEqual(cli.read("a.png"), original)
    }

    func testUnwritablePath() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        try assertFails(["compress", "a.png", "-o", "missing-dir/a.vdmz"], mentioning: "missing-dir", leaves: ["a.png"])
    }

    func testOutputCannotReplaceTheInput() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        let before = cli.read("a.png")
        try assertFails(["compress", "--force", "a.png", "-o", "a.png"], mentioning: "overwrite an input", leaves: ["a.png"])
        XCTAssertEqual(cli.read("a.png"), before)
    }

    func testUnknownSuffix() throws {
        let archive = try validArchive()
        try cli.write(archive, to: "archive.bin")
        try FileManager.default.removeItem(atPath: cli.path("a.png.vdmz"))
        try assertFails(["decompress", "archive.bin"], mentioning: "unknown suffix", leaves: ["archive.bin"])
    }

    func testArchiveNamesCannotEscapeTheDirectory() throws {
        for evil in ["../evil.png", "sub/evil.png", ".."] {
            let image = try testImage(.rgb, bitDepth: 8)
            // Archive.compress refuses such a name: rename the entry afterwards, as a hostile tool would.
            let honest = try Archive.compress(
                [NamedImage(name: "ok.png", image: image), NamedImage(name: "x.png", image: image)],
                coder: StoredPixelCoder(), isDataset: true)
            let renamed = zip(honest.images, ["ok.png", evil]).map {
                ContainerImage(name: $1, header: $0.header, steps: $0.steps, sidePlanes: $0.sidePlanes)
            }
            let container = try Container(
                coder: honest.coder, isDataset: true, modelHash: honest.modelHash, images: renamed,
                pixelDigest: honest.pixelDigest, payload: honest.payload)
            try cli.write(try container.serialized(), to: "set.vdmz")
            try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
            try assertFails(["decompress", "set.vdmz", "-d", "out"], mentioning: "refusing", leaves: ["out", "set.vdmz"])
            XCTAssertEqual(cli.files(in: "out"), [], "nothing restored when one entry is refused")
        }
    }

    /// A file whose CRCs hold but whose pixel digest does not match the decoded images (as a faulty
    /// encoder would write): decompress fails and restores none of the images.
    func testPixelDigestMismatchRestoresNothing() throws {
        let images = try [testImage(.rgb, bitDepth: 8, seed: 1), testImage(.gray, bitDepth: 8, seed: 2)].enumerated().map {
            NamedImage(name: "img\($0.offset).png", image: $0.element)
        }
        let container = try Archive.compress(images, coder: StoredPixelCoder(), isDataset: true)
        let wrong = try Container(
            coder: container.coder, isDataset: true, modelHash: container.modelHash, images: container.images,
            pixelDigest: [UInt8](repeating: 0, count: 32), payload: container.payload)
        try cli.write(try wrong.serialized(), to: "set.vdmz")
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
        try assertFails(["decompress", "set.vdmz", "-d", "out"], mentioning: "pixel digest", leaves: ["out", "set.vdmz"])
        XCTAssertEqual(cli.files(in: "out"), [])
    }

    func testImagesAboveThePixelLimitAreRefused() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8, width: 13, height: 7).pngData(), to: "a.png")
        try assertFails(["compress", "--max-pixels", "90", "a.png"], mentioning: "exceeds the limit", leaves: ["a.png"])
        try assertFails(["compress", "--max-pixels", "90", "a.png"], mentioning: "raise it with --max-pixels", leaves: ["a.png"])
        XCTAssertEqual(try cli.run(["compress", "-q", "--max-pixels", "91", "a.png"]).status, 0)
        try FileManager.default.removeItem(atPath: cli.path("a.png"))
        try assertFails(
            ["decompress", "--max-pixels", "90", "a.png.vdmz"], mentioning: "raise it with --max-pixels", leaves: ["a.png.vdmz"])
    }

    /// Too few steps for the shipped model (its ELBO at T = 2 is far above 8 bits/sub-pixel): a one-line
    /// refusal, nothing written, unless --allow-expansion asks for the file anyway.
    func testFewStepsThatWouldExpandThePixelsAreRefused() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8, width: 16, height: 12).pngData(), to: "a.png")
        let bitsBack = ["compress", "--coder", "bits-back", "--steps", "2"]
        try assertFails(bitsBack + ["a.png"], mentioning: "more than the 8 of storing them", leaves: ["a.png"])
        try assertFails(bitsBack + ["a.png"], mentioning: "--allow-expansion", leaves: ["a.png"])
        let allowed = try cli.run(bitsBack + ["-q", "--allow-expansion", "a.png"])
        XCTAssertEqual(allowed.status, 0, allowed.standardError)
        XCTAssertEqual(cli.files(), ["a.png", "a.png.vdmz"])
        // The default (auto) keeps the smallest file: here one of a coder without a model (on this small
        // test pattern zlib's stored planes), so nothing to refuse.
        let auto = try cli.run(["compress", "-q", "--steps", "2", "-o", "auto.vdmz", "a.png"])
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertTrue([0, 2].contains(try XCTUnwrap(cli.read("auto.vdmz"))[10]), "coder tag: stored or context")
    }

    func testStoredCoderRejectsModelOptions() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        try assertFails(["compress", "--coder", "stored", "--steps", "10", "a.png"], mentioning: "--steps", leaves: ["a.png"])
    }
}

final class CLIDeviceTests: XCTestCase {
    func testDevicesAreWrittenInPlaceNeverReplaced() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        let result = try cli.run(["compress", "-q", "--force", "a.png", "-o", "/dev/null"])
        XCTAssertEqual(result.status, 0, result.standardError)
        var info = stat()
        XCTAssertEqual(stat("/dev/null", &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFCHR, "/dev/null must still be a device")
        XCTAssertEqual(cli.files(), ["a.png"])
    }
}
