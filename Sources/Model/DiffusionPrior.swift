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

/// Converts interleaved `[height][width][3]` pixels (PNG / .npy order) to planar `[3][height][width]`.
public func planarPixels(interleaved pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
    precondition(pixels.count == 3 * width * height)
    var planar = [UInt8](repeating: 0, count: pixels.count)
    let plane = width * height
    for p in 0..<plane {
        planar[p] = pixels[3 * p]
        planar[plane + p] = pixels[3 * p + 1]
        planar[2 * plane + p] = pixels[3 * p + 2]
    }
    return planar
}
