import ArgumentParser
import Foundation
import Imaging
import Model
import PixelCoding

/// `--model` and `--steps`: which prior, and how many diffusion steps T.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Checkpoint (.safetensors) to use instead of the one shipped with vdmz.", valueName: "path"))
    var model: String?

    @Option(
        help: ArgumentHelp(
            "Diffusion steps T, 1…\(CoderLimits.maxSteps) (default: the checkpoint's coding_steps, 64 for the shipped model).",
            valueName: "T"))
    var steps: Int?

    func validate() throws {
        if let steps, !(1...CoderLimits.maxSteps).contains(steps) {
            throw ValidationError("--steps must be in 1…\(CoderLimits.maxSteps)")
        }
    }

    /// The prior of `--model`, or the packaged default.
    func loadPrior() throws -> DiffusionPrior {
        do {
            return try DiffusionPrior(checkpoint: Checkpoint.load(path: model))
        } catch {
            throw CLIError("checkpoint \(model ?? "(default)"): \(errorLine(error))")
        }
    }
}

/// `--threads`.
struct ThreadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Worker threads (default: all cores, \(ProcessInfo.processInfo.activeProcessorCount) here); with 2 or more, auto may run two coders' work at once. Results do not depend on it.",
            valueName: "n"))
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// `--threads`, or every core.
    var count: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// `--force` and `--quiet`, for commands that write files.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Overwrite existing outputs; allow writing binary data to a terminal.")
    var force = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false
}

/// `--max-pixels` and `--max-work`: the limits applied before anything is allocated or decoded
/// (the table: `ImageLimits`). `compress` and `decompress` take the same flags and check the same limits.
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Largest width·height of one image accepted.", valueName: "n"))
    var maxPixels: Int = ImageLimits.standard.maxPixels

    @Option(
        help: ArgumentHelp(
            "Decoding work allowed, in pixel-steps (pixels × (T+1)), besides \(ImageLimits.standard.workPerPayloadByte) per payload byte.",
            valueName: "n"))
    var maxWork: Int = ImageLimits.standard.maxWork

    func validate() throws {
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        guard maxWork >= 0 else { throw ValidationError("--max-work must not be negative") }
    }

    /// The limits of one run: `--max-pixels` per image, at least the default total per archive, `--max-work`.
    var limits: ImageLimits {
        ImageLimits(maxPixels: maxPixels, maxTotalPixels: max(maxPixels, ImageLimits.standard.maxTotalPixels), maxWork: maxWork)
    }
}
