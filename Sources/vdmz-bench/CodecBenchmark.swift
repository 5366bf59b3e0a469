import ArgumentParser
import Codec
import Foundation
import Imaging
import PixelCoding
import ContainerFormat

/// `vdmz-bench codec [DIR]`: per-stage speed of the non-model part of the pipeline on the PNGs of DIR
/// (default ../shared/corpora/kodak): PNG decode, decompose, container write (zlib side planes and the
/// stored placeholder coder), container parse, compose, PNG encode. Reports totals in ms and, since the
/// machine is shared, each stage as a ratio to PNG decoding measured in the same run.
struct CodecBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "Per-stage speed of the non-model part of the pipeline on a folder of PNGs.")

    @Argument(help: ArgumentHelp("Folder of PNG files.", valueName: "dir"))
    var directory = "../shared/corpora/kodak"

    func run() throws { try codecBenchmark(directory: directory) }
}

private func codecBenchmark(directory: String) throws {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory).filter({ $0.hasSuffix(".png") }).sorted(),
        !names.isEmpty
    else {
        print("codec benchmark: no PNG files in \(directory) (../shared absent?): skipped")
        return
    }
    let files = names.compactMap { FileManager.default.contents(atPath: directory + "/" + $0).map(Array.init) }
    var stages: [(String, Double)] = []
    func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        stages.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6))
        return result
    }
    let images = try time("PNG decode (libpng)") { try files.map { try RasterImage(pngData: $0) } }
    let parts = time("decompose") { images.map(ImageLayout.decompose) }
    let named = zip(names, images).map { NamedImage(name: $0, image: $1) }
    let bytes = try time("compress+serialize (stored coder, zlib 9)") {
        try Archive.compress(named, coder: StoredPixelCoder(), isDataset: true).serialized()
    }
    let container = try time("parse (CRC + side planes)") { try Container(parsing: bytes) }
    let models = try time("stored decode (inflate)") {
        try StoredPixelCoder().decode(container.payload, shapes: container.images.map(\.shape), progress: nil)
    }
    let restored = try time("compose") {
        try zip(container.images, models).map {
            try ImageLayout.compose(
                header: $0.header, model: $1,
                sidePlanes: try AlphaPlaneCoding.restoring($0.sidePlanes, width: $0.header.width, height: $0.header.height))
        }
    }
    _ = time("checksums (SHA-256)") { restored.map(PixelChecksum.of) }
    let pngs = try time("PNG encode (libpng default level)") { try restored.map { try $0.pngData() } }
    guard restored == images, parts.count == images.count else { throw BenchmarkError("round trip mismatch") }
    let pixels = images.reduce(0) { $0 + $1.pixelCount }
    let reference = stages[0].1
    print("codec benchmark: \(images.count) images, \(pixels) pixels from \(directory)")
    for (name, ms) in stages {
        print(
            "  \(name.padding(toLength: 42, withPad: " ", startingAt: 0)) \(String(format: "%8.1f ms  %6.1f Mpx/s  %5.2f× PNG decode", ms, Double(pixels) / ms / 1e3, ms / reference))"
        )
    }
    let inputBytes = files.reduce(0) { $0 + $1.count }, outputBytes = pngs.reduce(0) { $0 + $1.count }
    print(
        "  sizes: input PNG \(inputBytes) B, stored .vdmz \(bytes.count) B (\(String(format: "%.3f", Double(bytes.count * 8) / Double(pixels * 3))) bits/sub-pixel), re-encoded PNG \(outputBytes) B"
    )
}
