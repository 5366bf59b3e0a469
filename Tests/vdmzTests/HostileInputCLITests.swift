import Foundation
import XCTest
@testable import Codec
import ContainerFormat
import Imaging
import PixelCoding

/// Issue 15: hostile archives and careless users, through the command line.
final class HostileInputCLITests: XCTestCase {
    private var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli?.cleanUp() }

    /// A dataset archive (stored coder) whose entries carry `names`, as a hostile tool would write it.
    private func archive(names: [String], sizes: [(Int, Int)]? = nil) throws -> [UInt8] {
        let images = try names.indices.map { index -> NamedImage in
            let (width, height) = sizes?[index] ?? (13, 7)
            return NamedImage(
                name: "entry\(index).png", image: try testImage(.rgb, bitDepth: 8, width: width, height: height, seed: index))
        }
        let honest = try Archive.compress(images, coder: StoredPixelCoder(), isDataset: true)
        let renamed = zip(honest.images, names).map { image, name in
            ContainerImage(name: name, header: image.header, steps: image.steps, sidePlanes: image.sidePlanes)
        }
        return try Container(
            coder: honest.coder, isDataset: true, modelHash: honest.modelHash, images: renamed,
            pixelDigest: honest.pixelDigest, payload: honest.payload
        ).serialized()
    }

    /// "/" followed by a combining mark is one Swift Character that is not "/": the entry used to be
    /// written through a symbolic link inside DIR, or into a subfolder.
    func testSlashWithACombiningMarkCannotWriteThroughALink() throws {
        let fileManager = FileManager.default
        for evil in ["link/\u{FE0F}pwn.png", "link/\u{0301}x", "link/\u{1F3FB}x.png"] {
            try? fileManager.removeItem(atPath: cli.path("out"))
            try? fileManager.removeItem(atPath: cli.path("outside"))
            try fileManager.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
            try fileManager.createDirectory(atPath: cli.path("outside"), withIntermediateDirectories: true)
            try fileManager.createSymbolicLink(atPath: cli.path("out/link"), withDestinationPath: cli.path("outside"))
            try cli.write(try archive(names: ["ok.png", evil]), to: "set.vdmz")
            let result = try cli.run(["decompress", "set.vdmz", "-d", "out"])
            XCTAssertNotEqual(result.status, 0)
            XCTAssertTrue(result.standardError.contains("refusing"), result.standardError)
            XCTAssertEqual(cli.files(in: "outside"), [], "written through the link")
            XCTAssertEqual(cli.files(in: "out"), ["link"])
        }
    }

    /// Names with ESC sequences and newlines are neither written nor printed raw.
    func testControlCharactersInNamesAreRefusedAndPrintedEscaped() throws {
        try cli.write(try archive(names: ["ok.png", "esc\u{1B}[31mred\nline.png"]), to: "set.vdmz")
        let result = try cli.run(["decompress", "set.vdmz", "-d", "."])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.standardError.contains("\u{1B}"), "raw ESC in the error")
        XCTAssertEqual(result.errorLines.count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("\\u{1B}"), result.standardError)
        XCTAssertEqual(cli.files(), ["set.vdmz"])
        let info = try cli.run(["info", "set.vdmz"])
        XCTAssertEqual(info.status, 0)
        XCTAssertFalse(info.standardOutput.contains(0x1B), "raw ESC in info")
    }

    /// `-d "$OUTDIR"` with the variable unset used to restore into "/".
    func testEmptyDirectoryIsRefused() throws {
        let name = "vdmz-test-\(UUID().uuidString).png"
        try cli.write(try archive(names: [name]), to: "set.vdmz")
        let result = try cli.run(["decompress", "set.vdmz", "-d", ""])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("empty"), result.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/" + name))
        XCTAssertEqual(cli.files(), ["set.vdmz"])
    }

    /// A failure half-way through a dataset (here the file-size limit, `ulimit -f`, which also used to
    /// kill the process with SIGXFSZ and leave a temporary file) leaves nothing behind, and the re-run
    /// then succeeds.
    func testDatasetDecompressIsAllOrNothing() throws {
        try cli.write(try archive(names: ["small.png", "large.png"], sizes: [(4, 4), (300, 300)]), to: "set.vdmz")
        try FileManager.default.createDirectory(atPath: cli.path("out"), withIntermediateDirectories: true)
        let bash = URL(fileURLWithPath: "/bin/bash")
        let limited = try cli.run(
            ["-c", "ulimit -f 1; exec \"$0\" \"$@\"", cli.executable.path, "decompress", "set.vdmz", "-d", "out"],
            executable: bash)
        XCTAssertEqual(limited.status, 1, limited.standardError)
        XCTAssertTrue(limited.standardError.contains("too large"), limited.standardError)
        XCTAssertEqual(cli.files(in: "out"), [], "files or a temporary folder left behind")
        let again = try cli.run(["decompress", "set.vdmz", "-d", "out"])
        XCTAssertEqual(again.status, 0, again.standardError)
        XCTAssertEqual(cli.files(in: "out"), ["large.png", "small.png"])
        // Without --force an existing file stops the whole archive, and nothing new is left.
        try FileManager.default.removeItem(atPath: cli.path("out/small.png"))
        let clash = try cli.run(["decompress", "set.vdmz", "-d", "out"])
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertEqual(cli.files(in: "out"), ["large.png"])
    }

    /// SIGXFSZ while writing a single file: an error, no temporary file.
    func testFileSizeLimitIsAnErrorNotASignal() throws {
        try cli.write(try testImage(.rgb, bitDepth: 8, width: 160, height: 160).pngData(), to: "a.png")
        let bash = URL(fileURLWithPath: "/bin/bash")
        let result = try cli.run(
            ["-c", "ulimit -f 2; exec \"$0\" \"$@\"", cli.executable.path, "compress", "-q", "--coder", "stored", "a.png"],
            executable: bash)
        XCTAssertEqual(result.status, 1, result.standardError)
        XCTAssertEqual(cli.files(), ["a.png"])
    }

    /// Starts a slow compression (many steps) and returns the process.
    private func slowCompression(prefix: String = "") throws -> Process {
        try cli.write(try testImage(.rgb, bitDepth: 8, width: 64, height: 64).pngData(), to: "a.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", prefix + "exec \"$0\" compress -q --steps 4096 a.png", cli.executable.path]
        process.currentDirectoryURL = cli.directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        return process
    }

    /// Waits at most `seconds` for `process` to end; kills it (SIGKILL) if it has not.
    private func waitForExit(_ process: Process, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return true
    }

    /// SIGQUIT used to print "Program crashed" with a backtrace and carry on.
    func testSIGQUITStopsCleanly() throws {
        let process = try slowCompression()
        kill(process.processIdentifier, SIGQUIT)
        XCTAssertTrue(waitForExit(process), "still running after SIGQUIT")
        XCTAssertEqual(process.terminationStatus, 128 + SIGQUIT)
        XCTAssertEqual(cli.files(), ["a.png"])
    }

    /// A SIGHUP the parent ignores (nohup) stays ignored.
    func testInheritedIgnoredSIGHUPStaysIgnored() throws {
        let process = try slowCompression(prefix: "trap '' HUP; ")
        kill(process.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 1)
        XCTAssertTrue(process.isRunning, "SIGHUP ended a process that inherited it ignored")
        kill(process.processIdentifier, SIGTERM)
        XCTAssertTrue(waitForExit(process), "still running after SIGTERM")
        XCTAssertEqual(process.terminationStatus, 128 + SIGTERM)
        XCTAssertEqual(cli.files(), ["a.png"])
    }
}
