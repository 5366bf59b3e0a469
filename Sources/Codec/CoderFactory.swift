import BitsBack
import ContainerFormat
import ContextCoding
import HybridCoding
import Imaging
import Foundation
import Model
import PixelCoding

/// The pixel coders a user can choose for compressing.
public enum CoderChoice: String, CaseIterable, Sendable {
    /// The bits-back chain over the VDM prior: the compressor.
    case bitsBack = "bits-back"
    /// The model planes stored with zlib (fast, no model): `auto`'s fallback for noise; for comparison and tests.
    case stored
    /// The classical context-modelling coder: fast, no model; for graphics, screenshots and gray images.
    case context
    /// Bits-back or the context coder per region of the image, on one stack (tag 3, `HybridCoder`).
    case hybrid
    /// Bits-back, the context coder and the stored planes; the smallest file is kept (`Archive.compressSmallest`).
    case auto

    /// The coders `auto` tries, in order (the first wins a tie). Stored comes last as the fallback for
    /// pixels that no model predicts (noise): the context coder's adaptive distributions spend more than
    /// 8 bits per sub-pixel there (8.75 on 64×64 RGB noise), zlib's stored blocks about 8 (issue 13,
    /// docs/bench/2026-12-01-nolarger). It costs one zlib pass.
    public static let autoCandidates: [CoderChoice] = [.bitsBack, .context, .stored]

    /// Whether the choice runs the diffusion prior (so `--steps` and `--model` apply).
    public var usesModel: Bool { self == .bitsBack || self == .hybrid || self == .auto }
}

/// Makes the coder that writes a container and the coder that reads one: the one place that maps
/// `PixelCoderKind` to an implementation, shared by the command line and the fuzzing probe.
public struct CoderFactory {
    /// Where the diffusion prior comes from.
    public enum PriorSource {
        /// A checkpoint file, or (nil) the packaged default; decoding also looks up the checkpoints of
        /// earlier releases by the hash a container records (`Checkpoint.releasedURL`).
        case checkpoint(path: String?)
        /// An already loaded prior, used as it is.
        case loaded(DiffusionPrior)
    }

    public let priorSource: PriorSource
    /// Network threads of the coders it makes; files do not depend on it.
    public let threads: Int
    /// The limits every coder made here checks the decoding work against (`ImageLimits.maxWork`).
    public let limits: ImageLimits

    /// Region side of the hybrid coders it makes for encoding (`HybridCoder.regionSide`).
    public let regionSide: Int
    /// Most streams of the bits-back coders it makes for encoding (`BitsBackCoder.streamCap`; 1 writes
    /// chain payload version 3, which builds before streams read).
    public let streamCap: Int
    /// Most pixels of a chain in a dataset's bits-back payloads (`BitsBackCoder.chainPixels`; nil: one
    /// chain a payload, payload version 3, as builds before chain groups wrote).
    public let chainPixels: Int?

    public init(
        prior: PriorSource, threads: Int = 1, limits: ImageLimits = .standard,
        regionSide: Int = HybridCoder.defaultRegionSide, streamCap: Int = BitsBackCoder.defaultStreamCap,
        chainPixels: Int? = BitsBackCoder.datasetChainPixels
    ) {
        self.chainPixels = chainPixels
        self.priorSource = prior
        self.threads = threads
        self.limits = limits
        self.regionSide = regionSide
        self.streamCap = streamCap
    }

    /// The coder for compressing. `steps` is the bits-back chain's T (nil: the checkpoint's own);
    /// `isDataset` caps a bits-back chain's lanes as a dataset's shards have them (`BitsBackCoder.laneCap`)
    /// and cuts its payload into chains of `chainPixels`.
    /// - Throws: `CoderFactoryError` for an unreadable checkpoint, `BitsBackError` for steps out of range.
    public func encoder(_ choice: CoderChoice, steps: Int? = nil, isDataset: Bool = false) throws -> any PixelCoder {
        try encoders(choice, steps: steps, isDataset: isDataset)[0]
    }

    /// The coders a choice tries: one, or for `auto` each of `CoderChoice.autoCandidates`.
    public func encoders(_ choice: CoderChoice, steps: Int? = nil, isDataset: Bool = false) throws -> [any PixelCoder] {
        if choice == .auto {
            return try CoderChoice.autoCandidates.map { try singleEncoder($0, steps: steps, isDataset: isDataset) }
        }
        return [try singleEncoder(choice, steps: steps, isDataset: isDataset)]
    }

    private func singleEncoder(_ choice: CoderChoice, steps: Int?, isDataset: Bool) throws -> any PixelCoder {
        switch choice {
        case .stored:
            return StoredPixelCoder()
        case .context:
            return ContextPixelCoder(threads: threads)
        case .auto:
            throw CoderFactoryError.notASingleCoder
        case .bitsBack:
            let prior = try loadPrior()
            let coder = try BitsBackCoder(
                prior: prior, parameters: ChainParameters(steps: steps ?? prior.metadata.codingSteps), threads: threads)
            if isDataset {
                coder.laneCap = BitsBackCoder.datasetLaneCap
                coder.chainPixels = chainPixels
            }
            coder.streamCap = streamCap
            coder.limits = limits
            return coder
        case .hybrid:
            let prior = try loadPrior()
            let coder = try HybridCoder(
                prior: prior, parameters: ChainParameters(steps: steps ?? prior.metadata.codingSteps),
                regionSide: regionSide, threads: threads)
            coder.limits = limits
            return coder
        }
    }

    /// The coder that decodes `container`. For model-based coders the checkpoint must be the one whose
    /// hash the container records.
    /// - Parameter verifyingMessageChecksum: false only to fuzz what lies behind the ANS message's CRC.
    /// - Throws: `CoderFactoryError` for an unreadable or mismatched checkpoint.
    public func decoder(for container: Container, verifyingMessageChecksum: Bool = true) throws -> any PixelCoder {
        switch container.coder {
        case .stored:
            return StoredPixelCoder()
        case .context:
            return ContextPixelCoder()
        case .bitsBack:
            let prior = try priorMatching(container)
            let coder = try BitsBackCoder(prior: prior, threads: threads)
            coder.verifiesMessageChecksum = verifyingMessageChecksum
            coder.limits = limits
            return coder
        case .hybrid:
            let coder = try HybridCoder(
                prior: try priorMatching(container), parameters: ChainParameters(steps: 1), threads: threads)
            coder.verifiesMessageChecksum = verifyingMessageChecksum
            coder.limits = limits
            return coder
        }
    }

    /// The prior whose checkpoint hash `container` records: this factory's, or an earlier release's.
    private func priorMatching(_ container: Container) throws -> DiffusionPrior {
        var prior = try loadPrior()
        var hash = BitsBackCoder.hash(of: prior)
        // Made with an earlier release's default checkpoint: this build keeps it by its hash.
        if hash != container.modelHash, case .checkpoint(path: nil) = priorSource,
            let released = Checkpoint.releasedURL(sha256Hex: Archive.hex(container.modelHash))
        {
            prior = try loadPrior(path: released.path)
            hash = BitsBackCoder.hash(of: prior)
        }
        guard hash == container.modelHash else {
            throw CoderFactoryError.checkpointMismatch(
                wanted: Archive.hex(container.modelHash), source: sourceDescription, found: Archive.hex(hash))
        }
        return prior
    }

    /// What `priorSource` names, for messages.
    private var sourceDescription: String {
        switch priorSource {
        case .checkpoint(path: let path?): return "the checkpoint \(path)"
        case .checkpoint(path: nil): return "this build's default checkpoint or any checkpoint it keeps from earlier releases"
        case .loaded: return "the loaded checkpoint"
        }
    }

    private func loadPrior() throws -> DiffusionPrior {
        switch priorSource {
        case .loaded(let prior): return prior
        case .checkpoint(let path): return try loadPrior(path: path)
        }
    }

    private func loadPrior(path: String?) throws -> DiffusionPrior {
        do {
            return try DiffusionPrior(checkpoint: Checkpoint.load(path: path))
        } catch {
            throw CoderFactoryError.checkpointUnreadable(path: path, reason: String(describing: error))
        }
    }
}

/// Why `CoderFactory` could not make a coder.
public enum CoderFactoryError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint file (nil: the packaged default) could not be loaded.
    case checkpointUnreadable(path: String?, reason: String)
    /// The container was written with another checkpoint than any this factory can load.
    case checkpointMismatch(wanted: String, source: String, found: String)
    /// `auto` names several coders (`encoders(_:steps:)` makes them).
    case notASingleCoder

    public var description: String {
        switch self {
        case let .checkpointUnreadable(path, reason): return "checkpoint \(path ?? "(default)"): \(reason)"
        case let .checkpointMismatch(wanted, source, found):
            return "this file was compressed with the checkpoint of SHA-256 \(wanted), not \(source) (\(found.prefix(16))…)"
        case .notASingleCoder: return "the auto choice tries several coders; ask for them with encoders(_:steps:)"
        }
    }
}
