import Foundation
import XCTest
@testable import Codec
import Imaging

/// `vdmz rate` and `vdmz sample` end to end, with the tiny parity model of Tests/ModelTests/Fixtures.
final class RateSampleCLITests: XCTestCase {
    private let tinyModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelTests/Fixtures/tiny.safetensors").standardized.path

    /// A version-1 .npy file of uint8 images shaped (n, h, w, 3).
    private func npy(count: Int, height: Int, width: Int) -> [UInt8] {
        var header = Array("{'descr': '|u1', 'fortran_order': False, 'shape': (\(count), \(height), \(width), 3), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        let pixels = (0..<(count * height * width * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 7) }
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
            + header + pixels
    }

    private func jsonLines(_ bytes: [UInt8]) throws -> [[String: Any]] {
        try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testRatePrintsPerImageAndSummaryJSONIndependentOfThreads() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try Data(npy(count: 2, height: 6, width: 8)).write(to: URL(fileURLWithPath: cli.path("images.npy")))
        let one = try cli.run(["rate", "--json", "--steps", "2", "--threads", "1", "--model", tinyModel, "images.npy"])
        XCTAssertEqual(one.status, 0, one.standardError)
        let lines = try jsonLines(one.standardOutput)
        XCTAssertEqual(lines.count, 3)
        let perImage = try lines.prefix(2).map { try XCTUnwrap($0["elbo_bpd"] as? Double) }
        let summary = try XCTUnwrap(lines.last)
        XCTAssertEqual(summary["summary"] as? Bool, true)
        XCTAssertEqual(try XCTUnwrap(summary["elbo_bpd"] as? Double), (perImage[0] + perImage[1]) / 2, accuracy: 1e-9)
        XCTAssertNotNil(summary["std_error_bpd"] as? Double)
        for line in lines.prefix(2) {
            let total = try XCTUnwrap(line["elbo_bpd"] as? Double)
            let parts = try ["prior_bpd", "diffusion_bpd", "reconstruction_bpd"].map { try XCTUnwrap(line[$0] as? Double) }
            XCTAssertEqual(total, parts.reduce(0, +), accuracy: 1e-9)
        }
        let two = try cli.run(["rate", "--json", "--steps", "2", "--threads", "2", "--model", tinyModel, "images.npy"])
        XCTAssertEqual(try jsonLines(two.standardOutput).prefix(2).map { $0["elbo_bpd"] as? Double }, perImage)
    }

    /// `--points K`: the step-sampled estimate; with K ≥ T it is the full ELBO, with fewer points it
    /// evaluates that many steps and says so.
    func testRatePointsEstimatesFromFewerSteps() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try Data(npy(count: 2, height: 6, width: 8)).write(to: URL(fileURLWithPath: cli.path("images.npy")))
        let base = ["rate", "--json", "--steps", "5", "--threads", "1", "--model", tinyModel, "images.npy"]
        let full = try jsonLines(try cli.run(base).standardOutput)
        let all = try jsonLines(try cli.run(base + ["--points", "9"]).standardOutput)
        for (a, b) in zip(full.prefix(2), all.prefix(2)) {
            XCTAssertEqual(try XCTUnwrap(a["elbo_bpd"] as? Double), try XCTUnwrap(b["elbo_bpd"] as? Double), accuracy: 1e-9)
        }
        let two = try cli.run(base + ["--points", "2"])
        XCTAssertEqual(two.status, 0, two.standardError)
        let summary = try XCTUnwrap(try jsonLines(two.standardOutput).last)
        XCTAssertEqual(summary["estimated_from_points"] as? Int, 2)
        XCTAssertEqual(summary["network_passes"] as? Int, 2, "steps 1 and T")
        XCTAssertNotEqual(summary["elbo_bpd"] as? Double, full.last?["elbo_bpd"] as? Double)
        XCTAssertNotEqual(try cli.run(base + ["--points", "1"]).status, 0)
    }

    /// A network-decoder checkpoint: T + 1 network passes, and `--code` codes and checks the images.
    func testRateWithTheNetworkDecoderCountsItsPassAndCodes() throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ModelTests/Fixtures/tiny_nd.safetensors").standardized.path
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try Data(npy(count: 2, height: 6, width: 8)).write(to: URL(fileURLWithPath: cli.path("images.npy")))
        let result = try cli.run(["rate", "--json", "--code", "--steps", "2", "--model", model, "images.npy"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let summary = try XCTUnwrap(try jsonLines(result.standardOutput).last)
        XCTAssertEqual(summary["network_passes"] as? Int, 3)
        XCTAssertGreaterThan(try XCTUnwrap(summary["coded_net_bpd"] as? Double), 0)
        XCTAssertGreaterThan(try XCTUnwrap(summary["reconstruction_bpd"] as? Double), 0)
        let plain = try cli.run(["rate", "--json", "--steps", "2", "--model", tinyModel, "images.npy"])
        XCTAssertEqual(try XCTUnwrap(try jsonLines(plain.standardOutput).last)["network_passes"] as? Int, 2)
    }

    func testRateReportsBadInputsClearly() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: cli.path("junk.npy")))
        let junk = try cli.run(["rate", "--model", tinyModel, "junk.npy"])
        XCTAssertNotEqual(junk.status, 0)
        XCTAssertTrue(junk.standardError.contains("junk.npy"), junk.standardError)
        let model = try cli.run(["rate", "--model", cli.path("missing.safetensors"), "junk.npy"])
        XCTAssertNotEqual(model.status, 0)
        XCTAssertTrue(model.standardError.contains("missing.safetensors"), model.standardError)
    }

    func testSampleWritesAPNGGrid() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let result = try cli.run(["sample", "-n", "2", "--size", "8x6", "--steps", "2", "--model", tinyModel, "-o", "grid.png"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let image = try RasterImage(pngData: [UInt8](try Data(contentsOf: URL(fileURLWithPath: cli.path("grid.png")))))
        XCTAssertEqual([image.width, image.height], [17, 6])
        let again = try cli.run(["sample", "-n", "2", "--size", "8x6", "--steps", "2", "--model", tinyModel, "-o", "grid.png"])
        XCTAssertNotEqual(again.status, 0, "must not overwrite without --force")
    }
}
