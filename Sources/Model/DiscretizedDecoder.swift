import ExactMath

/// The decoder p(x | z_0) of docs/DESIGN.md §1: per sub-pixel, a softmax over the 256 values k of the logits
/// ℓ_k = −½·((z_0/α_0 − f(k))·exp(−γ_0/2))², with f(k) = 2(k + ½)/256 − 1.
///
/// Determinism: α_0 and exp(−γ_0/2) are float64 from the float32 γ_0 via `ExactMath`; each logit is the
/// fixed sequence divide, subtract, multiply, square, scale in float64.
public struct DiscretizedDecoder {
    /// The noise level of z_0.
    public let level: NoiseLevel
    /// exp(−γ_0/2), the inverse standard deviation of the decoder in the scaled-pixel domain.
    public let inverseScale: Double

    public init(gamma0: Float) {
        level = NoiseLevel(gamma: gamma0)
        inverseScale = ExactMath.exp(-0.5 * Double(gamma0))
    }

    /// f(k) = 2(k + ½)/256 − 1, the scaled value of pixel value k (exact in float32 and float64).
    @inlinable
    public static func scaled(_ k: Int) -> Double { 2 * (Double(k) + 0.5) / 256 - 1 }

    /// ℓ_k for one k.
    @inlinable
    public func logit(_ k: Int, z0: Double) -> Double {
        let d = (z0 / level.alpha - Self.scaled(k)) * inverseScale
        return -0.5 * (d * d)
    }

    /// The 256 logits ℓ_0 … ℓ_255 for z_0 (unnormalised log-probabilities).
    public func logits(z0: Double) -> [Double] { (0..<256).map { logit($0, z0: z0) } }

    /// log p(k | z_0) for k = 0…255 (normalised with the same log-sum-exp as `negativeLogLikelihood`).
    public func logProbabilities(z0: Double) -> [Double] {
        let normalizer = logNormalizer(z0: z0)
        return (0..<256).map { logit($0, z0: z0) - normalizer }
    }

    /// −log p(x | z_0) in nats: log Σ_k e^{ℓ_k} − ℓ_x. The log-sum-exp runs over the k around the mode
    /// whose logit is within 50 of the maximum (the logits are concave in k, so every omitted term is below
    /// e^−50 ≈ 2e−22 of the largest: invisible in float64), summed in increasing k.
    public func negativeLogLikelihood(of x: UInt8, z0: Double) -> Double {
        logNormalizer(z0: z0) - logit(Int(x), z0: z0)
    }

    /// log Σ_k e^{ℓ_k} over the k within 50 of the maximum logit (see `negativeLogLikelihood`).
    public func logNormalizer(z0: Double) -> Double {
        let position = ((z0 / level.alpha + 1) * 128 - 0.5).rounded()
        let mode = Int(max(0, min(255, position.isNaN ? 0 : position)))
        let peak = logit(mode, z0: z0)
        var low = mode, high = mode
        while low > 0 && logit(low - 1, z0: z0) > peak - 50 { low -= 1 }
        while high < 255 && logit(high + 1, z0: z0) > peak - 50 { high += 1 }
        var sum = 0.0
        for k in low...high { sum += ExactMath.exp(logit(k, z0: z0) - peak) }
        return peak + ExactMath.log(sum)
    }

    /// The most probable pixel value for z_0 (the nearest f(k) to z_0/α_0).
    public func mode(z0: Double) -> UInt8 {
        let position = ((z0 / level.alpha + 1) * 128 - 0.5).rounded()
        return UInt8(max(0, min(255, position.isNaN ? 0 : position)))
    }
}
