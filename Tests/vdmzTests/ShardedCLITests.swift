import Foundation
import XCTest
@testable import Codec
import ContainerFormat
import Imaging
import TestSupport

/// `vdmz compress` of folders into sharded archives, `info` of shards, `decompress --only`, `join`.
final class ShardedCLITests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    private let model = ["--model", GoldenFiles.model.path, "--steps", "2"]

    /// Seven PNGs in "images/", named img_000.png … img_006.png.
    private func writeImages() throws -> [RasterImage] {
        try FileManager.default.createDirectory(atPath: cli.path("images"), withIntermediateDirectories: true)
        return try (0..<7).map { i in
            let image = try testImage(i == 3 ? .gray : .rgb, bitDepth: 8, width: 4 + i % 3, height: 3, seed: i)
            try cli.write(try image.pngData(), to: "images/img_00\(i).png")
            return image
        }
    }

    func testFolderInShardsRoundTripsAndOneImageComesBackAlone() throws {
        let images = try writeImages()
        let one = try cli.run(
            ["compress", "-q", "--verify", "--threads", "1", "--shard-images", "3", "-o", "t1.vdmz", "images"] + model)
        XCTAssertEqual(one.status, 0, one.standardError)
        let two = try cli.run(["compress", "-q", "--threads", "2", "--shard-images", "3", "-o", "t2.vdmz", "images"] + model)
        XCTAssertEqual(two.status, 0, two.standardError)
        XCTAssertEqual(cli.read("t1.vdmz"), cli.read("t2.vdmz"), "the thread count changed the bytes")

        let info = try cli.run(["info", "t1.vdmz"])
        XCTAssertEqual(info.status, 0, info.standardError)
        let text = String(decoding: info.standardOutput, as: UTF8.self)
        XCTAssertTrue(text.contains("format 4"), text)
        XCTAssertTrue(text.contains("shards:   3"), text)
        XCTAssertTrue(text.contains("shard 2: 1 image (img_006.png)"), text)

        let only = try cli.run(
            ["decompress", "-q", "-d", cli.path("only"), "--only", "img_004.png", "t1.vdmz"] + model.prefix(2))
        XCTAssertEqual(only.status, 1, "the directory does not exist")
        try FileManager.default.createDirectory(atPath: cli.path("only"), withIntermediateDirectories: true)
        let again = try cli.run(
            ["decompress", "-q", "-d", cli.path("only"), "--only", "img_004.png", "t1.vdmz"] + model.prefix(2))
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(cli.files(in: "only"), ["img_004.png"])
        XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("only/img_004.png"))), images[4])

        try FileManager.default.createDirectory(atPath: cli.path("all"), withIntermediateDirectories: true)
        let all = try cli.run(["decompress", "-q", "-d", cli.path("all"), "t1.vdmz"] + model.prefix(2))
        XCTAssertEqual(all.status, 0, all.standardError)
        XCTAssertEqual(cli.files(in: "all"), (0..<7).map { "img_00\($0).png" })
        for i in 0..<7 { XCTAssertEqual(try RasterImage(pngData: XCTUnwrap(cli.read("all/img_00\(i).png"))), images[i]) }

        let missing = try cli.run(["decompress", "-q", "-d", cli.path("all"), "--only", "nope.png", "t1.vdmz"] + model.prefix(2))
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.standardError.contains("no image named nope.png"), missing.standardError)
    }

    func testJoiningShardFilesGivesTheOneMachineBytes() throws {
        _ = try writeImages()
        let whole = try cli.run(["compress", "-q", "--coder", "stored", "--shard-images", "3", "-o", "whole.vdmz", "images"])
        XCTAssertEqual(whole.status, 0, whole.standardError)
        let groups = [[0, 1, 2], [3, 4, 5], [6]]
        for (number, group) in groups.enumerated() {
            let part = try cli.run(
                ["compress", "-q", "--coder", "stored", "--shard-images", "3", "-o", "part\(number).vdmz"]
                    + group.map { cli.path("images/img_00\($0).png") })
            XCTAssertEqual(part.status, 0, part.standardError)
        }
        let join = try cli.run(["join", "-q", "-o", "joined.vdmz", "part0.vdmz", "part1.vdmz", "part2.vdmz"])
        XCTAssertEqual(join.status, 0, join.standardError)
        XCTAssertEqual(cli.read("joined.vdmz"), cli.read("whole.vdmz"))
        let exists = try cli.run(["join", "-q", "-o", "joined.vdmz", "part0.vdmz"])
        XCTAssertEqual(exists.status, 1, "an existing output is not replaced without --force")
    }

    func testADamagedShardFailsAloneWithOneLine() throws {
        _ = try writeImages()
        XCTAssertEqual(
            try cli.run(["compress", "-q", "--coder", "stored", "--shard-images", "3", "-o", "s.vdmz", "images"]).status, 0)
        var bytes = try XCTUnwrap(cli.read("s.vdmz"))
        let index = try ShardedContainer(readingIndexFrom: MemoryByteSource(bytes))
        bytes[index.shards[0].offset + 3] ^= 0x40
        try cli.write(bytes, to: "s.vdmz")
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
        let damaged = try cli.run(["decompress", "-q", "-d", cli.path("out"), "--only", "img_000.png", "s.vdmz"])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertEqual(damaged.errorLines.count, 1, damaged.standardError)
        XCTAssertTrue(damaged.standardError.contains("CRC-32"), damaged.standardError)
        XCTAssertEqual(cli.files(in: "out"), [], "nothing is written from a damaged shard")
        let other = try cli.run(["decompress", "-q", "-d", cli.path("out"), "--only", "img_005.png", "s.vdmz"])
        XCTAssertEqual(other.status, 0, other.standardError)
        XCTAssertEqual(cli.files(in: "out"), ["img_005.png"])
    }
}
