import Foundation

/// The complete VDM prior of one checkpoint: the denoiser and its noise schedule.
public final class DiffusionPrior {
    /// The loaded checkpoint (its `data` is what the codec hashes).
    public let checkpoint: Checkpoint
    /// ε̂_θ(z, γ).
    public let denoiser: Denoiser
    /// γ(t).
    public let schedule: NoiseSchedule

    public init(checkpoint: Checkpoint) throws {
        self.checkpoint = checkpoint
        denoiser = try Denoiser(checkpoint: checkpoint)
        schedule = try NoiseSchedule(checkpoint: checkpoint)
    }

    /// The checkpoint's metadata.
    public var metadata: CheckpointMetadata { checkpoint.metadata }
}
