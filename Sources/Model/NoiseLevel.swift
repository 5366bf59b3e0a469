import ExactMath

/// Variance-preserving marginals at one noise level γ (docs/DESIGN.md §1): σ² = sigmoid(γ), α² = sigmoid(−γ).
/// All in float64 from a float32 γ, with `ExactMath` and IEEE square roots: the same bits everywhere.
public struct NoiseLevel: Equatable {
    /// γ, as the float32 value shared by encoder and decoder, widened exactly.
    public let gamma: Double
    /// σ² = sigmoid(γ).
    public let sigmaSquared: Double
    /// α² = sigmoid(−γ).
    public let alphaSquared: Double
    /// σ = √σ².
    public let sigma: Double
    /// α = √α².
    public let alpha: Double

    public init(gamma: Float) {
        self.gamma = Double(gamma)
        sigmaSquared = ExactMath.sigmoid(Double(gamma))
        alphaSquared = ExactMath.sigmoid(-Double(gamma))
        sigma = sigmaSquared.squareRoot()
        alpha = alphaSquared.squareRoot()
    }
}
