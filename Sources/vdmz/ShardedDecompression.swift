import ArgumentParser
import Codec
import ContainerFormat
import Foundation
import Imaging

/// `--only NAME`: restore only some images of a dataset archive.
struct SelectionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Restore only the image NAME of a dataset archive (repeatable); a sharded archive decodes only the shards that hold them.",
            valueName: "name"))
    var only: [String] = []
}

/// `vdmz decompress` of a sharded (format 3 or 4) archive, and of any dataset archive with `--only`:
/// reads the index, then only the shards it needs, each checked alone (CRC-32; the pixel digest when the
/// whole shard is decoded) and decoded in parallel, each only down to the first image wanted from it
/// (its chain is a stack: the last images come back first); everything chosen is decoded before the
/// first file is written.
extension Decompress {
    /// Restores `input` if it is a sharded (format 3 or 4) archive or `--only` is given; false otherwise (the caller
    /// decodes it as before).
    func decompressSelected(_ input: String) throws -> Bool {
        let wanted = selection.only
        guard input != "-" else {
            if !wanted.isEmpty { throw CLIError("--only needs a file, not standard input") }
            return false
        }
        let source = try FileByteSource(path: input)
        let isSharded = ShardedContainer.isSharded(prefix: try source.bytes(in: 0..<min(10, source.byteCount)))
        guard isSharded || !wanted.isEmpty else { return false }
        guard output == nil else { throw CLIError("a dataset archive restores files by name: use -d DIR, not -o") }
        let root = directory ?? "."
        let factory = CoderFactory(prior: .checkpoint(path: model), threads: threadOptions.count, limits: limitOptions.limits)

        let images: [NamedImage]
        if isSharded {
            let index = try ShardedContainer(readingIndexFrom: source, limits: limitOptions.limits)
            var numbers: [Int] = []
            if wanted.isEmpty {
                numbers = Array(index.shards.indices)
            } else {
                for name in wanted {
                    guard let number = index.shardNumber(holding: name) else {
                        throw CLIError("the archive holds no image named \(name)")
                    }
                    if !numbers.contains(number) { numbers.append(number) }
                }
                numbers.sort()
            }
            // A chain gives its images back last to first: its decoding stops at the first one wanted.
            let wantedImages: [Set<Int>]? =
                wanted.isEmpty
                ? nil
                : numbers.map { number in
                    let names = index.shards[number].names
                    return Set(names.indices.filter { wanted.contains(names[$0]) })
                }
            let selectedNames = numbers.flatMap { index.shards[$0].names }
            try checkDestinations(wanted.isEmpty ? selectedNames : wanted, root: root, input: input)
            let progress = ProgressReporter(label: "vdmz: decompressing \(input)", quiet: outputOptions.quiet)
            images = try ShardedArchive.decompress(
                index, shards: numbers, wantedImages: wantedImages, from: source, threads: threadOptions.count,
                limits: limitOptions.limits,
                makeDecoder: { container, threads in
                    try CoderFactory(prior: .checkpoint(path: model), threads: threads, limits: limitOptions.limits).decoder(
                        for: container)
                }, progress: progress.handler
            ).flatMap { $0 }
            progress.finish()
        } else {
            let container = try Container(parsing: FileIO.readFile(input, magic: Container.magic), limits: limitOptions.limits)
            guard container.isDataset else { throw CLIError("--only applies to dataset archives") }
            for name in wanted where !container.images.contains(where: { $0.name == name }) {
                throw CLIError("the archive holds no image named \(name)")
            }
            try checkDestinations(wanted, root: root, input: input)
            let progress = ProgressReporter(label: "vdmz: decompressing \(input)", quiet: outputOptions.quiet)
            images = try Archive.decompress(
                container, coder: factory.decoder(for: container),
                wanted: wanted.isEmpty
                    ? Set(container.images.indices)
                    : Set(container.images.indices.filter { wanted.contains(container.images[$0].name) }),
                progress: progress.handler)
            progress.finish()
        }
        let chosen = wanted.isEmpty ? images : images.filter { wanted.contains($0.name) }
        // Everything is decoded and verified before the first file is written.
        let pngs = try chosen.map { try $0.image.pngData() }
        // All or nothing: a failure half-way leaves no file behind (FileIO.writeAllOrNothing).
        try FileIO.writeAllOrNothing(
            Array(zip(chosen.map(\.name), pngs)), into: root, overwrite: outputOptions.force,
            mode: FileIO.outputMode(copying: input))
        if !outputOptions.quiet {
            Terminal.printError("\(input) → \(chosen.count) file\(chosen.count == 1 ? "" : "s") in \(root)")
        }
        return true
    }

    /// Refuses unsafe or repeated names and destinations that exist (without --force).
    private func checkDestinations(_ names: [String], root: String, input: String) throws {
        var seen: Set<String> = []
        for name in names {
            if let problem = EntryName.problem(in: name) {
                throw CLIError("refusing to restore an archive entry named \"\(EntryName.printable(name))\": \(problem)")
            }
            guard seen.insert(name).inserted else {
                throw CLIError("the archive holds two entries named \"\(EntryName.printable(name))\"")
            }
            let destination = Self.join(root, name)
            if FileIO.sameFile(input, destination) { throw CLIError("\(destination): output would overwrite the input") }
            try FileIO.checkDestination(destination, overwrite: outputOptions.force)
        }
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
