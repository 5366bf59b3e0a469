import ArgumentParser
import Foundation
import Model

/// `--model`: the checkpoint a benchmark loads (default: the one shipped with vdmz).
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checkpoint (.safetensors) instead of the one shipped with vdmz.", valueName: "path"))
    var model: String?
}

/// `--steps`: diffusion steps T (default: the checkpoint's coding_steps).
struct StepOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Diffusion steps T (default: the checkpoint's coding_steps).", valueName: "T"))
    var steps: Int?

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
    }
}

/// `--threads`: worker threads (default: every core).
struct ThreadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Worker threads (default: all cores, \(ProcessInfo.processInfo.activeProcessorCount) here).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// `--threads`, or every core.
    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// A benchmark that could not run (bad input, a failed round trip).
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Wall time in seconds of `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Integers separated by commas (`"16,4"`), or nil when any part is not an integer.
func commaSeparatedIntegers(_ text: String) -> [Int]? {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let values = parts.compactMap { Int($0) }
    return values.count == parts.count ? values : nil
}

/// `--model`, `--steps` and `--threads`: the options of a benchmark that runs the prior's T-step chain.
struct PriorRunOptions: ParsableArguments {
    @OptionGroup var checkpoint: CheckpointOptions
    @OptionGroup var stepOptions: StepOptions
    @OptionGroup var threadOptions: ThreadOptions

    /// The prior, and T: `--steps` or the checkpoint's coding steps.
    func load() throws -> (prior: DiffusionPrior, steps: Int) {
        let prior = try DiffusionPrior(checkpoint: Checkpoint.load(path: checkpoint.model))
        return (prior, stepOptions.steps ?? prior.metadata.codingSteps)
    }

    /// `--threads`, or every core.
    var threads: Int { threadOptions.count }
}
