import Foundation

/// The complete VDM prior of one checkpoint: the denoiser, its noise schedule and, for the network
/// decoder, the decoder's learned scale.
public final class DiffusionPrior {
    /// The loaded checkpoint (its `data` is what the codec hashes).
    public let checkpoint: Checkpoint
    /// ε̂_θ(z, γ).
    public let denoiser: Denoiser
    /// γ(t).
    public let schedule: NoiseSchedule
    /// The learned scale of the network decoder p(x | z_0); nil for the network-free decoder
    /// (`CheckpointMetadata.decoder == .uniform`).
    public let decoderScale: NetworkDecoderScale?

    public init(checkpoint: Checkpoint) throws {
        self.checkpoint = checkpoint
        denoiser = try Denoiser(checkpoint: checkpoint)
        schedule = try NoiseSchedule(checkpoint: checkpoint)
        decoderScale = checkpoint.metadata.decoder == .network ? try NetworkDecoderScale(checkpoint: checkpoint) : nil
    }

    /// The checkpoint's metadata.
    public var metadata: CheckpointMetadata { checkpoint.metadata }
}
