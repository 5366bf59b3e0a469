// vdmz-bench: benchmarks (not tests). Usage: vdmz-bench ans | model | codec | chain [options]
import ArgumentParser

@main
struct VDMZBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vdmz-bench",
        abstract: "Benchmarks of vdmz: the ANS coder, the network, the container and the bits-back chain.",
        subcommands: [
            ANSBenchmark.self, ModelBenchmark.self, CodecBenchmark.self, ChainBenchmark.self, EstimateBenchmark.self,
        ])
}
