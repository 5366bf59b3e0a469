extension DiffusionPrior {
    /// Draws one image from the model: z_1 ~ N(0, I), then for i = T…1 z_{t_{i−1}} ~ p(z_{t_{i−1}} | z_{t_i})
    /// (reverse mean and, with learned variance, per-element standard deviation), and finally the most
    /// probable pixel value of p(x | z_0) per sub-pixel (with the
    /// network decoder, after one more pass at γ_0). Returns planar `[3][height][width]` values.
    public func sample(
        width: Int, height: Int, steps: Int, threads: Int = 1, noise: inout GaussianNoise
    ) throws -> [UInt8] {
        let d = 3 * width * height
        let gammas = try schedule.gammas(steps: steps)
        var z = noise.next(count: d)
        for i in stride(from: steps, through: 1, by: -1) {
            let step = try DiffusionStep(gammaSource: gammas[i - 1], gammaTarget: gammas[i])
            let output = try denoiser.evaluate(z: z, width: width, height: height, gamma: gammas[i], threads: threads)
            let (mean, deviation) = step.reverse(z: z, epsilon: output.epsilon, v: output.v)
            let fresh = noise.next(count: d)
            for e in 0..<d { z[e] = Float(mean[e] + deviation[e] * Double(fresh[e])) }
        }
        let decoder = DiscretizedDecoder(gamma0: gammas[0])
        guard let scale = decoderScale else { return z.map { decoder.mode(z0: Double($0)) } }
        // The network decoder: one more pass at γ_0 on z_0.
        let output = try denoiser.evaluate(z: z, width: width, height: height, gamma: gammas[0], threads: threads)
        let estimates = scale.estimates(z0: { Double(z[$0]) }, output: output, plane: width * height, level: decoder.level)
        return (0..<d).map { decoder.mode(z0: Double(z[$0]), estimate: estimates[$0]) }
    }
}
