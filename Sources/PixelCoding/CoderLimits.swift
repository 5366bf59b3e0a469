/// Limits on what a coder is asked to do, shared by the coders, the container and the command line so
/// that what one writes the others accept (the whole table: `ImageLimits`).
public enum CoderLimits {
    /// Largest number of diffusion steps T (each step is a network evaluation per tile).
    public static let maxSteps = 4096
    /// Largest tile area (pixels) a payload may ask for: a tile's latents and network activations are
    /// held in memory at once. The encoder's default plan uses 2^18; older files never used more, so
    /// the cap changes no existing file (docs/FORMAT.md).
    public static let maxTilePixels = 1 << 20
}
