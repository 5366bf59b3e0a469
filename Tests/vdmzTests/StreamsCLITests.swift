import Foundation
import XCTest
import Imaging

/// `vdmz compress --streams`: a large image's bits-back file has streams unless asked for one (chain
/// payload version 3, for older builds); both restore the image; bad values and misplaced uses are
/// one-line errors.
final class StreamsCLITests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    private var model: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden/model.safetensors").path
    }

    func testALargeImageHasStreamsUnlessAskedForOne() throws {
        // 256 × 176: 135,168 sub-pixels, enough for 2 streams of at least 2^16.
        let image = try testImage(.rgb, bitDepth: 8, width: 256, height: 176)
        try cli.write(try image.pngData(), to: "in.png")
        for (streams, expected) in [
            (nil, "payload version 4, T = 1, 8 lanes in each of 2 streams"),
            ("1", "payload version 3, T = 1, 16 lanes"),
        ] {
            let name = "s\(streams ?? "default").vdmz"
            let arguments =
                [
                    "compress", "-q", "--coder", "bits-back", "--model", model, "--steps", "1",
                    "--allow-expansion", "in.png", "-o", name,
                ] + (streams.map { ["--streams", $0] } ?? [])
            let compress = try cli.run(arguments)
            XCTAssertEqual(compress.status, 0, compress.standardError)
            let info = String(decoding: try cli.run(["info", name]).standardOutput, as: UTF8.self)
            XCTAssertTrue(info.contains("chain:    " + expected), info)
            let decompress = try cli.run(["decompress", "-q", "--model", model, name, "-o", name + ".png"])
            XCTAssertEqual(decompress.status, 0, decompress.standardError)
            XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read(name + ".png"))), image)
        }
    }

    func testStreamsOptionErrors() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        for (arguments, message) in [
            (["--streams", "3", "a.png"], "--streams must be 1, 2 or 4"),
            (["--coder", "context", "--streams", "2", "a.png"], "--streams applies to the bits-back coder only"),
            (["--streams", "1", "a.png", "a.png", "-o", "set.vdmz"], "--streams applies to single images"),
        ] {
            let result = try cli.run(["compress"] + arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertEqual(result.errorLines.count, 1, result.standardError)
            XCTAssertTrue(result.standardError.contains(message), result.standardError)
            XCTAssertEqual(cli.files(), ["a.png"])
        }
    }
}
