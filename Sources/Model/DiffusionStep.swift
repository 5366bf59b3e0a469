import ExactMath

/// One step between noise levels s < t (γ_s < γ_t): the forward transition q(z_t | z_s) and the reverse
/// step p(z_s | z_t) of docs/DESIGN.md §1 / NETWORK.md, with c = −expm1(γ_s − γ_t):
/// - forward: z_t = α_{t|s}·z_s + σ_{t|s}·ε, α_{t|s} = α_t/α_s, σ²_{t|s} = σ_t²·c;
/// - reverse: mean μ = (α_s/α_t)·(z_t − σ_t·c·ε̂), variance σ_Q² = σ_s²·c (fixed), or with learned variance
///   log σ_p² = frac·log σ²_{t|s} + (1 − frac)·log σ_Q², frac = (v + 1)/2.
/// The true posterior q(z_s | z_t, x) has the reverse mean with ε = (z_t − α_t·f(x))/σ_t and variance σ_Q².
///
/// Determinism: every coefficient is float64 from the two float32 γ's via `ExactMath`; the per-element
/// formulas below are fixed sequences of IEEE operations (FMA where written).
public struct DiffusionStep {
    /// The less noisy level s.
    public let source: NoiseLevel
    /// The noisier level t.
    public let target: NoiseLevel
    /// c = −expm1(γ_s − γ_t) ∈ (0, 1].
    public let c: Double
    /// α_{t|s} = α_t / α_s.
    public let transitionScale: Double
    /// σ²_{t|s} = σ_t²·c.
    public let transitionVariance: Double
    /// σ_{t|s}.
    public let transitionStandardDeviation: Double
    /// σ_Q² = σ_s²·c, the posterior (and fixed reverse) variance.
    public let posteriorVariance: Double
    /// σ_Q.
    public let posteriorStandardDeviation: Double
    /// α_s / α_t, the reverse mean's outer factor.
    public let meanScale: Double
    /// σ_t·c, the reverse mean's ε̂ factor.
    public let noiseScale: Double
    /// log σ_Q² and log σ²_{t|s} (ExactMath.log), for learned variance.
    public let logPosteriorVariance: Double, logTransitionVariance: Double

    /// - Throws: `ModelError.invalidArgument` unless γ_s < γ_t (both finite).
    public init(gammaSource: Float, gammaTarget: Float) throws {
        guard gammaSource.isFinite, gammaTarget.isFinite, gammaSource < gammaTarget else {
            throw ModelError.invalidArgument("a diffusion step needs γ_s < γ_t, got γ_s = \(gammaSource), γ_t = \(gammaTarget)")
        }
        source = NoiseLevel(gamma: gammaSource)
        target = NoiseLevel(gamma: gammaTarget)
        c = -ExactMath.expm1(Double(gammaSource) - Double(gammaTarget))
        transitionScale = target.alpha / source.alpha
        transitionVariance = target.sigmaSquared * c
        transitionStandardDeviation = transitionVariance.squareRoot()
        posteriorVariance = source.sigmaSquared * c
        posteriorStandardDeviation = posteriorVariance.squareRoot()
        meanScale = source.alpha / target.alpha
        noiseScale = target.sigma * c
        logPosteriorVariance = ExactMath.log(posteriorVariance)
        logTransitionVariance = ExactMath.log(transitionVariance)
    }

    /// Reverse-step mean μ = meanScale · fma(−noiseScale, ε̂, z_t).
    @inlinable
    public func reverseMean(z: Float, epsilon: Float) -> Double {
        meanScale * Double(z).addingProduct(-noiseScale, Double(epsilon))
    }

    /// Reverse-step standard deviation: σ_Q without learned variance (`v == nil`), else
    /// exp(½·fma(frac, log σ²_{t|s} − log σ_Q², log σ_Q²)) with frac = (v + 1)/2 in float64.
    @inlinable
    public func reverseStandardDeviation(v: Float?) -> Double {
        guard let v else { return posteriorStandardDeviation }
        return ExactMath.exp(0.5 * reverseLogVariance(v: v))
    }

    /// log σ_p² for learned variance output v (see `reverseStandardDeviation`).
    @inlinable
    public func reverseLogVariance(v: Float) -> Double {
        let fraction = (Double(v) + 1) * 0.5
        return logPosteriorVariance.addingProduct(fraction, logTransitionVariance - logPosteriorVariance)
    }

    /// Forward-step mean α_{t|s}·z_s (standard deviation `transitionStandardDeviation`).
    @inlinable
    public func forwardMean(z: Float) -> Double { transitionScale * Double(z) }

    /// Bulk reverse step over a buffer: means and standard deviations of p(z_s | z_t) for every element.
    /// Precondition: `z`, `epsilon` and `v` (when given) have the same count.
    /// `v` is the network's variance output (nil without learned variance).
    public func reverse(z: [Float], epsilon: [Float], v: [Float]?) -> (mean: [Double], standardDeviation: [Double]) {
        precondition(z.count == epsilon.count && (v == nil || v!.count == z.count))
        var mean = [Double](repeating: 0, count: z.count)
        var deviation = [Double](repeating: posteriorStandardDeviation, count: z.count)
        for i in 0..<z.count { mean[i] = reverseMean(z: z[i], epsilon: epsilon[i]) }
        if let v { for i in 0..<z.count { deviation[i] = reverseStandardDeviation(v: v[i]) } }
        return (mean, deviation)
    }
}
