import Foundation
import XCTest
import ContainerFormat
import Imaging

/// `vdmz compress --coder hybrid`: a round trip through the command line, the region map in `info`,
/// and `--region-side` only with the hybrid coder.
final class HybridCoderCLITests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    func testHybridRoundTripsAndInfoShowsTheRegions() throws {
        let image = try testImage(.rgba, bitDepth: 8, width: 21, height: 9)
        try cli.write(try image.pngData(), to: "in.png")
        let compress = try cli.run(
            ["compress", "--force", "--coder", "hybrid", "--steps", "4", "--region-side", "8", "in.png"])
        XCTAssertEqual(compress.status, 0, compress.standardError)
        XCTAssertTrue(compress.standardError.contains("coder: hybrid"), compress.standardError)
        XCTAssertEqual(try XCTUnwrap(cli.read("in.png.vdmz"))[10], 3)  // the coder tag (FORMAT.md §1.1)
        let info = String(decoding: try cli.run(["info", "in.png.vdmz"]).standardOutput, as: UTF8.self)
        XCTAssertTrue(info.contains("regions:  8×8 pixels"), info)
        XCTAssertTrue(info.contains("- in.png: "), info)
        let decompress = try cli.run(["decompress", "-q", "--force", "in.png.vdmz", "-o", "out.png"])
        XCTAssertEqual(decompress.status, 0, decompress.standardError)
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("out.png"))), image)
    }

    func testRegionSideNeedsTheHybridCoder() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        let result = try cli.run(["compress", "--coder", "context", "--region-side", "8", "a.png"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("--region-side"), result.standardError)
        let zero = try cli.run(["compress", "--coder", "hybrid", "--region-side", "0", "a.png"])
        XCTAssertNotEqual(zero.status, 0)
        XCTAssertEqual(cli.files(), ["a.png"])
    }
}
