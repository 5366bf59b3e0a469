/// The network decoder's estimate for one sub-pixel (NETWORK.md "Decoder p(x | z_0)"): the denoised value
/// x̂ = (z_0 − σ_0·ε̂)/α_0 and the precision 1/s², which add −½·precision·(f(k) − x̂)² to every logit.
/// Invariant: both finite, precision > 0 (`NetworkDecoderScale` clamps log s).
public struct PixelEstimate: Equatable, Sendable {
    /// x̂, in the scaled-pixel domain of f(k).
    public var mean: Double
    /// 1/s².
    public var precision: Double

    public init(mean: Double, precision: Double) {
        self.mean = mean
        self.precision = precision
    }
}
