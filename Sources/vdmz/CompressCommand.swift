import ArgumentParser
import BitsBack
import Codec
import Foundation
import Imaging
import PixelCoding
import ContainerFormat
import HybridCoding

/// `vdmz compress`: PNG files → .vdmz (one per input, or one dataset archive with -o and several inputs).
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compress PNG images losslessly.",
        discussion: """
            Each INPUT.png becomes INPUT.png.vdmz next to it; inputs are never modified or removed. \
            With several inputs and -o SET.vdmz, all images go into one dataset archive. \
            "-" reads standard input (and then writes standard output unless -o is given).
            """)

    @Argument(
        help: "PNG files to compress (\"-\" for standard input); with -o, also folders of PNG files and .npy arrays of images.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output file (\"-\" for standard output); with several inputs, a dataset archive.")
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Pixel coder: auto (bits-back, context and stored, keeps the smallest file; gray images skip bits-back), bits-back (the diffusion prior), "
                + "context (classical context modelling, no model: fast; for graphics and gray images), hybrid "
                + "(bits-back or context per region, whichever is smaller: screenshots with photographs) or stored "
                + "(zlib, no model: for noise and for comparison).", valueName: "coder"))
    var coder: CoderChoice = .auto

    @Option(help: ArgumentHelp("Side of the hybrid coder's square regions, in pixels (1…1024).", valueName: "pixels"))
    var regionSide: Int = HybridCoder.defaultRegionSide

    @Option(
        help: ArgumentHelp(
            "Most streams of a bits-back file of a large image (1, 2 or 4): its encoding and decoding run on that "
                + "many threads; 1 writes chain payload version 3, which builds before 2026-12-01 read.",
            valueName: "n"))
    var streams: Int = BitsBackCoder.defaultStreamCap

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var shardOptions: ShardOptions

    @Flag(help: "Decode the result once before writing it, and compare.")
    var verify = false

    @Flag(help: "Write the file even when fewer --steps than the checkpoint's make it larger than the raw pixels.")
    var allowExpansion = false

    private var force: Bool { outputOptions.force }
    private var quiet: Bool { outputOptions.quiet }
    private var limits: ImageLimits { limitOptions.limits }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("no input files") }
    }

    /// Refuses options that the chosen coder would ignore.
    private func checkCoderOptions() throws {
        if !coder.usesModel && modelOptions.steps != nil {
            throw CLIError("--steps applies to the bits-back coder only (the \(coder.rawValue) coder has no diffusion steps)")
        }
        if !coder.usesModel && modelOptions.model != nil {
            throw CLIError("--model applies to the bits-back coder only (the \(coder.rawValue) coder uses no model)")
        }
        if coder != .hybrid && regionSide != HybridCoder.defaultRegionSide {
            throw CLIError("--region-side applies to the hybrid coder only")
        }
        if streams != BitsBackCoder.defaultStreamCap {
            guard [1, 2, 4].contains(streams) else { throw CLIError("--streams must be 1, 2 or 4") }
            guard coder == .auto || coder == .bitsBack else {
                throw CLIError("--streams applies to the bits-back coder only")
            }
            guard !wantsDataset else {
                throw CLIError("--streams applies to single images (a dataset's shards have one stream each)")
            }
        }
    }

    func run() throws {
        var failed = false
        do {
            try checkCoderOptions()
            if wantsDataset {
                guard let output else {
                    throw CLIError("a dataset (several inputs, a folder or an .npy array) needs -o SET.vdmz")
                }
                return try compressSharded(to: output)
            }
            let factory = CoderFactory(
                prior: .checkpoint(path: modelOptions.model), threads: threadOptions.count, limits: limits,
                regionSide: regionSide, streamCap: streams)
            let pixelCoder = try factory.encoders(coder, steps: modelOptions.steps)
            // Several inputs without -o: one file each (several with -o are a dataset, above).
            for input in inputs {
                do {
                    try compressOne(input, coder: pixelCoder)
                } catch {
                    Terminal.printError("vdmz: \(input == "-" ? "standard input" : input): \(errorLine(error))")
                    failed = true
                }
            }
        } catch {
            Terminal.printError("vdmz: \(errorLine(error))")
            throw ExitCode.failure
        }
        if failed { throw ExitCode.failure }
    }

    private func compressOne(_ input: String, coder: [any PixelCoder]) throws {
        let destination = output ?? (input == "-" ? "-" : input + ".vdmz")
        try checkDestination(destination, inputs: [input])
        let image = try RasterImage(pngData: FileIO.readFile(input, magic: RasterImage.pngSignature), limits: limits)
        let name = input == "-" ? "stdin.png" : baseName(input)
        let (bytes, used, leftOut) = try encode(
            [NamedImage(name: name, image: image)], coders: coder, isDataset: false, label: name)
        try write(bytes, to: destination, modeOf: input)
        report(input, destination, bytes: bytes, images: [image], coder: used, leftOut: leftOut)
    }

    /// Codes with each coder of `coders` and keeps the smallest file; returns it, the coder that made it and
    /// the coders left out by their size bound (`Archive.compressSmallestReporting`).
    private func encode(_ images: [NamedImage], coders: [any PixelCoder], isDataset: Bool, label: String)
        throws -> ([UInt8], any PixelCoder, [any PixelCoder])
    {
        let progress = ProgressReporter(label: "vdmz: compressing \(label)", quiet: quiet)
        defer { progress.finish() }
        let ((container, bytes, coder), leftOut) = try Archive.compressSmallestReporting(
            images, coders: coders, isDataset: isDataset, limits: limits, threads: threadOptions.count,
            progress: progress.handler)
        try checkWorthModelling(container, coder: coder)
        if verify {
            let restored = try Archive.decompress(Container(parsing: bytes, limits: limits), coder: coder)
            guard restored == images else { throw CLIError("verification failed: the decoded images differ (nothing written)") }
        }
        return (bytes, coder, leftOut)
    }

    /// Refuses a file that asks for fewer steps than the checkpoint codes with and comes out larger than
    /// the raw model pixels (8 bits per sub-pixel). With few steps the model's ELBO climbs steeply (with
    /// the shipped model at T = 2 about 30 bits/sub-pixel, coded with escapes at about 40; bench/README.md)
    /// and writing such a file silently would blow the input up; one line says why and what to do instead.
    /// A model that is worse than storing at its own T (an untrained test checkpoint, noise images) is
    /// not refused: that is the model's rate, not a choice of the user.
    private func checkWorthModelling(_ container: Container, coder: any PixelCoder) throws {
        guard !allowExpansion, let coder = coder as? BitsBackCoder, coder.steps < coder.prior.metadata.codingSteps else { return }
        let subpixels = container.images.reduce(0) { $0 + 3 * $1.header.width * $1.header.height }
        let payloadBits = 8 * container.payload.count
        guard payloadBits > 8 * subpixels else { return }
        throw CLIError(
            "--steps \(coder.steps) codes these pixels in \(String(format2: Double(payloadBits) / Double(subpixels))) "
                + "bits/sub-pixel, more than the 8 of storing them; the checkpoint codes with "
                + "\(coder.prior.metadata.codingSteps) steps: drop --steps or pass more, use --coder stored, or --allow-expansion (nothing written)"
        )
    }

    private func checkDestination(_ destination: String, inputs: [String]) throws {
        if destination == "-" {
            if Terminal.standardOutputIsTerminal && !force {
                throw CLIError("refusing to write compressed data to a terminal (use -o FILE, redirect, or --force)")
            }
            return
        }
        if inputs.contains(where: { $0 == destination || FileIO.sameFile($0, destination) }) {
            throw CLIError("\(destination): output would overwrite an input")
        }
        try FileIO.checkDestination(destination, overwrite: force)
    }

    private func write(_ bytes: [UInt8], to destination: String, modeOf input: String) throws {
        if destination == "-" {
            try FileIO.writeStandardOutput(bytes)
        } else {
            try FileIO.writeAtomically(bytes, to: destination, overwrite: force, mode: FileIO.outputMode(copying: input))
        }
    }

    private func report(
        _ source: String, _ destination: String, bytes: [UInt8], images: [RasterImage], coder: any PixelCoder,
        leftOut: [any PixelCoder]
    ) {
        guard !quiet else { return }
        let subpixels = images.reduce(0) { $0 + $1.pixelCount * 3 }
        let rate = Double(bytes.count * 8) / Double(max(1, subpixels))
        let target = destination == "-" ? "standard output" : destination
        let skipped = leftOut.map { " (\($0.kind) not run: its estimated size is larger)" }.joined()
        Terminal.printError(
            "\(source == "-" ? "standard input" : source) → \(target): \(bytes.count) bytes, "
                + "\(String(format2: rate)) bits/sub-pixel, coder: \(coder.kind)\(skipped)")
    }
}

/// The last path component.
func baseName(_ path: String) -> String {
    let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
    return trimmed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? trimmed
}

extension String {
    /// `value` with 3 decimals, without Foundation.
    init(format2 value: Double) {
        let scaled = Int((value * 1000).rounded())
        let fraction = String(scaled % 1000)
        self = "\(scaled / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension CoderChoice: ExpressibleByArgument {
    /// Accepts "vdm", the name of the bits-back coder before 2026-12, as well.
    public init?(argument: String) {
        self.init(rawValue: argument == "vdm" ? CoderChoice.bitsBack.rawValue : argument)
    }
}
