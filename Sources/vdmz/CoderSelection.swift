import ArgumentParser
import Codec
import Model
import PixelCoding
import ContainerFormat
import BitsBack

/// The coders the command line can choose (`--coder`).
enum CoderChoice: String, ExpressibleByArgument, CaseIterable {
    /// Placeholder: model planes stored with zlib. Not the diffusion codec.
    case stored
    /// The bits-back chain over the VDM prior.
    case vdm
}

/// Picks the pixel coder for compressing and for decompressing.
enum CoderSelection {
    /// The coder for `vdmz compress`.
    static func encoder(_ choice: CoderChoice, modelPath: String?, steps: Int?, threads: Int) throws -> any PixelCoder {
        switch choice {
        case .stored:
            if steps != nil { throw CLIError("--steps applies to the vdm coder only (the stored coder has no diffusion steps)") }
            if modelPath != nil { throw CLIError("--model applies to the vdm coder only (the stored coder uses no model)") }
            return StoredPixelCoder()
        case .vdm:
            let prior = try loadPrior(modelPath: modelPath)
            let parameters = ChainParameters(steps: steps ?? prior.metadata.codingSteps)
            return try BitsBackCoder(prior: prior, parameters: parameters, threads: threads)
        }
    }

    /// The coder that decodes `container`; for model-based coders, the checkpoint's hash must match.
    static func decoder(for container: Container, modelPath: String?, threads: Int) throws -> any PixelCoder {
        switch container.coder {
        case .stored:
            return StoredPixelCoder()
        case .bitsBackVDM:
            let wanted = Archive.hex(container.modelHash)
            var coder = try BitsBackCoder(decoding: container, prior: try loadPrior(modelPath: modelPath), threads: threads)
            // Made with an earlier release's default checkpoint: this build keeps it by its hash.
            if coder.modelHash != container.modelHash, modelPath == nil,
               let released = Checkpoint.releasedURL(sha256Hex: wanted) {
                coder = try BitsBackCoder(decoding: container, prior: try loadPrior(modelPath: released.path), threads: threads)
            }
            guard coder.modelHash == container.modelHash else {
                let source = modelPath.map { "the checkpoint \($0)" }
                    ?? "this build's default checkpoint or any checkpoint it keeps from earlier releases"
                throw CLIError("this file was compressed with the checkpoint of SHA-256 \(wanted), "
                    + "not \(source) (\(Archive.hex(coder.modelHash).prefix(16))…); pass that checkpoint with --model PATH")
            }
            return coder
        }
    }

    /// The prior of `modelPath`, or the packaged default checkpoint.
    static func loadPrior(modelPath: String?) throws -> DiffusionPrior {
        do {
            return try DiffusionPrior(checkpoint: Checkpoint.load(path: modelPath))
        } catch {
            throw CLIError("checkpoint \(modelPath ?? "(default)"): \(errorLine(error))")
        }
    }
}
