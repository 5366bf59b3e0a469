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

    /// Every file under Tests/Golden/released/ was made (`vdmz compress --steps 8 --coder bits-back` of
    /// rgb8-23x17.png) with a checkpoint that is or was the shipped default: `rgb8-23x17-model<hash8>.vdmz`.
    /// Each must decode without `--model`: by the default when its hash is the default's, otherwise from
    /// Resources/released/ (the first default 6caaca44…, container format 1, chain payload version 1;
    /// 3b4af54c…, the default of 2026-11-24, format 2, chain payload version 3, made before it moved;
    /// 82b01874…, the first default with the network decoder, 2026-12-01, made while it was the default;
    /// 02ecc665…, its successor of the same day, made while it was the default; ccd4c13e…, the fifth,
    /// the same run's anneal fork at step 28,714, made while it was the default; f0fd04bd…, the sixth,
    /// the same run's anneal fork at step 41,956, made while it is the default).
    func testFilesOfEveryReleasedDefaultDecodeWithoutModelOption() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden")
        let original = try RasterImage(pngData: Array(try Data(contentsOf: golden.appendingPathComponent("rgb8-23x17.png"))))
        let names = try FileManager.default.contentsOfDirectory(atPath: golden.appendingPathComponent("released").path)
            .filter { $0.hasSuffix(".vdmz") }.sorted()
        XCTAssertEqual(
            names,
            [
                "rgb8-23x17-model02ecc665.vdmz", "rgb8-23x17-model3b4af54c.vdmz", "rgb8-23x17-model6caaca44.vdmz",
                "rgb8-23x17-model82b01874.vdmz", "rgb8-23x17-modelccd4c13e.vdmz", "rgb8-23x17-modelf0fd04bd.vdmz",
            ])
        for name in names {
            let archive = Array(try Data(contentsOf: golden.appendingPathComponent("released/\(name)")))
            let prefix = String(name.dropFirst("rgb8-23x17-model".count).prefix(8))
            XCTAssertTrue(Archive.hex(try Container(parsing: archive).modelHash).hasPrefix(prefix), name)
            try cli.write(archive, to: "\(prefix).png.vdmz")
            let result = try cli.run(["decompress", "-q", "\(prefix).png.vdmz"])
            XCTAssertEqual(result.status, 0, "\(name): \(result.standardError)")
            let decoded = try RasterImage(pngData: try XCTUnwrap(cli.read("\(prefix).png")))
            XCTAssertEqual(decoded, original, name)
        }
    }
}
