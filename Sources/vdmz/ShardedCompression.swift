import ArgumentParser
import Codec
import ContainerFormat
import Foundation
import Imaging
import Model
import PixelCoding

/// `vdmz compress -o SET.vdmz` for a dataset: PNG files, folders of PNG files and .npy arrays of images,
/// cut into shards (`ShardOptions`) that are coded in parallel on all threads.
extension Compress {
    /// Whether the inputs make a dataset archive: several inputs with -o, a folder, an .npy array, or a
    /// shard size given.
    var wantsDataset: Bool {
        (inputs.count > 1 && output != nil) || shardOptions.isGiven
            || inputs.contains { $0 != "-" && (Self.isDirectory($0) || Self.isNPY($0)) }
    }

    /// Codes every image of the inputs into the sharded dataset archive `destination`.
    func compressSharded(to destination: String) throws {
        guard !inputs.contains("-") else { throw CLIError("standard input cannot be part of a dataset archive") }
        if destination != "-" {
            if inputs.contains(where: { $0 == destination || FileIO.sameFile($0, destination) }) {
                throw CLIError("\(destination): output would overwrite an input")
            }
            try FileIO.checkDestination(destination, overwrite: outputOptions.force)
        } else if Terminal.standardOutputIsTerminal && !outputOptions.force {
            throw CLIError("refusing to write compressed data to a terminal (use -o FILE, redirect, or --force)")
        }
        let images = try gatherImages()
        let prior: DiffusionPrior? = coder.usesModel ? try modelOptions.loadPrior() : nil
        let priorSource: CoderFactory.PriorSource = prior.map { .loaded($0) } ?? .checkpoint(path: modelOptions.model)
        let steps = modelOptions.steps
        let progress = ProgressReporter(label: "vdmz: compressing \(destination)", quiet: outputOptions.quiet)
        // `auto` codes the whole dataset with each candidate and keeps the smallest archive (the first of
        // equal sizes): an archive has one coder. As for one image (`SmallestTrial`), bits-back, which
        // can bound its size, comes last and is left out when its bound exceeds the smallest archive's
        // payloads; it estimates only for images of 2^16 pixels or more on average.
        let choices = coder == .auto ? CoderChoice.autoCandidates : [coder]
        func makeCoder(_ choice: CoderChoice) -> (Int) throws -> any PixelCoder {
            { threads in
                try CoderFactory(
                    prior: priorSource, threads: threads, limits: limitOptions.limits, regionSide: regionSide,
                    chainPixels: shardOptions.chains
                ).encoder(choice, steps: steps, isDataset: true)
            }
        }
        // Each image's planes once for every coder tried (an alpha plane's modelling is a context coding).
        let decomposed = try ShardedArchive.decomposing(
            images, size: shardOptions.size, threads: threadOptions.count, limits: limitOptions.limits)
        let choice = try SmallestTrial.smallest(
            of: choices, progress: progress.handler,
            bound: { choice in
                guard choice == .bitsBack else { return nil }
                return (try makeCoder(choice)(threadOptions.count) as? any PayloadSizeBounding)?
                    .sizeBound(for: decomposed.lazy.map(\.model))
            },
            payloadSize: { (kept: (bytes: [UInt8], shards: [Container])) in kept.shards.reduce(0) { $0 + $1.payload.count } },
            size: { $0.bytes.count },
            trial: { choice, share in
                let shards = try ShardedArchive.compressShards(
                    images, size: shardOptions.size, threads: threadOptions.count, limits: limitOptions.limits,
                    decomposed: decomposed, makeCoder: makeCoder(choice), progress: share)
                return (try ShardedContainer.assemble(shards), shards)
            })
        progress.finish()
        guard let choice else { throw CLIError("no coder to compress with") }
        let (bytes, shards) = choice.outcome
        if verify {
            let restored = try Self.decodeAll(bytes, threads: threadOptions.count, limits: limitOptions.limits) {
                container, threads in
                try CoderFactory(prior: priorSource, threads: threads, limits: limitOptions.limits).decoder(for: container)
            }
            guard restored == images else { throw CLIError("verification failed: the decoded images differ (nothing written)") }
        }
        if destination == "-" {
            try FileIO.writeStandardOutput(bytes)
        } else {
            try FileIO.writeAtomically(
                bytes, to: destination, overwrite: outputOptions.force,
                mode: FileIO.outputMode(copying: inputs[0]))
        }
        if !outputOptions.quiet {
            let subpixels = images.reduce(0) { $0 + $1.image.pixelCount * 3 }
            Terminal.printError(
                "\(images.count) images → \(destination == "-" ? "standard output" : destination): "
                    + "\(bytes.count) bytes, \(String(format2: Double(bytes.count * 8) / Double(max(1, subpixels)))) bits/sub-pixel, "
                    + "\(shards.count) shard\(shards.count == 1 ? "" : "s"), coder: \(shards[0].coder)"
                    + choice.leftOut.map { " (\($0.rawValue) not run: its estimated size is larger)" }.joined())
        }
    }

    /// Every image of a (format 2 or 3) archive's bytes, in order.
    static func decodeAll(
        _ bytes: [UInt8], threads: Int, limits: ImageLimits,
        makeDecoder: @escaping (Container, Int) throws -> any PixelCoder
    ) throws -> [NamedImage] {
        if ShardedContainer.isSharded(prefix: Array(bytes.prefix(10))) {
            let source = MemoryByteSource(bytes)
            let index = try ShardedContainer(readingIndexFrom: source, limits: limits)
            return try ShardedArchive.decompress(
                index, shards: Array(index.shards.indices), from: source, threads: threads,
                limits: limits, makeDecoder: makeDecoder
            ).flatMap { $0 }
        }
        let container = try Container(parsing: bytes, limits: limits)
        return try Archive.decompress(container, coder: makeDecoder(container, threads))
    }

    /// The images of the inputs, in order: a PNG file as itself, a folder as its *.png files sorted by
    /// name, an .npy array of uint8 images (N, H, W, 3 or 1) as images named STEM_00000.png, ….
    func gatherImages() throws -> [NamedImage] {
        var images: [NamedImage] = []
        var names: Set<String> = []
        func add(_ name: String, _ source: String, _ image: () throws -> RasterImage) throws {
            guard names.insert(name).inserted else {
                throw CLIError("two inputs are named \(name); names must be unique in an archive")
            }
            if let problem = EntryName.problem(in: name) {
                throw CLIError("\(EntryName.printable(source)): unusable name for an archive entry: \(problem)")
            }
            do {
                images.append(NamedImage(name: name, image: try image()))
            } catch {
                throw CLIError("\(source): \(errorLine(error))")
            }
        }
        for input in inputs {
            if Self.isDirectory(input) {
                let entries = try FileManager.default.contentsOfDirectory(atPath: input)
                    .filter { $0.lowercased().hasSuffix(".png") && !$0.hasPrefix(".") }
                    .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
                guard !entries.isEmpty else { throw CLIError("\(input): no .png files in this folder") }
                for entry in entries {
                    let path = input.hasSuffix("/") ? input + entry : input + "/" + entry
                    try add(entry, path) {
                        try RasterImage(
                            pngData: FileIO.readFile(path, magic: RasterImage.pngSignature), limits: limitOptions.limits)
                    }
                }
            } else if Self.isNPY(input) {
                let array = try NPYImages(npyData: FileIO.readFile(input))
                guard array.channels == 3 || array.channels == 1 else {
                    throw CLIError(
                        "\(input): images with \(array.channels) channels; expected uint8 (N, H, W, 3) or (N, H, W, 1)")
                }
                guard array.width * array.height <= limitOptions.limits.maxPixels else {
                    throw CLIError("\(input): images of \(array.width)×\(array.height) exceed --max-pixels")
                }
                var stem = baseName(input)
                stem = String(stem.dropLast(4))
                let digits = max(5, String(max(0, array.count - 1)).count)
                for i in 0..<array.count {
                    let number = String(i)
                    let name = "\(stem)_\(String(repeating: "0", count: digits - number.count))\(number).png"
                    try add(name, "\(input)[\(i)]") {
                        try RasterImage(
                            width: array.width, height: array.height, colorType: array.channels == 3 ? .rgb : .gray,
                            bitDepth: 8, samples: Array(array.image(i)))
                    }
                }
            } else {
                try add(baseName(input), input) {
                    try RasterImage(pngData: FileIO.readFile(input, magic: RasterImage.pngSignature), limits: limitOptions.limits)
                }
            }
        }
        return images
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    static func isNPY(_ path: String) -> Bool { path.lowercased().hasSuffix(".npy") }
}
