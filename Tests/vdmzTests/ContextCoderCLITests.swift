import Foundation
import XCTest
import ContainerFormat
import Imaging

/// `vdmz compress --coder context` and the automatic choice between the coders.
final class ContextCoderCLITests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    /// Byte 10 of a container: the coder tag (docs/FORMAT.md §1.1).
    private func coderTag(_ name: String) throws -> UInt8 { try XCTUnwrap(cli.read(name))[10] }

    func testContextCoderRoundTripsEveryKindAndSaysSo() throws {
        for (colorType, depth) in [(PNGColorType.rgb, 8), (.gray, 8), (.gray, 1), (.palette, 4), (.rgba, 16)] {
            let image = try testImage(colorType, bitDepth: depth, width: 21, height: 9)
            try cli.write(try image.pngData(), to: "in.png")
            let compress = try cli.run(["compress", "--force", "--coder", "context", "in.png"])
            XCTAssertEqual(compress.status, 0, compress.standardError)
            XCTAssertTrue(compress.standardError.contains("coder: context"), compress.standardError)
            XCTAssertEqual(try coderTag("in.png.vdmz"), 2)
            let info = try cli.run(["info", "in.png.vdmz"])
            XCTAssertTrue(String(decoding: info.standardOutput, as: UTF8.self).contains("context"))
            let decompress = try cli.run(["decompress", "-q", "--force", "in.png.vdmz", "-o", "out.png"])
            XCTAssertEqual(decompress.status, 0, decompress.standardError)
            XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("out.png"))), image, image.kindDescription)
        }
    }

    func testAutoKeepsTheSmallerFileAndItDecodes() throws {
        // Two flat colours in stripes: the context coder's palette mode beats the diffusion prior by far.
        let samples = (0..<48 * 32).map { UInt8(($0 % 48) / 12 % 2) }
        let graphic = try RasterImage(
            width: 48, height: 32, colorType: .gray, bitDepth: 1, samples: samples, palette: [],
            transparency: [], chunks: [], isInterlaced: false)
        try cli.write(try graphic.pngData(), to: "g.png")
        XCTAssertEqual(try cli.run(["compress", "-q", "--steps", "4", "g.png", "-o", "auto.vdmz"]).status, 0)
        XCTAssertEqual(
            try cli.run(["compress", "-q", "--coder", "bits-back", "--steps", "4", "g.png", "-o", "bb.vdmz"]).status, 0)
        XCTAssertEqual(try cli.run(["compress", "-q", "--coder", "context", "g.png", "-o", "ctx.vdmz"]).status, 0)
        XCTAssertEqual(try coderTag("auto.vdmz"), 2)
        XCTAssertEqual(cli.read("auto.vdmz"), cli.read("ctx.vdmz"))
        XCTAssertLessThan(try XCTUnwrap(cli.read("ctx.vdmz")).count, try XCTUnwrap(cli.read("bb.vdmz")).count)
        XCTAssertEqual(try cli.run(["decompress", "-q", "auto.vdmz", "-o", "g2.png"]).status, 0)
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("g2.png"))), graphic)
    }

    /// 256 × 256 (the least size the bound is estimated for) in colour stripes of width `width`: the
    /// context coder codes it in a few hundred bytes, far below the prior's ELBO.
    private func stripes(width: Int) throws -> RasterImage {
        let side = 256
        let samples = (0..<side * side * 3).map { i -> UInt8 in
            let x = (i / 3) % side, c = i % 3
            return UInt8((x / width % 3) * 80 + c * 20)
        }
        return try RasterImage(
            width: side, height: side, colorType: .rgb, bitDepth: 8, samples: samples, palette: [], transparency: [],
            chunks: [], isInterlaced: false)
    }

    func testAutoLeavesOutBitsBackWhereItsBoundExceedsTheContextCodersSize() throws {
        // Bits-back is not run (6 network passes at T = 32 instead of 33 and its coding) and the file is the
        // context coder's, byte for byte.
        let stripes = try stripes(width: 16)
        try cli.write(try stripes.pngData(), to: "s.png")
        let auto = try cli.run(["compress", "--steps", "32", "s.png", "-o", "auto.vdmz"])
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertTrue(auto.standardError.contains("coder: context"), auto.standardError)
        XCTAssertTrue(auto.standardError.contains("not run: its estimated size is larger"), auto.standardError)
        XCTAssertEqual(try cli.run(["compress", "-q", "--coder", "context", "s.png", "-o", "ctx.vdmz"]).status, 0)
        XCTAssertEqual(cli.read("auto.vdmz"), cli.read("ctx.vdmz"))
        XCTAssertEqual(try cli.run(["decompress", "-q", "auto.vdmz", "-o", "s2.png"]).status, 0)
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("s2.png"))), stripes)
    }

    func testADatasetOfLargeImagesLeavesOutBitsBackByItsBoundToo() throws {
        try FileManager.default.createDirectory(atPath: cli.path("set"), withIntermediateDirectories: true)
        try cli.write(try stripes(width: 16).pngData(), to: "set/a.png")
        try cli.write(try stripes(width: 8).pngData(), to: "set/b.png")
        let auto = try cli.run(["compress", "--steps", "32", "-o", "auto.vdmz", cli.path("set")])
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertTrue(auto.standardError.contains("coder: context"), auto.standardError)
        XCTAssertTrue(auto.standardError.contains("not run: its estimated size is larger"), auto.standardError)
        let context = try cli.run(["compress", "-q", "--coder", "context", "-o", "ctx.vdmz", cli.path("set")])
        XCTAssertEqual(context.status, 0, context.standardError)
        XCTAssertEqual(cli.read("auto.vdmz"), cli.read("ctx.vdmz"))
    }

    func testAutoStoresNoiseThatNoModelPredicts() throws {
        // Uniform RGB noise: the context coder spends more than 8 bits per sub-pixel, zlib's stored blocks
        // about 8, so auto keeps the stored planes (issue 13: no file larger than zopflipng's PNG + fixed bytes).
        var state: UInt64 = 13
        let samples = (0..<48 * 48 * 3).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let noise = try RasterImage(
            width: 48, height: 48, colorType: .rgb, bitDepth: 8, samples: samples, palette: [], transparency: [],
            chunks: [], isInterlaced: false)
        try cli.write(try noise.pngData(), to: "n.png")
        let auto = try cli.run(["compress", "--steps", "4", "n.png", "-o", "auto.vdmz"])
        XCTAssertEqual(auto.status, 0, auto.standardError)
        XCTAssertTrue(auto.standardError.contains("coder: stored"), auto.standardError)
        XCTAssertEqual(try cli.run(["compress", "-q", "--coder", "stored", "n.png", "-o", "st.vdmz"]).status, 0)
        XCTAssertEqual(try cli.run(["compress", "-q", "--coder", "context", "n.png", "-o", "ctx.vdmz"]).status, 0)
        XCTAssertEqual(try coderTag("auto.vdmz"), 0)
        XCTAssertEqual(cli.read("auto.vdmz"), cli.read("st.vdmz"))
        let stored = try XCTUnwrap(cli.read("st.vdmz")).count
        XCTAssertLessThan(stored, try XCTUnwrap(cli.read("ctx.vdmz")).count)
        XCTAssertLessThan(stored, samples.count + 200)  // 8 bits per sub-pixel plus the container's fixed bytes
        XCTAssertEqual(try cli.run(["decompress", "-q", "auto.vdmz", "-o", "n2.png"]).status, 0)
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("n2.png"))), noise)
    }

    func testContextCoderRejectsModelOptions() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8).pngData(), to: "a.png")
        let result = try cli.run(["compress", "--coder", "context", "--steps", "10", "a.png"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("--steps"), result.standardError)
        XCTAssertEqual(cli.files(), ["a.png"])
    }
}
