// vdmz-bench: benchmarks (not tests). Usage: vdmz-bench ans | model | codec | chain
import Foundation

let benchmarks: [String: ([String]) -> Void] = [
    "ans": runANSBenchmark,
    "model": runModelBenchmark,
    "codec": runCodecBenchmark,
    "chain": runChainBenchmark,
]
let arguments = Array(CommandLine.arguments.dropFirst())
guard let name = arguments.first, let run = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: " | ")
    FileHandle.standardError.write("usage: vdmz-bench \(names) [options]\n".data(using: .utf8)!)
    exit(2)
}
run(Array(arguments.dropFirst()))
