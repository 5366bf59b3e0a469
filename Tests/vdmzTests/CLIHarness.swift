import Foundation
import XCTest
@testable import Codec
import Imaging

/// Runs the built `vdmz` executable (it sits next to the test bundle in the build directory).
struct CLIHarness {
    struct Result {
        let status: Int32
        let standardOutput: [UInt8]
        let standardError: String
        var errorLines: [Substring] { standardError.split(separator: "\n") }
    }

    let executable: URL
    let directory: URL

    init() throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [bundle.deletingLastPathComponent().appendingPathComponent("vdmz")]
        // On Darwin the test runner is xctest inside the toolchain; the bundle is an argument.
        candidates += CommandLine.arguments.filter { $0.hasSuffix(".xctest") }
            .map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("vdmz") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("vdmz executable not found next to the test bundle (run `swift build` first)")
        }
        executable = found
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vdmz-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @discardableResult
    func run(_ arguments: [String], input: [UInt8]? = nil, executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            DispatchQueue.global().async {
                inputPipe.fileHandleForWriting.write(Data(input))
                try? inputPipe.fileHandleForWriting.close()
            }
        }
        final class Box: @unchecked Sendable { var data = Data() }  // written by one thread, read after wait()
        let outputBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outputBox.data = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: Array(outputBox.data),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    func write(_ bytes: [UInt8], to name: String) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map(Array.init)
    }

    func files(in subdirectory: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: subdirectory.isEmpty ? directory.path : path(subdirectory))) ?? [])
            .sorted()
    }
}

/// A small deterministic test image of the given kind.
func testImage(_ colorType: PNGColorType, bitDepth: Int, width: Int = 13, height: Int = 7, seed: Int = 0) throws -> RasterImage {
    let channels = colorType.channelCount
    let bytesPerSample = bitDepth == 16 ? 2 : 1
    let limit = bitDepth >= 8 ? 256 : 1 << bitDepth
    let samples = (0..<width * height * channels * bytesPerSample).map { UInt8((($0 * 37) ^ ($0 >> 3) + seed) % limit) }
    let palette: [UInt8] = colorType == .palette ? (0..<min(256, 1 << bitDepth) * 3).map { UInt8(($0 * 91) % 256) } : []
    return try RasterImage(
        width: width, height: height, colorType: colorType, bitDepth: bitDepth, samples: samples, palette: palette)
}
