import ExactMath

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
        let plane = width * height
        let d = 3 * plane
        guard width >= 1, height >= 1, pixels.count == d else {
            throw ModelError.invalidArgument("expected \(d) planar pixel values for \(width)×\(height)×3, got \(pixels.count)")
        }
        guard tileSize >= 1 else { throw ModelError.invalidArgument("tile size must be positive") }
        let gammas = try schedule.gammas(steps: steps)
        let noise = CounterNoise(seed: seed)
        let scaledValues = (0..<256).map { DiscretizedDecoder.scaled($0) }
        // Prior and (network-free) reconstruction terms: element-wise, streamed.
        let last = NoiseLevel(gamma: gammas[steps])
        let logSigma1 = ExactMath.log(last.sigmaSquared)
        let decoder = DiscretizedDecoder(gamma0: gammas[0])
        var prior = 0.0, reconstruction = 0.0
        for i in 0..<d {
            let f = scaledValues[Int(pixels[i])]
            prior += 0.5 * (last.sigmaSquared + last.alphaSquared * f * f - logSigma1 - 1)
            if decoderScale != nil { continue }
            let z0 = decoder.level.alpha * f + decoder.level.sigma * Double(noise.normal(step: 0, index: i))
            reconstruction += decoder.negativeLogLikelihood(of: pixels[i], z0: z0)
        }
        let tiling = HaloTiling(
            columns: 0..<width, rows: 0..<height, width: width, height: height, radius: metadata.receptiveRadius,
            tileSize: tileSize)
        let walk = HaloTileWalk(
            denoiser: denoiser, pixels: pixels, width: width, height: height, tiling: tiling, noise: noise,
            scaledValues: scaledValues, threads: threads, tileSize: tileSize)
        // The network decoder's reconstruction term, tile by tile (one pass at γ_0 on z_0).
        if let scale = decoderScale {
            try walk.accumulate(into: &reconstruction, step: 0, level: decoder.level, gamma: gammas[0]) {
                i, c, epsilon, output, o in
                let z0 = decoder.level.alpha * scaledValues[Int(pixels[i])] + decoder.level.sigma * epsilon
                let estimate = scale.estimate(
                    z0: z0, epsilon: output.epsilon[o], v: output.v?[o], channel: c, level: decoder.level)
                return decoder.negativeLogLikelihood(of: pixels[i], z0: z0, estimate: estimate)
            }
        }
        // Diffusion term, tile by tile.
        var diffusion = 0.0
        for step in 1...steps {
            let transition = try DiffusionStep(gammaSource: gammas[step - 1], gammaTarget: gammas[step])
            let level = transition.target
            let weight = ExactMath.expm1(level.gamma - transition.source.gamma)
            let logRatio = ExactMath.log(level.sigmaSquared) - ExactMath.log(transition.source.sigmaSquared)
            try walk.accumulate(into: &diffusion, step: step, level: level, gamma: gammas[step]) { _, _, epsilon, output, o in
                let error = epsilon - Double(output.epsilon[o])
                if let v = output.v {
                    let ell = (Double(v[o]) + 1) * 0.5 * logRatio
                    return 0.5 * (ell + ExactMath.expm1(-ell) + ExactMath.exp(-ell) * weight * error * error)
                }
                return 0.5 * weight * error * error
            }
        }
        let nats = Double(d) * 0.693_147_180_559_945_3
        return ELBOTerms(prior: prior / nats, diffusion: diffusion / nats, reconstruction: reconstruction / nats)
    }
}

/// One network pass over an image tile by tile for `negativeELBO(…seed:…)`: at step i every halo tile's
/// z = α f + σ ε (ε = `CounterNoise` of step i) is evaluated, and `element` is summed over the tile's
/// interior (channel, row, column order), tile sums in tiling order.
private struct HaloTileWalk {
    let denoiser: Denoiser
    let pixels: [UInt8]
    let width: Int, height: Int
    let tiling: HaloTiling
    let noise: CounterNoise
    let scaledValues: [Double]
    let threads: Int, tileSize: Int

    /// Adds to `total`, tile by tile, each tile's Σ over its interior of `element(i, c, ε_i, output, o)`:
    /// i the planar image index, c its channel, o its index in the tile's output.
    func accumulate(
        into total: inout Double, step: Int, level: NoiseLevel, gamma: Float,
        element: (_ index: Int, _ channel: Int, _ epsilon: Double, _ output: DenoiserOutput, _ o: Int) -> Double
    ) throws {
        let plane = width * height
        for tile in tiling.tiles {
            let (interiorX, interiorY, regionX, regionY) = (tile.interiorX, tile.interiorY, tile.regionX, tile.regionY)
            let (tileX, tileY) = (interiorX.lowerBound, interiorY.lowerBound)
            let regionWidth = regionX.count, regionPlane = regionX.count * regionY.count
            var z = [Float](repeating: 0, count: 3 * regionPlane)
            var regionNoise = [Float](repeating: 0, count: 3 * regionPlane)
            for c in 0..<3 {
                for y in regionY {
                    for x in regionX {
                        let i = c * plane + y * width + x
                        let r = c * regionPlane + (y - regionY.lowerBound) * regionWidth + (x - regionX.lowerBound)
                        regionNoise[r] = noise.normal(step: step, index: i)
                        z[r] = Float(level.alpha * scaledValues[Int(pixels[i])] + level.sigma * Double(regionNoise[r]))
                    }
                }
            }
            let columns = (interiorX.lowerBound - regionX.lowerBound)..<(interiorX.upperBound - regionX.lowerBound)
            let rows = (interiorY.lowerBound - regionY.lowerBound)..<(interiorY.upperBound - regionY.lowerBound)
            let output = try denoiser.evaluate(
                z: z, width: regionWidth, height: regionY.count, columns: columns, rows: rows, gamma: gamma,
                threads: threads, tileSize: tileSize)
            let outPlane = interiorX.count * interiorY.count
            var tileSum = 0.0
            for c in 0..<3 {
                for y in interiorY {
                    for x in interiorX {
                        let o = c * outPlane + (y - tileY) * interiorX.count + (x - tileX)
                        let epsilon = Double(
                            regionNoise[c * regionPlane + (y - regionY.lowerBound) * regionWidth + (x - regionX.lowerBound)])
                        tileSum += element(c * plane + y * width + x, c, epsilon, output, o)
                    }
                }
            }
            total += tileSum
        }
    }
}
