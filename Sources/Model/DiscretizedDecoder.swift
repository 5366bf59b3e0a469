import ExactMath

/// The decoder p(x | z_0) of docs/DESIGN.md §1: per sub-pixel, a softmax over the 256 values k of the logits
/// ℓ_k = −½·((z_0/α_0 − f(k))·exp(−γ_0/2))², with f(k) = 2(k + ½)/256 − 1.
///
/// With the network decoder (`CheckpointMetadata.Decoder.network`) every logit gains the term
/// −½·((f(k) − x̂)/s)² of a `PixelEstimate` (one network pass at γ_0 on z_0; `NetworkDecoderScale`).
///
/// Determinism: α_0 and exp(−γ_0/2) are float64 from the float32 γ_0 via `ExactMath`; each logit is the
/// fixed sequence divide, subtract, multiply, square, scale in float64 (Swift does not contract a·b + c
/// into an FMA, so the bits are IEEE's everywhere), and the network term likewise.
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

    /// ℓ_k for one k (today's decoder, network-free).
    @inlinable
    public func logit(_ k: Int, z0: Double) -> Double {
        let d = (z0 / level.alpha - Self.scaled(k)) * inverseScale
        return -0.5 * (d * d)
    }

    /// ℓ_k for one k with the network decoder's term when `estimate` is given:
    /// ℓ_k − ½·precision·(f(k) − mean)², each operation in float64 in this order.
    @inlinable
    public func logit(_ k: Int, z0: Double, estimate: PixelEstimate?) -> Double {
        guard let estimate else { return logit(k, z0: z0) }
        let e = Self.scaled(k) - estimate.mean
        return logit(k, z0: z0) - 0.5 * (estimate.precision * (e * e))
    }

    /// The 256 logits ℓ_0 … ℓ_255 for z_0 (unnormalised log-probabilities).
    public func logits(z0: Double, estimate: PixelEstimate? = nil) -> [Double] {
        (0..<256).map { logit($0, z0: z0, estimate: estimate) }
    }

    /// log p(k | z_0) for k = 0…255 (normalised with the same log-sum-exp as `negativeLogLikelihood`).
    public func logProbabilities(z0: Double, estimate: PixelEstimate? = nil) -> [Double] {
        let normalizer = logNormalizer(z0: z0, estimate: estimate)
        return (0..<256).map { logit($0, z0: z0, estimate: estimate) - normalizer }
    }

    /// −log p(x | z_0) in nats: log Σ_k e^{ℓ_k} − ℓ_x. The log-sum-exp runs over the k around the mode
    /// whose logit is within 50 of the maximum (the logits are concave in k, so every omitted term is below
    /// e^−50 ≈ 2e−22 of the largest: invisible in float64), summed in increasing k.
    public func negativeLogLikelihood(of x: UInt8, z0: Double, estimate: PixelEstimate? = nil) -> Double {
        logNormalizer(z0: z0, estimate: estimate) - logit(Int(x), z0: z0, estimate: estimate)
    }

    /// log Σ_k e^{ℓ_k} over the k within 50 of the maximum logit (see `negativeLogLikelihood`).
    public func logNormalizer(z0: Double, estimate: PixelEstimate? = nil) -> Double {
        let mode = Int(self.mode(z0: z0, estimate: estimate))
        let peak = logit(mode, z0: z0, estimate: estimate)
        var low = mode, high = mode
        while low > 0 && logit(low - 1, z0: z0, estimate: estimate) > peak - 50 { low -= 1 }
        while high < 255 && logit(high + 1, z0: z0, estimate: estimate) > peak - 50 { high += 1 }
        var sum = 0.0
        for k in low...high { sum += ExactMath.exp(logit(k, z0: z0, estimate: estimate) - peak) }
        return peak + ExactMath.log(sum)
    }

    /// The most probable pixel value for z_0: the k whose f(k) is nearest to the maximiser of the (concave,
    /// quadratic) logits — z_0/α_0, or with `estimate` the precision-weighted mean
    /// μ = (e^{−γ_0}·z_0/α_0 + precision·mean)/(e^{−γ_0} + precision).
    public func mode(z0: Double, estimate: PixelEstimate? = nil) -> UInt8 {
        var center = z0 / level.alpha
        if let estimate {
            let q = inverseScale * inverseScale
            center = (q * center + estimate.precision * estimate.mean) / (q + estimate.precision)
        }
        let position = ((center + 1) * 128 - 0.5).rounded()
        return UInt8(max(0, min(255, position.isNaN ? 0 : position)))
    }
}
