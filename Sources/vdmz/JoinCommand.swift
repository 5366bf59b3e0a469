import ArgumentParser
import Codec
import ContainerFormat
import Imaging

/// `vdmz join`: one dataset archive from the shard files of a distributed run (scale/).
struct Join: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join dataset archives (e.g. the shards of a distributed run) into one sharded archive.",
        discussion: """
            Each PART is a dataset archive: a one-shard file adds one shard, a sharded archive all of its shards, \
            in the order given. The shards are copied, not coded again: joining the shard files of a partition \
            gives exactly the bytes of compressing it on one machine.
            """)

    @Argument(help: "Dataset archives (.vdmz) to join, in order.")
    var parts: [String]

    @Option(name: .shortAndLong, help: "The archive to write.")
    var output: String

    @OptionGroup var limitOptions: LimitOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard !parts.isEmpty else { throw ValidationError("no input files") }
    }

    func run() throws {
        do {
            if parts.contains(where: { $0 == output || FileIO.sameFile($0, output) }) {
                throw CLIError("\(output): output would overwrite an input")
            }
            try FileIO.checkDestination(output, overwrite: outputOptions.force)
            var files: [[UInt8]] = []
            for part in parts {
                do {
                    files.append(try FileIO.readFile(part))
                } catch {
                    throw CLIError("\(part): \(errorLine(error))")
                }
            }
            let bytes = try ShardedContainer.join(files, limits: limitOptions.limits)
            try FileIO.writeAtomically(
                bytes, to: output, overwrite: outputOptions.force, mode: FileIO.outputMode(copying: parts[0]))
            if !outputOptions.quiet { Terminal.printError("\(parts.count) parts → \(output): \(bytes.count) bytes") }
        } catch {
            Terminal.printError("vdmz: \(errorLine(error))")
            throw ExitCode.failure
        }
    }
}
