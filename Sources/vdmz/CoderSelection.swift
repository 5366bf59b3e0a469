import ArgumentParser
import Codec

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
            throw ArchiveError.coderUnavailable(.bitsBackVDM)
        }
    }

    /// The coder that decodes `container`; for model-based coders, the checkpoint's hash must match.
    static func decoder(for container: Container, modelPath: String?, threads: Int) throws -> any PixelCoder {
        switch container.coder {
        case .stored:
            return StoredPixelCoder()
        case .bitsBackVDM:
            guard let modelPath else {
                throw CLIError("this file needs the checkpoint \(Archive.hex(container.modelHash).prefix(16))…; no default checkpoint in this build, pass --model PATH")
            }
            let found = try checkpointHash(atPath: modelPath)
            guard found == container.modelHash else {
                throw ArchiveError.modelMismatch(expected: Archive.hex(container.modelHash), found: Archive.hex(found))
            }
            throw ArchiveError.coderUnavailable(.bitsBackVDM)
        }
    }

    /// SHA-256 of the checkpoint file's bytes.
    static func checkpointHash(atPath path: String) throws -> [UInt8] {
        do {
            return PixelChecksum.sha256(try FileIO.readFile(path))
        } catch {
            throw CLIError("checkpoint \(path): \(errorLine(error))")
        }
    }
}
