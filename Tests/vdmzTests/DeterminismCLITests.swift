import Foundation
import XCTest
@testable import Codec
import Imaging

/// Files must not depend on how they were made: thread count or build configuration.
final class DeterminismCLITests: XCTestCase {
    private var cli: CLIHarness!
    private let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden/model.safetensors").path

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    /// A 48×40 RGB image: several 16-pixel blocks, so the network's work splits over threads.
    private func writeImage() throws -> RasterImage {
        let image = try testImage(.rgb, bitDepth: 8, width: 48, height: 40, seed: 5)
        try cli.write(try image.pngData(), to: "a.png")
        return image
    }

    private func compress(with executable: URL? = nil, threads: Int, to output: String) throws {
        let result = try cli.run(
            [
                "compress", "-q", "--model", model, "--steps", "6", "--threads", "\(threads)",
                "a.png", "-o", output,
            ], executable: executable)
        XCTAssertEqual(result.status, 0, result.standardError)
    }

    private func assertDecodes(
        _ archive: String, to image: RasterImage, with executable: URL? = nil, threads: Int = 1,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let output = archive + ".png"
        let result = try cli.run(
            ["decompress", "-q", "--model", model, "--threads", "\(threads)", archive, "-o", output],
            executable: executable)
        XCTAssertEqual(result.status, 0, result.standardError, file: file, line: line)
        let decoded = try RasterImage(pngData: try XCTUnwrap(cli.read(output), file: file, line: line))
        XCTAssertEqual(decoded, image, "\(archive) did not decode bit-exactly", file: file, line: line)
    }

    func testOneTwoAndFourThreadsWriteByteIdenticalFiles() throws {
        let image = try writeImage()
        for threads in [1, 2, 4] { try compress(threads: threads, to: "t\(threads).vdmz") }
        let one = try XCTUnwrap(cli.read("t1.vdmz"))
        XCTAssertEqual(cli.read("t2.vdmz"), one, "2 threads changed the file")
        XCTAssertEqual(cli.read("t4.vdmz"), one, "4 threads changed the file")
        try assertDecodes("t4.vdmz", to: image, threads: 1)
        try assertDecodes("t1.vdmz", to: image, threads: 2)
    }

    /// The debug and release executables (both built by `scripts/test.sh`) write the same bytes, and each
    /// decodes the other's file.
    func testDebugAndReleaseBuildsWriteAndReadTheSameFiles() throws {
        let own = cli.executable
        let configuration = own.deletingLastPathComponent().lastPathComponent  // "debug" or "release"
        let otherName = configuration == "release" ? "debug" : "release"
        let other = own.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(otherName).appendingPathComponent("vdmz")
        guard FileManager.default.isExecutableFile(atPath: other.path) else {
            throw XCTSkip("no \(otherName) build of vdmz at \(other.path) (scripts/setup.sh builds it)")
        }
        let image = try writeImage()
        try compress(threads: 2, to: "own.vdmz")
        try compress(with: other, threads: 2, to: "other.vdmz")
        XCTAssertEqual(
            cli.read("own.vdmz"), cli.read("other.vdmz"),
            "the \(configuration) and \(otherName) builds wrote different files (is the \(otherName) build stale?)")
        try assertDecodes("other.vdmz", to: image)
        try assertDecodes("own.vdmz", to: image, with: other)
    }

    /// An interrupted compression leaves no output and no temporary file.
    func testInterruptedCompressionLeavesNoFile() throws {
        let image = try testImage(.rgb, bitDepth: 8, width: 160, height: 160, seed: 2)
        try cli.write(try image.pngData(), to: "big.png")
        for signalNumber in [SIGINT, SIGTERM] {
            let process = Process()
            process.executableURL = cli.executable
            process.arguments = ["compress", "-q", "--model", model, "--steps", "400", "big.png"]
            process.currentDirectoryURL = cli.directory
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.5)
            kill(process.processIdentifier, signalNumber)
            process.waitUntilExit()
            // Killed by the signal while coding (before any output exists), or stopped by vdmz's handler
            // (128 + signal) after removing its temporary file: either way, not a normal exit.
            let bySignal = process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber
            XCTAssertTrue(
                bySignal || process.terminationStatus == 128 + signalNumber,
                "not stopped by signal \(signalNumber): status \(process.terminationStatus)")
            XCTAssertEqual(cli.files(), ["big.png"], "signal \(signalNumber) left files behind")
        }
    }

    /// Every byte of a small bits-back file flipped in turn: `vdmz decompress` fails with one line and
    /// writes nothing — never a wrong image.
    func testEveryByteFlipFailsAndWritesNothing() throws {
        let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fuzz/seeds/vdm-1x1-T2.vdmz")
        let original = Array(try Data(contentsOf: seeds))
        for index in original.indices {
            var flipped = original
            flipped[index] ^= 0xFF
            try cli.write(flipped, to: "f.png.vdmz")
            let result = try cli.run(["decompress", "--model", model, "f.png.vdmz"])
            XCTAssertNotEqual(result.status, 0, "flip of byte \(index) decoded")
            XCTAssertEqual(result.errorLines.count, 1, "byte \(index): \(result.standardError)")
            XCTAssertEqual(cli.files(), ["f.png.vdmz"], "byte \(index) left an output")
        }
    }
}
