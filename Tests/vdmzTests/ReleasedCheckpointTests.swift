import Foundation
import XCTest
@testable import Codec
import Imaging
import ContainerFormat

/// Archives made with an earlier release's default checkpoint decode without `--model` when the build
/// keeps that checkpoint under `Resources/released/<sha256>.safetensors`.
final class ReleasedCheckpointTests: XCTestCase {
    func testArchivesOfAReleasedCheckpointDecodeByItsHash() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden")
        let archive = Array(try Data(contentsOf: golden.appendingPathComponent("rgb8-23x17.png.vdmz")))
        try cli.write(archive, to: "g.png.vdmz")
        let hash = Archive.hex(try Container(parsing: archive).modelHash)

        // A copy of this build: its executable and its resource bundle, without the golden checkpoint.
        let install = cli.directory.appendingPathComponent("install")
        try FileManager.default.createDirectory(at: install, withIntermediateDirectories: true)
        let built = cli.executable.deletingLastPathComponent()
        for name in ["vdmz", "vdmz_Model.resources"] {
            try FileManager.default.copyItem(at: built.appendingPathComponent(name), to: install.appendingPathComponent(name))
        }
        let copy = install.appendingPathComponent("vdmz")
        let refused = try cli.run(["decompress", "g.png.vdmz"], executable: copy)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.standardError.contains(hash), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.path("g.png")))

        // The same build keeping the checkpoint as a released one.
        let released = install.appendingPathComponent("vdmz_Model.resources/Resources/released")
        try FileManager.default.createDirectory(at: released, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: golden.appendingPathComponent("model.safetensors"),
            to: released.appendingPathComponent("\(hash).safetensors"))
        let result = try cli.run(["decompress", "-q", "g.png.vdmz"], executable: copy)
        XCTAssertEqual(result.status, 0, result.standardError)
        let decoded = try RasterImage(pngData: try XCTUnwrap(cli.read("g.png")))
        let original = try RasterImage(pngData: Array(try Data(contentsOf: golden.appendingPathComponent("rgb8-23x17.png"))))
        XCTAssertEqual(decoded, original)
    }

    func testFilesOfTheFirstReleasedDefaultDecodeWithoutModelOption() throws {
        // Made by `vdmz compress --steps 8` (it lies apart from the golden files, which use the golden model) with the first release's default checkpoint (6caaca44…, container
        // format 1, chain payload version 1), which moved to Resources/released/ when the default was retrained.
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden")
        let archive = Array(try Data(contentsOf: golden.appendingPathComponent("released/rgb8-23x17-model6caaca44.vdmz")))
        XCTAssertTrue(Archive.hex(try Container(parsing: archive).modelHash).hasPrefix("6caaca44"))
        try cli.write(archive, to: "old.png.vdmz")
        let result = try cli.run(["decompress", "-q", "old.png.vdmz"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let decoded = try RasterImage(pngData: try XCTUnwrap(cli.read("old.png")))
        let original = try RasterImage(pngData: Array(try Data(contentsOf: golden.appendingPathComponent("rgb8-23x17.png"))))
        XCTAssertEqual(decoded, original)
    }
}
