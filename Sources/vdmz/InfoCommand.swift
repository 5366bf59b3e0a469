import ArgumentParser
import BitsBack
import Bytes
import Codec
import Imaging
import ContainerFormat
import HybridCoding

/// `vdmz info`: what a .vdmz file holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe .vdmz files: images, kinds, steps, coder, model hash, sizes.")

    @Argument(help: ".vdmz files (\"-\" for standard input).")
    var inputs: [String]

    func run() throws {
        var failed = false
        for input in inputs {
            do {
                let bytes = try FileIO.readFile(input)
                if ShardedContainer.isSharded(prefix: Array(bytes.prefix(10))) {
                    print(describeSharded(try ShardedContainer(readingIndexFrom: MemoryByteSource(bytes)), name: input))
                    continue
                }
                let container = try Container(parsing: bytes, limits: .unlimited)
                print(describe(container, name: input, fileBytes: bytes.count))
            } catch {
                Terminal.printError("vdmz: \(input == "-" ? "standard input" : input): \(errorLine(error))")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func describe(_ container: Container, name: String, fileBytes: Int) -> String {
        let subpixels = container.images.reduce(0) { $0 + $1.header.width * $1.header.height * 3 }
        let rate = Double(fileBytes * 8) / Double(max(1, subpixels))
        var lines = [
            "\(name == "-" ? "standard input" : EntryName.printable(name)): .vdmz format \(container.version), \(fileBytes) bytes",
            "  coder:    \(container.coder)",
            "  model:    \(container.coder.requiresModel ? Archive.hex(container.modelHash) : "none")",
            "  images:   \(container.images.count)\(container.isDataset ? " (dataset archive)" : "")",
            "  payload:  \(container.payload.count) bytes",
            "  rate:     \(String(format2: rate)) bits/sub-pixel (file bits / (width·height·3), all images)",
        ]
        // Version 1 records a SHA-256 per image (listed below); later versions one digest of them all.
        let perImageChecksums = container.images.allSatisfy { $0.pixelChecksum != nil }
        if !perImageChecksums {
            lines.append("  pixels:   SHA-256 digest \(Archive.hex(container.pixelDigest).prefix(16))… (all images)")
        }
        for image in container.images {
            let header = image.header
            let planes = image.sidePlanes.map { "\($0.kind) \($0.bytes.count) B" }.joined(separator: ", ")
            lines.append(
                "  - \(image.name.isEmpty ? "(unnamed)" : EntryName.printable(image.name)): \(header.width)×\(header.height) \(header.kindDescription), "
                    + "steps \(image.steps), side planes \(image.storedSidePlaneBytes) bytes stored"
                    + (planes.isEmpty ? "" : " (raw: \(planes))")
                    + (image.pixelChecksum.map { ", pixel SHA-256 \(Archive.hex($0).prefix(16))…" } ?? ""))
        }
        if container.coder == .bitsBack { lines.append(describeChain(container)) }
        if container.coder == .hybrid { lines += describeRegions(container) }
        return lines.joined(separator: "\n")
    }

    /// The bits-back payload's parameter block: its version (which builds read it), T, lanes and streams.
    private func describeChain(_ container: Container) -> String {
        var reader = ByteReader(container.payload)
        guard let chain = try? ChainParameters.decode(from: &reader) else {
            return "  chain:    (the parameter block is unreadable)"
        }
        let areas = container.images.map { $0.header.width * $0.header.height }
        let lanes = chain.lanesPerStream(forImageAreas: areas)
        let streams = chain.streamCount == 1 ? "" : " in each of \(chain.streamCount) streams"
        return "  chain:    payload version \(chain.version), T = \(chain.steps), \(lanes) lane\(lanes == 1 ? "" : "s")\(streams)"
    }

    /// The hybrid coder's choice of every region: a map per image, B for bits-back and c for context.
    private func describeRegions(_ container: Container) -> [String] {
        guard let (side, images) = try? HybridCoder.regionChoices(of: container.payload, shapes: container.images.map(\.shape))
        else { return ["  regions:  (the hybrid header is unreadable)"] }
        var lines = ["  regions:  \(side)×\(side) pixels, B = bits-back, c = context, rows top first"]
        for (image, rows) in zip(container.images, images) {
            let all = rows.flatMap { $0 }
            let context = all.filter { $0 == .context }.count
            lines.append("  - \(EntryName.printable(image.name)): \(all.count - context) bits-back, \(context) context")
            lines += rows.map { "      " + String($0.map { $0 == .context ? "c" : "B" }) }
        }
        return lines
    }
}
