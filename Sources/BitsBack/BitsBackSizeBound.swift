import ExactMath
import Imaging
import Model
import PixelCoding

/// When `vdmz compress --coder auto` can leave bits-back out: its payload is at least about the images'
/// negative ELBO (coded +0.1 to +0.4 % over it, plus the initial bits), so an ELBO estimate from a few steps
/// (`SampledELBO`) that lies, beyond its error, above the smallest payload of the other coders shows that
/// bits-back cannot win, at a small fraction of its T + 1 network passes.
///
/// Three stages, on all the images together: 5 points (6 passes with the network decoder); only when that
/// leaves the answer open, 9 points (4 passes more); and only when that does too, 17 points (8 passes
/// more; the 17 points of T = 64 contain the 9, which contain the 5). Each stage decides with its own
/// margin, above its largest error measured against the full ELBO (`vdmz-bench estimate`, bench/README.md
/// "auto without bits-back"; K = 5: 1.3 % on Kodak, K = 9: 0.29 %, K = 17: 0.054 % on Kodak and 0.29 % on
/// three graphics): a stage says "exceeds" when its estimate less the margin is above the size, and stops
/// with "does not" when its estimate plus the margin is below it. The third stage costs 8 passes where
/// bits-back's own trial costs T + 1 and its coding (kodim18: bits-back's ELBO 1.1 % above the context
/// coder's payload, which the 1 % of the second stage could not show).
///
/// Not estimated (the answer is false, bits-back is coded): images of fewer than `boundMinimumPixels`
/// pixels on average, whose coding is quick, whose one-sample estimates are noisier and where bits-back
/// usually wins (a dataset of 32×32 images would pay 6 passes in 65 for nothing), and chains of fewer
/// than `minimumBoundSteps` steps, where the estimate would cost most of the coding.
extension BitsBackCoder: PayloadSizeBounding {
    /// The default `boundStages`: points evaluated and the relative margin of each stage's decision.
    public static let defaultBoundStages: [BoundStage] = [
        BoundStage(points: 5, margin: 0.02), BoundStage(points: 9, margin: 0.01), BoundStage(points: 17, margin: 0.005),
    ]
    /// The default `boundMinimumPixels`: 256 × 256.
    public static let defaultBoundMinimumPixels = 1 << 16
    /// Fewest steps T for which the bound is estimated.
    public static let minimumBoundSteps = 32

    public func sizeBound<Images: Collection>(for images: Images) -> any PayloadSizeBound
    where Images.Element == ModelImage {
        SampledPayloadBound(coder: self, images: images)
    }
}

/// `BitsBackCoder`'s size bound (above) for some images: each stage evaluated at most once, in order, when
/// a question or `prepare` (the first stage) needs it. The coder's stages, steps, threshold and prior are
/// taken when the bound is made; the images are first read when the bound is first asked or prepared.
final class SampledPayloadBound<Images: Collection>: PayloadSizeBound where Images.Element == ModelImage {
    private let prior: DiffusionPrior
    private let steps: Int
    private let threads: Int
    private let stages: [BitsBackCoder.BoundStage]
    private let minimumPixels: Int
    private let images: Images
    /// Whether the images are estimated at all (else every answer is false); nil until first needed.
    private var isEstimatedIfKnown: Bool?
    /// Per image, its estimate after the last evaluated stage (each stage resumes from it).
    private var estimates: [SampledELBO?] = []
    /// The payload estimate in bytes of each evaluated stage, in stage order.
    private var stageBytes: [Double] = []

    init(coder: BitsBackCoder, images: Images) {
        prior = coder.prior
        steps = coder.steps
        threads = coder.threads
        stages = coder.boundStages
        minimumPixels = coder.boundMinimumPixels
        self.images = images
    }

    /// Whether the images are estimated: enough pixels on average, enough steps, some stage.
    private var isEstimated: Bool {
        if let known = isEstimatedIfKnown { return known }
        let pixels = images.reduce(0) { $0 + $1.width * $1.height }
        let known =
            !images.isEmpty && pixels / images.count >= minimumPixels && steps >= BitsBackCoder.minimumBoundSteps
            && !stages.isEmpty
        isEstimatedIfKnown = known
        estimates = Array(repeating: nil, count: known ? images.count : 0)
        return known
    }

    func prepare() throws {
        if isEstimated && stageBytes.isEmpty { try evaluateNextStage() }
    }

    func surelyExceeds(_ bytes: Int) throws -> Bool {
        guard isEstimated else { return false }
        for (index, stage) in stages.enumerated() {
            if index == stageBytes.count { try evaluateNextStage() }
            let estimate = stageBytes[index]
            if estimate * (1 - stage.margin) > Double(bytes) { return true }
            if estimate * (1 + stage.margin) < Double(bytes) { return false }
        }
        return false
    }

    /// Evaluates stage `stageBytes.count` on all the images, one image's pixels at a time: each stage makes
    /// the image's estimator again, resuming from the image's previous estimate, so no step is evaluated
    /// twice and no planar copy outlives its image. A stage that throws can be evaluated again: the
    /// estimates it updated are memos of step terms, which give the same stage.
    private func evaluateNextStage() throws {
        let stage = stages[stageBytes.count]
        var bits = 0.0
        for (index, image) in images.enumerated() {
            let estimator = try SampledELBOEstimator(
                prior: prior, pixels: planarPixels(interleaved: image.pixels, width: image.width, height: image.height),
                width: image.width, height: image.height, steps: steps,
                seed: UInt64(index) &* SplitMix64.increment, threads: threads, resuming: estimates[index])
            let estimate = try estimator.estimate(points: stage.points)
            estimates[index] = estimate
            bits += estimate.total * Double(3 * image.width * image.height)
        }
        stageBytes.append(bits / 8)
    }
}
