import ExactMath
import Parallelism

extension DiffusionPrior {
    /// The T-step negative ELBO of one image with memory bounded by a tile instead of the image: the noise
    /// is `CounterNoise(seed)` (ε_0 is step 0, ε_i is step i), and each step's network pass and KL sum run
    /// tile by tile, every tile computed from z on the tile plus its receptive-field halo (so each ε̂ is the
    /// whole-image value). Working memory: a few buffers of (tileSize + 4B + 4)² sub-pixels plus the
    /// network's tile workspace — independent of the image size (the caller holds the pixels).
    ///
    /// With the network decoder the reconstruction term is one more tiled pass (at γ_0 on z_0).
    ///
    /// Same estimator as `negativeELBO(pixels:width:height:steps:threads:noise:)` with that noise; sums
    /// are accumulated tile by tile, so the two agree to float64 rounding, not bit for bit.
    /// - Parameters:
    ///   - pixels: planar `[3][height][width]` values 0…255.
    public func negativeELBO(
        pixels: [UInt8], width: Int, height: Int, steps: Int, seed: UInt64, threads: Int = 1,
        tileSize: Int = Denoiser.defaultTileSize
    ) throws -> ELBOTerms {
        let pass = try StreamingELBOPass(
            prior: self, pixels: pixels, width: width, height: height, steps: steps, seed: seed, threads: threads,
            tileSize: tileSize)
        let (prior, reconstruction) = try pass.priorAndReconstruction()
        // Diffusion term, tile by tile.
        var diffusion = 0.0
        for step in 1...steps { try pass.addDiffusionTerm(of: step, into: &diffusion) }
        return pass.bitsPerSubpixel(prior: prior, diffusion: diffusion, reconstruction: reconstruction)
    }
}

/// The parts of `DiffusionPrior.negativeELBO(pixels:width:height:steps:seed:threads:tileSize:)`, shared with
/// the step-sampled estimate (`SampledELBO`): the element-wise prior and reconstruction terms (one network
/// pass with the network decoder) and the diffusion term of one step (one network pass), all in nats.
struct StreamingELBOPass {
    let prior: DiffusionPrior
    let pixels: [UInt8]
    let width: Int, height: Int, steps: Int
    let gammas: [Float]
    let noise: CounterNoise
    let scaledValues: [Double]
    let walk: HaloTileWalk

    /// - Throws: `ModelError.invalidArgument` for pixels that do not fit the size or a tile size below 1;
    ///   the schedule's errors for `steps`.
    init(
        prior: DiffusionPrior, pixels: [UInt8], width: Int, height: Int, steps: Int, seed: UInt64, threads: Int,
        tileSize: Int
    ) throws {
        let d = 3 * width * height
        guard width >= 1, height >= 1, pixels.count == d else {
            throw ModelError.invalidArgument("expected \(d) planar pixel values for \(width)×\(height)×3, got \(pixels.count)")
        }
        guard tileSize >= 1 else { throw ModelError.invalidArgument("tile size must be positive") }
        self.prior = prior
        self.pixels = pixels
        self.width = width
        self.height = height
        self.steps = steps
        gammas = try prior.schedule.gammas(steps: steps)
        noise = CounterNoise(seed: seed)
        scaledValues = (0..<256).map { DiscretizedDecoder.scaled($0) }
        let tiling = HaloTiling(
            columns: 0..<width, rows: 0..<height, width: width, height: height, radius: prior.metadata.receptiveRadius,
            tileSize: tileSize)
        walk = HaloTileWalk(
            denoiser: prior.denoiser, pixels: pixels, width: width, height: height, tiling: tiling, noise: noise,
            scaledValues: scaledValues, threads: threads, tileSize: tileSize)
    }

    /// The prior term KL(q(z_1 | x) ‖ N(0, I)) and the reconstruction term −log p(x | z_0), in nats.
    func priorAndReconstruction() throws -> (prior: Double, reconstruction: Double) {
        let d = pixels.count
        // Prior and (network-free) reconstruction terms: element-wise, streamed.
        let last = NoiseLevel(gamma: gammas[steps])
        let logSigma1 = ExactMath.log(last.sigmaSquared)
        let decoder = DiscretizedDecoder(gamma0: gammas[0])
        var priorTerm = 0.0, reconstruction = 0.0
        for i in 0..<d {
            let f = scaledValues[Int(pixels[i])]
            priorTerm += 0.5 * (last.sigmaSquared + last.alphaSquared * f * f - logSigma1 - 1)
            if prior.decoderScale != nil { continue }
            let z0 = decoder.level.alpha * f + decoder.level.sigma * Double(noise.normal(step: 0, index: i))
            reconstruction += decoder.negativeLogLikelihood(of: pixels[i], z0: z0)
        }
        // The network decoder's reconstruction term, tile by tile (one pass at γ_0 on z_0).
        if let scale = prior.decoderScale {
            let pixels = self.pixels, scaledValues = self.scaledValues
            try walk.accumulate(into: &reconstruction, step: 0, level: decoder.level, gamma: gammas[0]) {
                i, c, epsilon, output, o in
                let z0 = decoder.level.alpha * scaledValues[Int(pixels[i])] + decoder.level.sigma * epsilon
                let estimate = scale.estimate(
                    z0: z0, epsilon: output.epsilon[o], v: output.v?[o], channel: c, level: decoder.level)
                return decoder.negativeLogLikelihood(of: pixels[i], z0: z0, estimate: estimate)
            }
        }
        return (priorTerm, reconstruction)
    }

    /// Adds step `step`'s (1…T) diffusion term KL(q(z_s | z_t, x) ‖ p(z_s | z_t)) at the sampled z_t, in
    /// nats, to `total`, tile sum by tile sum: one network pass.
    func addDiffusionTerm(of step: Int, into total: inout Double) throws {
        let transition = try DiffusionStep(gammaSource: gammas[step - 1], gammaTarget: gammas[step])
        let level = transition.target
        let weight = ExactMath.expm1(level.gamma - transition.source.gamma)
        let logRatio = ExactMath.log(level.sigmaSquared) - ExactMath.log(transition.source.sigmaSquared)
        try walk.accumulate(into: &total, step: step, level: level, gamma: gammas[step]) { _, _, epsilon, output, o in
            let error = epsilon - Double(output.epsilon[o])
            if let v = output.v {
                let ell = (Double(v[o]) + 1) * 0.5 * logRatio
                return 0.5 * (ell + ExactMath.expm1(-ell) + ExactMath.exp(-ell) * weight * error * error)
            }
            return 0.5 * weight * error * error
        }
    }

    /// Nats summed over the image → bits per sub-pixel.
    func bitsPerSubpixel(nats: Double) -> Double { nats / (Double(pixels.count) * 0.693_147_180_559_945_3) }

    /// The three terms, each summed in nats, as `ELBOTerms` in bits per sub-pixel.
    func bitsPerSubpixel(prior: Double, diffusion: Double, reconstruction: Double) -> ELBOTerms {
        ELBOTerms(
            prior: bitsPerSubpixel(nats: prior), diffusion: bitsPerSubpixel(nats: diffusion),
            reconstruction: bitsPerSubpixel(nats: reconstruction))
    }
}

/// One network pass over an image tile by tile for `negativeELBO(…seed:…)`: at step i every halo tile's
/// z = α f + σ ε (ε = `CounterNoise` of step i) is evaluated, and `element` is summed over the tile's
/// interior: each row of each channel on its own (rows on up to `threads` threads), the row sums in
/// channel, row order, tile sums in tiling order — the same sums for every thread count.
struct HaloTileWalk {
    let denoiser: Denoiser
    let pixels: [UInt8]
    let width: Int, height: Int
    let tiling: HaloTiling
    let noise: CounterNoise
    let scaledValues: [Double]
    let threads: Int, tileSize: Int

    /// Adds to `total`, tile by tile, each tile's Σ over its interior of `element(i, c, ε_i, output, o)`:
    /// i the planar image index, c its channel, o its index in the tile's output. `element` may be called
    /// on several threads at once.
    func accumulate(
        into total: inout Double, step: Int, level: NoiseLevel, gamma: Float,
        element: (_ index: Int, _ channel: Int, _ epsilon: Double, _ output: DenoiserOutput, _ o: Int) -> Double
    ) throws {
        let plane = width * height
        let width = self.width, noise = self.noise
        for tile in tiling.tiles {
            let (interiorX, interiorY, regionX, regionY) = (tile.interiorX, tile.interiorY, tile.regionX, tile.regionY)
            let (tileX, tileY) = (interiorX.lowerBound, interiorY.lowerBound)
            let regionWidth = regionX.count, regionHeight = regionY.count, regionPlane = regionX.count * regionY.count
            var z = [Float](repeating: 0, count: 3 * regionPlane)
            var regionNoise = [Float](repeating: 0, count: 3 * regionPlane)
            // z and ε of the region, a row of a channel at a time (each value on its own: any thread).
            z.withUnsafeMutableBufferPointer { z in
                regionNoise.withUnsafeMutableBufferPointer { regionNoise in
                    pixels.withUnsafeBufferPointer { pixels in
                        scaledValues.withUnsafeBufferPointer { scaled in
                            ParallelLoop.forEachChunk(count: 3 * regionHeight, threads: threads) { rows in
                                for row in rows {
                                    let c = row / regionHeight, y = regionY.lowerBound + row % regionHeight
                                    var r = row * regionWidth
                                    for x in regionX {
                                        let i = c * plane + y * width + x
                                        let epsilon = noise.normal(step: step, index: i)
                                        regionNoise[r] = epsilon
                                        z[r] = Float(level.alpha * scaled[Int(pixels[i])] + level.sigma * Double(epsilon))
                                        r += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let columns = (interiorX.lowerBound - regionX.lowerBound)..<(interiorX.upperBound - regionX.lowerBound)
            let rows = (interiorY.lowerBound - regionY.lowerBound)..<(interiorY.upperBound - regionY.lowerBound)
            let output = try denoiser.evaluate(
                z: z, width: regionWidth, height: regionHeight, columns: columns, rows: rows, gamma: gamma,
                threads: threads, tileSize: tileSize)
            let outPlane = interiorX.count * interiorY.count
            let interiorRows = interiorY.count
            // One sum per interior row of each channel, then those in order.
            var rowSums = [Double](repeating: 0, count: 3 * interiorRows)
            rowSums.withUnsafeMutableBufferPointer { rowSums in
                regionNoise.withUnsafeBufferPointer { regionNoise in
                    ParallelLoop.forEachChunk(count: 3 * interiorRows, threads: threads) { chunk in
                        for row in chunk {
                            let c = row / interiorRows, y = interiorY.lowerBound + row % interiorRows
                            var sum = 0.0
                            for x in interiorX {
                                let o = c * outPlane + (y - tileY) * interiorX.count + (x - tileX)
                                let epsilon = Double(
                                    regionNoise[
                                        c * regionPlane + (y - regionY.lowerBound) * regionWidth + (x - regionX.lowerBound)])
                                sum += element(c * plane + y * width + x, c, epsilon, output, o)
                            }
                            rowSums[row] = sum
                        }
                    }
                }
            }
            var tileSum = 0.0
            for sum in rowSums { tileSum += sum }
            total += tileSum
        }
    }
}
