import ExactMath
import Imaging
import Model
import PixelCoding

/// When `vdmz compress --coder auto` can leave bits-back out: its payload is at least about the images'
/// negative ELBO (coded +0.1 to +0.4 % over it, plus the initial bits), so an ELBO estimate from a few steps
/// (`SampledELBO`) that lies, beyond its error, above the smallest payload of the other coders shows that
/// bits-back cannot win, at a small fraction of its T + 1 network passes.
///
/// Two stages, on all the images together: 5 points (6 passes with the network decoder), and only when
/// that leaves the answer open, 9 points (4 passes more). Each stage decides with its own margin, several
/// times its largest error measured against the full ELBO on Kodak (`vdmz-bench estimate`, bench/README.md
/// "auto without bits-back"): a stage says "exceeds" when its estimate less the margin is above the size,
/// and stops with "does not" when its estimate plus the margin is below it.
///
/// Not estimated (the answer is false, bits-back is coded): images of fewer than `boundMinimumPixels`
/// pixels in all, whose coding is quick and whose one-sample estimate is noisier, and chains of fewer than
/// `minimumBoundSteps` steps, where the estimate would cost most of the coding.
extension BitsBackCoder: PayloadSizeBounding {
    /// The stages: points evaluated and the relative margin of the decision.
    public static let boundStages: [(points: Int, margin: Double)] = [(5, 0.02), (9, 0.01)]
    /// The default `boundMinimumPixels`: 256 × 256.
    public static let defaultBoundMinimumPixels = 1 << 16
    /// Fewest steps T for which the bound is estimated.
    public static let minimumBoundSteps = 32

    public func payloadSurelyExceeds(_ bytes: Int, for images: [ModelImage]) throws -> Bool {
        let pixels = images.reduce(0) { $0 + $1.width * $1.height }
        guard pixels >= boundMinimumPixels, steps >= Self.minimumBoundSteps else { return false }
        let estimators = try images.enumerated().map { index, image in
            try SampledELBOEstimator(
                prior: prior, pixels: planarPixels(interleaved: image.pixels, width: image.width, height: image.height),
                width: image.width, height: image.height, steps: steps,
                seed: UInt64(index) &* SplitMix64.increment, threads: threads)
        }
        for (points, margin) in Self.boundStages {
            var bits = 0.0
            for (estimator, image) in zip(estimators, images) {
                bits += try estimator.estimate(points: points).total * Double(3 * image.width * image.height)
            }
            let estimate = bits / 8
            if estimate * (1 - margin) > Double(bytes) { return true }
            if estimate * (1 + margin) < Double(bytes) { return false }
        }
        return false
    }
}
