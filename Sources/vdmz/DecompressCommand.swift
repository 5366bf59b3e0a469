import ArgumentParser
import Codec
import Foundation
import Imaging
import ContainerFormat

/// `vdmz decompress`: .vdmz → PNG files with bit-identical pixels and the same PNG kind.
struct Decompress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore PNG images from .vdmz files.",
        discussion: """
            FILE.png.vdmz becomes FILE.png; the input is never modified or removed. A dataset archive \
            restores every image under its stored name in DIR (-d, default: the current directory). \
            "-" reads standard input (and writes standard output unless -o or -d is given).
            """)

    @Argument(help: ".vdmz files (\"-\" for standard input).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output PNG (\"-\" for standard output); single-image files only.")
    var output: String?

    @Option(
        name: [.customShort("d"), .customLong("directory")],
        help: ArgumentHelp("Directory to restore into (dataset archives: default the current directory).", valueName: "dir"))
    var directory: String?

    @Option(
        help: ArgumentHelp(
            "Checkpoint to decode with (default: the shipped one, or the release's whose hash the file names).", valueName: "path"
        ))
    var model: String?

    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var outputOptions: OutputOptions
    @OptionGroup var selection: SelectionOptions

    private var force: Bool { outputOptions.force }
    private var quiet: Bool { outputOptions.quiet }

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("no input files") }
        if output != nil && inputs.count > 1 { throw ValidationError("-o takes one input only (use -d DIR)") }
        if output != nil && directory != nil { throw ValidationError("give -o or -d, not both") }
        // An unset variable (`-d "$OUTDIR"`) must not mean the root folder or the current one.
        if directory == "" { throw ValidationError("-d needs a directory name (got an empty one)") }
        if output == "" { throw ValidationError("-o needs a file name (got an empty one)") }
    }

    func run() throws {
        var failed = false
        for input in inputs {
            do {
                try decompressOne(input)
            } catch {
                Terminal.printError("vdmz: \(input == "-" ? "standard input" : input): \(errorLine(error))")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }

    private func decompressOne(_ input: String) throws {
        if try decompressSelected(input) { return }
        let container = try Container(parsing: FileIO.readFile(input, magic: Container.magic), limits: limitOptions.limits)
        let destinations = try self.destinations(for: container, input: input)
        for destination in destinations where destination != "-" {
            if FileIO.sameFile(input, destination) { throw CLIError("\(destination): output would overwrite the input") }
            try FileIO.checkDestination(destination, overwrite: force)
        }
        if destinations == ["-"] && Terminal.standardOutputIsTerminal && !force {
            throw CLIError("refusing to write PNG data to a terminal (use -o FILE, redirect, or --force)")
        }
        let factory = CoderFactory(prior: .checkpoint(path: model), threads: threadOptions.count, limits: limitOptions.limits)
        let coder = try factory.decoder(for: container)
        let progress = ProgressReporter(label: "vdmz: decompressing \(input)", quiet: quiet)
        let images = try Archive.decompress(container, coder: coder, progress: progress.handler)
        progress.finish()
        // Everything is decoded and verified before the first file is written.
        let pngs = try images.map { try $0.image.pngData() }
        if container.isDataset {
            // All or nothing: a failure half-way leaves no file behind (FileIO.writeAllOrNothing).
            try FileIO.writeAllOrNothing(
                Array(zip(images.map(\.name), pngs)), into: directory ?? ".", overwrite: force,
                mode: FileIO.outputMode(copying: input))
        } else {
            for (png, destination) in zip(pngs, destinations) {
                if destination == "-" {
                    try FileIO.writeStandardOutput(png)
                } else {
                    try FileIO.writeAtomically(png, to: destination, overwrite: force, mode: FileIO.outputMode(copying: input))
                }
            }
        }
        if !quiet {
            let target =
                destinations == ["-"]
                ? "standard output"
                : destinations.count == 1 ? destinations[0] : "\(destinations.count) files in \(directory ?? ".")"
            Terminal.printError("\(input == "-" ? "standard input" : input) → \(target)")
        }
    }

    /// Output paths, one per image.
    private func destinations(for container: Container, input: String) throws -> [String] {
        if container.isDataset {
            guard output == nil else { throw CLIError("a dataset archive restores several files: use -d DIR, not -o") }
            let root = directory ?? "."
            var seen: Set<String> = []
            return try container.images.map { image in
                try checkName(image.name)
                guard seen.insert(image.name).inserted else {
                    throw CLIError("the archive holds two entries named \"\(EntryName.printable(image.name))\"")
                }
                return join(root, image.name)
            }
        }
        guard container.images.count == 1 else { throw CLIError("corrupted .vdmz file: several images without the dataset flag") }
        if let output { return [output] }
        if input == "-" {
            guard let directory else { return ["-"] }
            try checkName(container.images[0].name)
            return [join(directory, container.images[0].name)]
        }
        guard input.hasSuffix(".vdmz"), input.count > 5 else {
            throw CLIError("unknown suffix (expected .vdmz); use -o to name the output")
        }
        let stripped = String(input.dropLast(5))
        if let directory { return [join(directory, baseName(stripped))] }
        return [stripped]
    }

    private func join(_ directory: String, _ name: String) -> String { FileIO.join(directory, name) }

    /// Throws unless `name` follows `EntryName`'s rule (one file name directly inside the folder).
    private func checkName(_ name: String) throws {
        if let problem = EntryName.problem(in: name) {
            throw CLIError("refusing to restore an archive entry named \"\(EntryName.printable(name))\": \(problem)")
        }
    }
}
