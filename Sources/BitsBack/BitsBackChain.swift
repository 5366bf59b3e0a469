import ANS
import Model
import Parallelism

/// The Bit-Swap chain of docs/DESIGN.md §2 for one tile, on one ANS message. With t_0 = 0 < … < t_T = 1,
/// it is T + 1 bits-back steps (`BitsBackStep`) and the prior, composed:
///
///     encode(x):  z_0 ← PixelStep.push(x)              pop z_0 ~ q(z_0 | x); push x with p(x | z_0)
///                                                    (network decoder: p(x | z_0) after a network pass at γ_0)
///                 for i in 1…T:
///                     z_{t_i} ← LatentStep(i).push(z_{t_{i−1}})
///                                                    pop z_{t_i} ~ q(z_{t_i} | z_{t_{i−1}}); push z_{t_{i−1}} with p(z_{t_{i−1}} | z_{t_i})
///                 push z_1 with N(0, I)
///     decode:     the mirror image, in reverse order: each step's `pop(given:)`.
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
    func encode(
        _ pixels: [UInt8], context: TileContext, onto message: inout Message,
        progress: (Int) -> Void
    ) throws -> Double {
        let grids = try grids()
        let start = message.contentBits
        var lowest = start
        let pixelStep = PixelStep(chain: self, grid: grids[0], count: pixels.count, context: context)
        var latent = try pixelStep.push(pixels, onto: &message, lowest: &lowest)
        progress(0)
        for i in 1...parameters.steps {
            let step = LatentStep(chain: self, index: i, context: context, grids: grids)
            latent = try step.push(latent, onto: &message, lowest: &lowest)
            progress(i)
        }
        try prior(count: latent.count, grid: grids[parameters.steps]).push(latent, onto: &message)
        return start - lowest
    }

    /// Decodes one tile of `3 · width · height` planar pixels from `message` (the mirror of `encode`).
    func decode(context: TileContext, from message: inout Message, progress: (Int) -> Void) throws -> [UInt8] {
        let count = 3 * context.tile.area
        let grids = try grids()
        var latent = try prior(count: count, grid: grids[parameters.steps]).pop(from: &message)
        try Self.checkDrawing(message)
        for i in stride(from: parameters.steps, through: 1, by: -1) {
            let step = LatentStep(chain: self, index: i, context: context, grids: grids)
            latent = try step.pop(given: latent, from: &message)
            try Self.checkDrawing(message)
            progress(parameters.steps - i + 1)
        }
        let pixels = try PixelStep(chain: self, grid: grids[0], count: count, context: context).pop(given: latent, from: &message)
        try Self.checkDrawing(message)
        return pixels
    }

    /// Stops a decode that has drawn more initial bits than the encoder recorded (`Message.initialWordsLimit`):
    /// the data is damaged or hostile, and going on would only spend time.
    private static func checkDrawing(_ message: Message) throws {
        if message.isOverdrawn {
            throw BitsBackError.corruptPayload("the decoder drew more initial bits than the encoder recorded")
        }
    }

    /// p(z_1) = N(0, I) on the grid of z_1.
    private func prior(count: Int, grid: DiscretizedGaussian) -> GaussianCodec {
        GaussianCodec(means: [Float](repeating: 0, count: count), standardDeviation: 1, grid: grid).onThreads(threads)
    }

    /// The grids δ_0 … δ_T as discretized-Gaussian codecs, with the escape placement of the payload's profile.
    private func grids() throws -> [DiscretizedGaussian] {
        let placement = parameters.profile.escapePlacement
        return try schedule.binWidths.map {
            try DiscretizedGaussian(binWidth: $0, precision: parameters.gaussianPrecision, escapePlacement: placement)
        }
    }

    /// The step between the pixels x and z_0: q(z_0 | x) = N(α_0 f(x), σ_0²), p(x | z_0) the 256-way decoder
    /// (with the network decoder, informed by one network pass at γ_0 on z_0 and the tile's context).
    private struct PixelStep: BitsBackStep {
        let chain: BitsBackChain
        let grid: DiscretizedGaussian
        let count: Int
        let context: TileContext

        func posterior(given x: [UInt8]) -> GaussianCodec {
            let level0 = chain.schedule.decoder.level
            let means = ParallelLoop.map(count: count, threads: chain.threads) {
                Float(level0.alpha * DiscretizedDecoder.scaled(Int(x[$0])))
            }
            return GaussianCodec(
                means: means, standardDeviation: level0.sigma,
                grid: grid.reading(slotsIn: chain.parameters.profile.posteriorSlotOrder)
            ).onThreads(chain.threads)
        }

        func likelihood(given z0: [Int32]) throws -> PixelCodec {
            PixelCodec(chain: chain, z0: z0, estimates: try chain.decoderEstimates(at: z0, context: context))
        }
    }

    /// The network decoder's `PixelEstimate` of every sub-pixel of the tile from its z_0 (grid indices on
    /// δ_0), or nil for the network-free decoder. The network pass is the latent steps' pass at γ_0: the
    /// clamped z_0 of the tile with the context latents of "step 0" around it (`TileContext`), so encoder
    /// (after popping z_0) and decoder (before popping x) evaluate it on the same floats.
    private func decoderEstimates(at z0: [Int32], context: TileContext) throws -> [PixelEstimate]? {
        guard let scale = prior.decoderScale else { return nil }
        let binWidth = schedule.binWidths[0]
        let level = schedule.decoder.level
        let z = ParallelLoop.map(count: z0.count, threads: threads) { LatentSchedule.value(z0[$0], binWidth: binWidth) }
        let limit = Self.latentLimit
        let clamped = ParallelLoop.map(count: z.count, threads: threads) { Swift.min(limit, Swift.max(-limit, z[$0])) }
        let region = context.region
        let output = try prior.denoiser.evaluate(
            z: context.regionLatents(tileValues: clamped, level: level, step: 0), width: region.width,
            height: region.height, columns: context.tileColumns, rows: context.tileRows, gamma: schedule.gammas[0],
            threads: threads, tileSize: prior.denoiser.tileSize(coveringWhole: region.width, height: region.height))
        let epsilon = output.epsilon
        let v = output.v
        let plane = context.tile.area
        return ParallelLoop.map(count: z.count, threads: threads) {
            scale.estimate(z0: Double(z[$0]), epsilon: epsilon[$0], v: v?[$0], channel: $0 / plane, level: level)
        }
    }

    /// Step i of the chain, between z_{t_{i−1}} (observed) and z_{t_i} (latent): the forward transition
    /// q(z_{t_i} | z_{t_{i−1}}) as posterior, the network's reverse step p(z_{t_{i−1}} | z_{t_i}) as likelihood.
    private struct LatentStep: BitsBackStep {
        let chain: BitsBackChain
        let index: Int
        let context: TileContext
        let grids: [DiscretizedGaussian]

        /// Coded in reversed element order (`GaussianCodec.inReverseOrder`).
        ///
        /// Why reversed: a pop reads the bits the previous step's push left on top of the stack, so with the
        /// same element order every element's new latent would be a quantile transform of its own previous
        /// latent's position under p. Where p and the true posterior differ, that feedback walks single
        /// elements into the tails (measured: escape cascades and +10 % rate with an untrained model).
        /// Reversing pairs each element with a far-away one (another channel, the mirrored position), which
        /// removes the feedback.
        func posterior(given previous: [Int32]) -> GaussianCodec {
            let step = chain.schedule.steps[index - 1]
            let binWidth = chain.schedule.binWidths[index - 1]
            let means = ParallelLoop.map(count: previous.count, threads: chain.threads) {
                Float(step.forwardMean(z: LatentSchedule.value(previous[$0], binWidth: binWidth)))
            }
            let grid = grids[index].reading(slotsIn: chain.parameters.profile.posteriorSlotOrder)
            return GaussianCodec(means: means, standardDeviation: step.transitionStandardDeviation, grid: grid)
                .inReverseOrder.onThreads(chain.threads)
        }

        func likelihood(given current: [Int32]) throws -> GaussianCodec {
            let reverse = try chain.reverseDistribution(at: current, step: index, context: context)
            let deviations: GaussianCodec.Deviations =
                reverse.deviations.map { .perElement($0) }
                ?? .shared(chain.schedule.steps[index - 1].posteriorStandardDeviation)
            return GaussianCodec(means: reverse.means, deviations: deviations, grid: grids[index - 1]).onThreads(chain.threads)
        }
    }

    /// p(z_{t_{i−1}} | z_{t_i}) for every element: means, and per-element deviations with learned variance.
    private func reverseDistribution(at current: [Int32], step i: Int, context: TileContext) throws
        -> (means: [Float], deviations: [Float]?)
    {
        let step = schedule.steps[i - 1]
        let binWidth = schedule.binWidths[i]
        // The network sees latents clamped to ±latentLimit: a latent far outside it can only come from a
        // popped escape (probability ~2^−precision per element); unclamped, one such value would derail the
        // predictions of all its neighbours and their pushes would escape too.
        let limit = Self.latentLimit
        let clamped = ParallelLoop.map(count: current.count, threads: threads) {
            Swift.min(limit, Swift.max(-limit, LatentSchedule.value(current[$0], binWidth: binWidth)))
        }
        let region = context.region
        // Only the tile's outputs: the network's work on the margin shrinks layer by layer (`Denoiser`).
        let output = try prior.denoiser.evaluate(
            z: context.regionLatents(tileValues: clamped, level: step.target, step: i, threads: threads), width: region.width,
            height: region.height, columns: context.tileColumns, rows: context.tileRows, gamma: schedule.gammas[i],
            threads: threads, tileSize: prior.denoiser.tileSize(coveringWhole: region.width, height: region.height))
        let epsilon = output.epsilon
        let means = ParallelLoop.map(count: current.count, threads: threads) {
            Float(step.reverseMean(z: LatentSchedule.value(current[$0], binWidth: binWidth), epsilon: epsilon[$0]))
        }
        guard let v = output.v else { return (means, nil) }
        // Learned deviations outside what the grid of z_{t_{i−1}} can code (v far outside [−1, 1]) are
        // clamped, identically on both sides; inside that range, which covers every v in [−1, 1], they
        // are used as they are.
        let grid = schedule.binWidths[i - 1]
        let smallest = grid * 0x1p-12, largest = grid * 4096
        let deviations = ParallelLoop.map(count: current.count, threads: threads) {
            Float(min(largest, max(smallest, step.reverseStandardDeviation(v: v[$0]))))
        }
        return (means, deviations)
    }
}
