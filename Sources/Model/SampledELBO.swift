/// An estimate of an image's T-step negative ELBO from a few of its T diffusion steps: the prior and
/// reconstruction terms exactly (the reconstruction with its one network pass), the diffusion term
/// Σ_{i=1…T} L_i from K evenly spaced steps 1 = s_1 < … < s_K = T, with every step between two of them
/// counted at the straight line through their terms. It costs K + 1 network passes instead of T + 1, and
/// `vdmz compress --coder auto` uses it to leave out the bits-back coder where it cannot win
/// (`BitsBackCoder.payloadSurelyExceeds`, docs/DESIGN.md "Whole-image choice").
///
/// Why the line and not one step per run of steps: L_i falls smoothly from the first step to the last
/// (by ≈ 50× with the shipped model), so a step picked half a step off a run's centre is off by about
/// (L_1 − L_T)/2 in all, ≈ 1.4 % of kodim01's ELBO whatever K is; the line through the ends and
/// K − 2 points between is off by −0.17 % at K = 9 and +0.01 % at K = 17 there (`vdmz-bench estimate`).
///
/// Invariants: with K ≥ T every step is evaluated and the estimate is the full ELBO of
/// `DiffusionPrior.negativeELBO(pixels:width:height:steps:seed:threads:tileSize:)` with the same seed (the
/// same noise `CounterNoise(seed)` at every step; sums in another order, so equal to float64 rounding). The
/// estimate depends only on the pixels, the model, T, K and the seed, never on the thread count.
public struct SampledELBO: Sendable {
    /// KL(q(z_1 | x) ‖ N(0, I)), bits per sub-pixel (exact for the sample, as in `ELBOTerms`).
    public let prior: Double
    /// −log p(x | z_0) at the sampled z_0, bits per sub-pixel.
    public let reconstruction: Double
    /// Diffusion steps T.
    public let steps: Int
    /// The evaluated steps, in order, with each one's term KL(q(z_s | z_t, x) ‖ p(z_s | z_t)) at the sampled
    /// z_t, bits per sub-pixel.
    public let samples: [(step: Int, bits: Double)]

    /// The estimated diffusion term Σ_{i=1…T} L_i.
    public var diffusion: Double { Self.diffusion(steps: steps, samples: samples) }

    /// The estimated negative ELBO, bits per sub-pixel.
    public var total: Double { prior + diffusion + reconstruction }

    /// The steps an estimate of `count` points (clamped to 2…T) evaluates: 1, T and evenly spaced
    /// steps between them (1 alone when T = 1).
    public static func evaluatedSteps(steps: Int, count: Int) -> [Int] {
        guard steps > 1 else { return [1] }
        let k = max(2, min(steps, count))
        var result: [Int] = []
        for j in 0..<k {
            let step = 1 + ((steps - 1) * j + (k - 1) / 2) / (k - 1)  // 1 + round((T − 1)·j / (K − 1))
            if result.last != step { result.append(step) }
        }
        return result
    }

    /// Σ_{i=1…T} of the straight lines through `samples` (sorted by step, the first at 1 and the last at T;
    /// a single sample counts for every step).
    public static func diffusion(steps: Int, samples: [(step: Int, bits: Double)]) -> Double {
        guard let first = samples.first else { return 0 }
        if samples.count == 1 { return first.bits * Double(steps) }
        var total = 0.0
        for (left, right) in zip(samples, samples.dropFirst()) {
            let width = Double(right.step - left.step)
            for i in left.step..<right.step {
                total += left.bits + (right.bits - left.bits) * Double(i - left.step) / width
            }
        }
        return total + samples[samples.count - 1].bits
    }
}

/// Evaluates `SampledELBO`s of one image, keeping every step's term it has evaluated, so that an estimate
/// with more points costs only the steps it adds (the 9 points of T = 64 include the 5: 1, 17, 33, 48, 64).
public final class SampledELBOEstimator {
    private let pass: StreamingELBOPass
    /// Prior and reconstruction terms, bits per sub-pixel, once evaluated.
    private var priorAndReconstruction: (prior: Double, reconstruction: Double)?
    /// Diffusion terms by step, bits per sub-pixel.
    private var terms: [Int: Double] = [:]

    /// - Parameters:
    ///   - pixels: planar `[3][height][width]` values 0…255.
    ///   - seed: the noise `CounterNoise(seed)`, as `negativeELBO(pixels:width:height:steps:seed:threads:tileSize:)`.
    ///   - earlier: an estimate of the same image, T and seed made before (by another estimator, which need
    ///     not be kept with its pixels): its terms are taken as they are, not evaluated again.
    /// - Throws: `ModelError.invalidArgument` for pixels that do not fit the size, or an earlier estimate of
    ///   another T; the schedule's errors.
    public init(
        prior: DiffusionPrior, pixels: [UInt8], width: Int, height: Int, steps: Int, seed: UInt64, threads: Int = 1,
        tileSize: Int = Denoiser.defaultTileSize, resuming earlier: SampledELBO? = nil
    ) throws {
        pass = try StreamingELBOPass(
            prior: prior, pixels: pixels, width: width, height: height, steps: steps, seed: seed, threads: threads,
            tileSize: tileSize)
        if let earlier {
            guard earlier.steps == steps else {
                throw ModelError.invalidArgument("an earlier estimate of \(earlier.steps) steps, not \(steps)")
            }
            priorAndReconstruction = (earlier.prior, earlier.reconstruction)
            for (step, bits) in earlier.samples { terms[step] = bits }
        }
    }

    /// Network passes evaluated by this estimator so far.
    public private(set) var passes = 0

    /// The estimate from `points` evenly spaced steps (`SampledELBO.evaluatedSteps(steps:count:)`).
    public func estimate(points: Int) throws -> SampledELBO {
        if priorAndReconstruction == nil {
            let (prior, reconstruction) = try pass.priorAndReconstruction()
            if pass.prior.decoderScale != nil { passes += 1 }
            priorAndReconstruction = (pass.bitsPerSubpixel(nats: prior), pass.bitsPerSubpixel(nats: reconstruction))
        }
        let samples = try SampledELBO.evaluatedSteps(steps: pass.steps, count: points).map { step -> (Int, Double) in
            if let bits = terms[step] { return (step, bits) }
            var nats = 0.0
            try pass.addDiffusionTerm(of: step, into: &nats)
            passes += 1
            let bits = pass.bitsPerSubpixel(nats: nats)
            terms[step] = bits
            return (step, bits)
        }
        return SampledELBO(
            prior: priorAndReconstruction!.prior, reconstruction: priorAndReconstruction!.reconstruction,
            steps: pass.steps, samples: samples)
    }
}

extension DiffusionPrior {
    /// The step-sampled estimate of the T-step negative ELBO of one image (`SampledELBO`), with the noise
    /// of `negativeELBO(pixels:width:height:steps:seed:threads:tileSize:)` and its memory bound.
    /// - Parameters:
    ///   - pixels: planar `[3][height][width]` values 0…255.
    ///   - points: steps evaluated (`SampledELBO.evaluatedSteps(steps:count:)`).
    /// - Throws: `ModelError.invalidArgument` for pixels that do not fit the size; the schedule's errors.
    public func sampledNegativeELBO(
        pixels: [UInt8], width: Int, height: Int, steps: Int, points: Int, seed: UInt64, threads: Int = 1,
        tileSize: Int = Denoiser.defaultTileSize
    ) throws -> SampledELBO {
        try SampledELBOEstimator(
            prior: self, pixels: pixels, width: width, height: height, steps: steps, seed: seed, threads: threads,
            tileSize: tileSize
        ).estimate(points: points)
    }
}
