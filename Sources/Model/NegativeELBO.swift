import ExactMath

/// The negative ELBO of one image at T steps, in bits per sub-pixel (nats / (3·H·W·ln 2)), split into its
/// three terms (docs/DESIGN.md §1, NETWORK.md "Parity fixture").
public struct ELBOTerms: Equatable {
    /// KL(q(z_1 | x) ‖ N(0, I)).
    public var prior: Double
    /// Σ_{i=1…T} KL(q(z_{s}|z_{t}, x) ‖ p(z_{s}|z_{t})) at the sampled z_{t_i}.
    public var diffusion: Double
    /// −log p(x | z_0) at the sampled z_0.
    public var reconstruction: Double

    public init(prior: Double, diffusion: Double, reconstruction: Double) {
        self.prior = prior
        self.diffusion = diffusion
        self.reconstruction = reconstruction
    }

    /// The negative ELBO: prior + diffusion + reconstruction.
    public var total: Double { prior + diffusion + reconstruction }
}

extension DiffusionPrior {
    /// The T-step negative ELBO of one image (a one-sample Monte-Carlo estimate over z_0 and each z_{t_i}).
    /// With the network decoder the reconstruction term costs one more network pass (at γ_0 on z_0).
    ///
    /// - Parameters:
    ///   - pixels: planar `[3][height][width]` values 0…255.
    ///   - steps: T ≥ 1; t_i = i/T with γ from `NoiseSchedule.gammas(steps:)`.
    ///   - noise: `noise(0)` is ε_0 of z_0 = α_0 f + σ_0 ε_0 and `noise(i)`, i = 1…T, is ε_i of
    ///     z_{t_i} = α_{t_i} f + σ_{t_i} ε_i; each planar `[3][height][width]`.
    ///   - threads: network threads (the result does not depend on it).
    /// Element-wise terms are float64; the network sees z rounded to float32 (as training/elbo.py does).
    public func negativeELBO(
        pixels: [UInt8], width: Int, height: Int, steps: Int, threads: Int = 1,
        noise: (Int) throws -> [Float]
    ) throws -> ELBOTerms {
        let d = 3 * width * height
        guard width >= 1, height >= 1, pixels.count == d else {
            throw ModelError.invalidArgument("expected \(d) planar pixel values for \(width)×\(height)×3, got \(pixels.count)")
        }
        let gammas = try schedule.gammas(steps: steps)
        let scaledValues = (0..<256).map { DiscretizedDecoder.scaled($0) }
        let f = pixels.lazy.map { scaledValues[Int($0)] }  // f(x), not materialised (8 bytes per sub-pixel)
        func checkedNoise(_ i: Int) throws -> [Float] {
            let values = try noise(i)
            guard values.count == d else {
                throw ModelError.invalidArgument("noise of step \(i) has \(values.count) values, expected \(d)")
            }
            return values
        }
        // Prior term.
        let last = NoiseLevel(gamma: gammas[steps])
        let logSigma1 = ExactMath.log(last.sigmaSquared)
        var prior = 0.0
        for value in f { prior += 0.5 * (last.sigmaSquared + last.alphaSquared * value * value - logSigma1 - 1) }
        // Reconstruction term.
        let decoder = DiscretizedDecoder(gamma0: gammas[0])
        let epsilon0 = try checkedNoise(0)
        let z0 = (0..<d).map { decoder.level.alpha * scaledValues[Int(pixels[$0])] + decoder.level.sigma * Double(epsilon0[$0]) }
        // The network decoder: one more pass, at γ_0 on z_0 rounded to float32.
        let estimates = try decoderScale.map { scale in
            let output = try denoiser.evaluate(
                z: z0.map { Float($0) }, width: width, height: height, gamma: gammas[0], threads: threads)
            return scale.estimates(z0: { z0[$0] }, output: output, plane: width * height, level: decoder.level)
        }
        var reconstruction = 0.0
        for i in 0..<d { reconstruction += decoder.negativeLogLikelihood(of: pixels[i], z0: z0[i], estimate: estimates?[i]) }
        // Diffusion term.
        var diffusion = 0.0
        for step in 1...steps {
            let transition = try DiffusionStep(gammaSource: gammas[step - 1], gammaTarget: gammas[step])
            let level = transition.target
            let epsilon = try checkedNoise(step)
            var z = [Float](repeating: 0, count: d)
            for i in 0..<d { z[i] = Float(level.alpha * scaledValues[Int(pixels[i])] + level.sigma * Double(epsilon[i])) }
            let output = try denoiser.evaluate(z: z, width: width, height: height, gamma: gammas[step], threads: threads)
            let weight = ExactMath.expm1(level.gamma - transition.source.gamma)
            var kl = 0.0
            if let v = output.v {
                let logRatio = ExactMath.log(level.sigmaSquared) - ExactMath.log(transition.source.sigmaSquared)
                for i in 0..<d {
                    let error = Double(epsilon[i]) - Double(output.epsilon[i])
                    let ell = (Double(v[i]) + 1) * 0.5 * logRatio
                    kl += 0.5 * (ell + ExactMath.expm1(-ell) + ExactMath.exp(-ell) * weight * error * error)
                }
            } else {
                for i in 0..<d {
                    let error = Double(epsilon[i]) - Double(output.epsilon[i])
                    kl += 0.5 * weight * error * error
                }
            }
            diffusion += kl
        }
        let nats = Double(d) * 0.693_147_180_559_945_3
        return ELBOTerms(prior: prior / nats, diffusion: diffusion / nats, reconstruction: reconstruction / nats)
    }
}
