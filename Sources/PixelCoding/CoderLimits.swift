/// Limits on what a coder is asked to do, shared by the coders, the container and the command line so
/// that what one writes the others accept.
public enum CoderLimits {
    /// Largest number of diffusion steps T (each step is a network evaluation per tile).
    public static let maxSteps = 4096
}
