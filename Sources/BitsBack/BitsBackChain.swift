import ANS
import Model

/// The Bit-Swap chain of DESIGN §2 for one tile, on one ANS message. With t_0 = 0 < … < t_T = 1:
///
///     encode(x):  pop z_0 ~ q(z_0 | x);  push x with p(x | z_0)
///                 for i in 1…T:  pop z_{t_i} ~ q(z_{t_i} | z_{t_{i−1}});  push z_{t_{i−1}} with p(z_{t_{i−1}} | z_{t_i})
///                 push z_1 with N(0, I)
///     decode:     the mirror image, in reverse order.
///
/// Latents are grid indices k (z = k·δ_i, `LatentSchedule`); tensors are planar `[3][height][width]`,
/// the layout of `Denoiser`. Every distribution is computed from the same float32 inputs by the same
/// deterministic operations on both sides, so `decode` inverts `encode` exactly and leaves the message
/// as it was before `encode`.
struct BitsBackChain {
    let prior: DiffusionPrior
    let schedule: LatentSchedule
    let parameters: ChainParameters
    let threads: Int
    /// Largest |z| the network is shown (|α f + σ ε| stays below 1 + 6.5σ ≤ 7.5 for every latent the
    /// forward process produces within the coding window).
    static let latentLimit: Float = 16

    /// Sub-pixels whose 256 logits are built at once when coding pixels (bounds that buffer to 4 MB).
    static let pixelChunk = 4096

    /// Codes one tile's planar pixels onto `message`. `progress` is called after each step with the
    /// number of steps done.
    /// Returns the deepest the message went below its starting content during the tile, in bits (≥ 0):
    /// the bits the tile needs on the stack before it starts, or it draws initial bits.
    @discardableResult
    func encode(_ pixels: [UInt8], context: TileContext, onto message: inout Message,
                progress: (Int) -> Void) throws -> Double {
        let n = pixels.count
        let grids = try grids()
        let level0 = schedule.decoder.level
        var means = [Float](repeating: 0, count: n)
        for j in 0..<n { means[j] = Float(level0.alpha * DiscretizedDecoder.scaled(Int(pixels[j]))) }
        let start = message.contentBits
        var lowest = start
        var previous = try message.popGaussian(means: means, standardDeviation: level0.sigma, under: grids[0])
        lowest = min(lowest, message.contentBits)
        try pushPixels(pixels, z0: previous, onto: &message)
        progress(0)
        for i in 1...parameters.steps {
            let step = schedule.steps[i - 1]
            forwardMeans(of: previous, binWidth: schedule.binWidths[i - 1], step: step, into: &means)
            let current = try popForward(means: means, step: step, grid: grids[i], from: &message)
            lowest = min(lowest, message.contentBits)
            let reverse = try reverseDistribution(at: current, step: i, context: context)
            if let deviations = reverse.deviations {
                try message.pushGaussian(previous, means: reverse.means, standardDeviations: deviations, under: grids[i - 1])
            } else {
                try message.pushGaussian(
                    previous, means: reverse.means, standardDeviation: step.posteriorStandardDeviation, under: grids[i - 1])
            }
            previous = current
            progress(i)
        }
        means = [Float](repeating: 0, count: n)
        try message.pushGaussian(previous, means: means, standardDeviation: 1, under: grids[parameters.steps])
        return start - lowest
    }

    /// Decodes one tile of `3 · width · height` planar pixels from `message` (the mirror of `encode`).
    func decode(context: TileContext, from message: inout Message, progress: (Int) -> Void) throws -> [UInt8] {
        let n = 3 * context.tile.area
        let grids = try grids()
        var means = [Float](repeating: 0, count: n)
        var current = try message.popGaussian(means: means, standardDeviation: 1, under: grids[parameters.steps])
        for i in stride(from: parameters.steps, through: 1, by: -1) {
            let step = schedule.steps[i - 1]
            let reverse = try reverseDistribution(at: current, step: i, context: context)
            let previous: [Int32]
            if let deviations = reverse.deviations {
                previous = try message.popGaussian(means: reverse.means, standardDeviations: deviations, under: grids[i - 1])
            } else {
                previous = try message.popGaussian(
                    means: reverse.means, standardDeviation: step.posteriorStandardDeviation, under: grids[i - 1])
            }
            forwardMeans(of: previous, binWidth: schedule.binWidths[i - 1], step: step, into: &means)
            try pushForward(current, means: means, step: step, grid: grids[i], onto: &message)
            current = previous
            progress(parameters.steps - i + 1)
        }
        let pixels = try popPixels(z0: current, count: n, from: &message)
        let level0 = schedule.decoder.level
        for j in 0..<n { means[j] = Float(level0.alpha * DiscretizedDecoder.scaled(Int(pixels[j]))) }
        try message.pushGaussian(current, means: means, standardDeviation: level0.sigma, under: grids[0])
        return pixels
    }

    /// The grids δ_0 … δ_T as discretized-Gaussian codecs; payloads of parameter version 1 keep the escape
    /// interval at the top of each distribution, later ones in the middle (`DiscretizedGaussian`).
    private func grids() throws -> [DiscretizedGaussian] {
        let placement: DiscretizedGaussian.EscapePlacement = parameters.version >= 2 ? .center : .top
        return try schedule.binWidths.map {
            try DiscretizedGaussian(binWidth: $0, precision: parameters.gaussianPrecision, escapePlacement: placement)
        }
    }

    /// Pops z_t ~ q(z_t | z_s) for every element, in reversed element order.
    ///
    /// Why reversed: a pop reads the bits the previous step's push left on top of the stack, so with the
    /// same element order every element's new latent would be a quantile transform of its own previous
    /// latent's position under p. Where p and the true posterior differ, that feedback walks single
    /// elements into the tails (measured: escape cascades and +10 % rate with an untrained model).
    /// Reversing pairs each element with a far-away one (another channel, the mirrored position), which
    /// removes the feedback.
    private func popForward(means: [Float], step: DiffusionStep, grid: DiscretizedGaussian,
                            from message: inout Message) throws -> [Int32] {
        let reversed = try message.popGaussian(
            means: means.reversed(), standardDeviation: step.transitionStandardDeviation, under: grid)
        return reversed.reversed()
    }

    /// The inverse of `popForward`.
    private func pushForward(_ values: [Int32], means: [Float], step: DiffusionStep, grid: DiscretizedGaussian,
                             onto message: inout Message) throws {
        try message.pushGaussian(
            values.reversed(), means: means.reversed(), standardDeviation: step.transitionStandardDeviation, under: grid)
    }

    /// Means α_{t|s}·z_s of q(z_t | z_s) for the grid indices of z_s.
    private func forwardMeans(of source: [Int32], binWidth: Double, step: DiffusionStep, into means: inout [Float]) {
        for j in 0..<source.count {
            means[j] = Float(step.forwardMean(z: LatentSchedule.value(source[j], binWidth: binWidth)))
        }
    }

    /// p(z_{t_{i−1}} | z_{t_i}) for every element: means, and per-element deviations with learned variance.
    private func reverseDistribution(at current: [Int32], step i: Int, context: TileContext) throws
        -> (means: [Float], deviations: [Float]?) {
        let step = schedule.steps[i - 1]
        let binWidth = schedule.binWidths[i]
        let z = current.map { LatentSchedule.value($0, binWidth: binWidth) }
        // The network sees latents clamped to ±latentLimit: a latent far outside it can only come from a
        // popped escape (probability ~2^−precision per element); unclamped, one such value would derail the
        // predictions of all its neighbours and their pushes would escape too.
        let limit = Self.latentLimit
        let clamped = z.map { Swift.min(limit, Swift.max(-limit, $0)) }
        let region = context.region
        let output = try prior.denoiser.evaluate(
            z: context.regionLatents(tileValues: clamped, level: step.target, step: i), width: region.width,
            height: region.height, gamma: schedule.gammas[i], threads: threads)
        let epsilon = context.tilePart(of: output.epsilon)
        var means = [Float](repeating: 0, count: z.count)
        for j in 0..<z.count { means[j] = Float(step.reverseMean(z: z[j], epsilon: epsilon[j])) }
        guard let regionV = output.v else { return (means, nil) }
        let v = context.tilePart(of: regionV)
        // Learned deviations outside what the grid of z_{t_{i−1}} can code (v far outside [−1, 1]) are
        // clamped, identically on both sides; inside that range, which covers every v in [−1, 1], they
        // are used as they are.
        let grid = schedule.binWidths[i - 1]
        let smallest = grid * 0x1p-12, largest = grid * 4096
        var deviations = [Float](repeating: 0, count: z.count)
        for j in 0..<z.count {
            deviations[j] = Float(min(largest, max(smallest, step.reverseStandardDeviation(v: v[j]))))
        }
        return (means, deviations)
    }

    /// The 256 logits of p(x | z_0) for sub-pixels `range`, flattened.
    private func pixelLogits(z0: [Int32], range: Range<Int>) -> [Float] {
        var logits = [Float](repeating: 0, count: range.count * 256)
        let binWidth = schedule.binWidths[0]
        var offset = 0
        for j in range {
            let z = Double(LatentSchedule.value(z0[j], binWidth: binWidth))
            for k in 0..<256 { logits[offset + k] = Float(schedule.decoder.logit(k, z0: z)) }
            offset += 256
        }
        return logits
    }

    /// Pushes the pixels in chunks of `pixelChunk` sub-pixels, first chunk first.
    private func pushPixels(_ pixels: [UInt8], z0: [Int32], onto message: inout Message) throws {
        for start in stride(from: 0, to: pixels.count, by: Self.pixelChunk) {
            let range = start..<min(pixels.count, start + Self.pixelChunk)
            let symbols = pixels[range].map { Int32($0) }
            try message.pushCategorical(
                symbols, logits: pixelLogits(z0: z0, range: range), categoryCount: 256, precision: parameters.pixelPrecision)
        }
    }

    /// Pops `count` pixels, last chunk first (the mirror of `pushPixels`).
    private func popPixels(z0: [Int32], count: Int, from message: inout Message) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: count)
        let starts = Array(stride(from: 0, to: count, by: Self.pixelChunk))
        for start in starts.reversed() {
            let range = start..<min(count, start + Self.pixelChunk)
            let symbols = try message.popCategorical(
                logits: pixelLogits(z0: z0, range: range), categoryCount: 256, precision: parameters.pixelPrecision)
            for (offset, s) in symbols.enumerated() {
                guard (0..<256).contains(s) else { throw BitsBackError.corruptPayload("pixel symbol \(s) out of range") }
                pixels[range.lowerBound + offset] = UInt8(s)
            }
        }
        return pixels
    }
}
