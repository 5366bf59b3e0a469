import ExactMath

/// The learned scale of the network decoder p(x | z_0) (NETWORK.md "Decoder p(x | z_0)"): per colour
/// channel c, log s_c = a_c + b_c·v, with (a, b) the checkpoint's `decoder_scale` tensor `[2, 3]` and v the
/// network's variance output at γ_0 (0 without learned variance). With one network pass ε̂, v at γ_0 on z_0,
/// each sub-pixel's `PixelEstimate` is x̂ = (z_0 − σ_0·ε̂)/α_0 and precision 1/s² = exp(−2·log s).
///
/// Determinism: float64 from the float32 parameters and network outputs, `ExactMath.exp`, fixed order.
/// log s is clamped to ±`logScaleLimit` (a trained model stays far inside: s ≈ one bin is log s ≈ −4.9),
/// so that a hostile z_0 or weights can never make a precision infinite or zero.
public struct NetworkDecoderScale: Equatable, Sendable {
    /// a_c, c = 0…2.
    public let offsets: [Double]
    /// b_c, c = 0…2.
    public let slopes: [Double]
    /// |log s| never exceeds this (precisions stay within e^{±32}).
    public static let logScaleLimit = 16.0

    /// - Parameters: offsets, slopes: three finite values each.
    public init(offsets: [Double], slopes: [Double]) {
        precondition(offsets.count == 3 && slopes.count == 3)
        self.offsets = offsets
        self.slopes = slopes
    }

    /// Reads `decoder_scale` (`[2, 3]`, row 0 = a, row 1 = b; the shape was checked at load).
    /// - Throws: `ModelError.invalidMetadata` for a non-finite value.
    init(checkpoint: Checkpoint) throws {
        let values = try checkpoint.tensor("decoder_scale")
        guard values.count == 6, values.allSatisfy(\.isFinite) else {
            throw ModelError.invalidMetadata(path: checkpoint.file.path, reason: "'decoder_scale' must hold 6 finite values")
        }
        self.init(offsets: values[0..<3].map(Double.init), slopes: values[3..<6].map(Double.init))
    }

    /// The estimate of one sub-pixel of colour channel `channel` from its z_0 and the network's outputs there.
    @inlinable
    public func estimate(z0: Double, epsilon: Float, v: Float?, channel: Int, level: NoiseLevel) -> PixelEstimate {
        var mean = (z0 - level.sigma * Double(epsilon)) / level.alpha
        if !mean.isFinite { mean = 0 }  // only from non-finite network outputs (hostile weights)
        var logScale = offsets[channel]
        if let v { logScale += slopes[channel] * Double(v) }
        logScale = Swift.min(Self.logScaleLimit, Swift.max(-Self.logScaleLimit, logScale))
        return PixelEstimate(mean: mean, precision: ExactMath.exp(-2 * logScale))
    }

    /// The estimates of a planar `[3][plane]` z_0 from the network output on it (same layout).
    public func estimates(z0: (Int) -> Double, output: DenoiserOutput, plane: Int, level: NoiseLevel) -> [PixelEstimate] {
        (0..<(3 * plane)).map { i in
            estimate(z0: z0(i), epsilon: output.epsilon[i], v: output.v?[i], channel: i / plane, level: level)
        }
    }
}
