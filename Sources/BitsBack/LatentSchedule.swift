import Model

/// Everything about the T-step chain that depends only on the model's γ schedule and the chain
/// parameters: the noise levels, the steps, and the grid δ_i of every latent z_{t_i}.
///
/// Invariants: `gammas` has T + 1 strictly increasing finite values; `binWidths[i] > 0`. Encoder and
/// decoder compute every value here from the same float32 γ's with the same float64 operations, so they
/// agree bit for bit.
struct LatentSchedule {
    let gammas: [Float]
    /// steps[i − 1] is the step between t_{i−1} and t_i, i = 1…T.
    let steps: [DiffusionStep]
    /// δ_0 … δ_T.
    let binWidths: [Double]
    let decoder: DiscretizedDecoder

    init(prior: DiffusionPrior, parameters: ChainParameters) throws {
        let count = parameters.steps
        let gammas = try prior.schedule.gammas(steps: count)
        var steps: [DiffusionStep] = []
        steps.reserveCapacity(count)
        for i in 1...count {
            do {
                steps.append(try DiffusionStep(gammaSource: gammas[i - 1], gammaTarget: gammas[i]))
            } catch {
                throw BitsBackError.degenerateSchedule(steps: count)
            }
        }
        let learned = prior.metadata.learnedVariance
        let level0 = NoiseLevel(gamma: gammas[0])
        var widths: [Double] = []
        for i in 0...count {
            // The smallest standard deviation under which z_{t_i} is popped or pushed.
            var smallest = Double.infinity
            if i == 0 { smallest = level0.sigma } else { smallest = min(smallest, steps[i - 1].transitionStandardDeviation) }
            if i < count {
                let next = steps[i]
                smallest = min(smallest, next.posteriorStandardDeviation)
                if learned { smallest = min(smallest, next.transitionStandardDeviation) }
            } else {
                smallest = min(smallest, 1)
            }
            let shift = i == 0 ? parameters.firstBinShift : parameters.latentBinShift
            widths.append(smallest / Double(1 << shift))
        }
        self.gammas = gammas
        self.steps = steps
        self.binWidths = widths
        self.decoder = DiscretizedDecoder(gamma0: gammas[0])
    }

    /// The value of grid index `k` on the grid of z_{t_i}, as the network and the coder see it.
    @inline(__always)
    static func value(_ k: Int32, binWidth: Double) -> Float { Float(Double(k) * binWidth) }
}
