import ExactMath

extension DiffusionPrior {
    /// The T-step negative ELBO of one image with memory bounded by a tile instead of the image: the noise
    /// is `CounterNoise(seed)` (ε_0 is step 0, ε_i is step i), and each step's network pass and KL sum run
    /// tile by tile, every tile computed from z on the tile plus its receptive-field halo (so each ε̂ is the
    /// whole-image value). Working memory: a few buffers of (tileSize + 4B + 4)² sub-pixels plus the
    /// network's tile workspace — independent of the image size (the caller holds the pixels).
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
        // Prior and reconstruction terms: element-wise, streamed.
        let last = NoiseLevel(gamma: gammas[steps])
        let logSigma1 = ExactMath.log(last.sigmaSquared)
        let decoder = DiscretizedDecoder(gamma0: gammas[0])
        var prior = 0.0, reconstruction = 0.0
        for i in 0..<d {
            let f = scaledValues[Int(pixels[i])]
            prior += 0.5 * (last.sigmaSquared + last.alphaSquared * f * f - logSigma1 - 1)
            let z0 = decoder.level.alpha * f + decoder.level.sigma * Double(noise.normal(step: 0, index: i))
            reconstruction += decoder.negativeLogLikelihood(of: pixels[i], z0: z0)
        }
        // Diffusion term, tile by tile.
        let tiling = HaloTiling(
            columns: 0..<width, rows: 0..<height, width: width, height: height, radius: metadata.receptiveRadius,
            tileSize: tileSize)
        var diffusion = 0.0
        for step in 1...steps {
            let transition = try DiffusionStep(gammaSource: gammas[step - 1], gammaTarget: gammas[step])
            let level = transition.target
            let weight = ExactMath.expm1(level.gamma - transition.source.gamma)
            let logRatio = ExactMath.log(level.sigmaSquared) - ExactMath.log(transition.source.sigmaSquared)
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
                    z: z, width: regionWidth, height: regionY.count, columns: columns, rows: rows, gamma: gammas[step],
                    threads: threads, tileSize: tileSize)
                let outPlane = interiorX.count * interiorY.count
                var kl = 0.0
                for c in 0..<3 {
                    for y in interiorY {
                        for x in interiorX {
                            let o = c * outPlane + (y - tileY) * interiorX.count + (x - tileX)
                            let epsilon = Double(
                                regionNoise[
                                    c * regionPlane + (y - regionY.lowerBound) * regionWidth + (x - regionX.lowerBound)])
                            let error = epsilon - Double(output.epsilon[o])
                            if let v = output.v {
                                let ell = (Double(v[o]) + 1) * 0.5 * logRatio
                                kl += 0.5 * (ell + ExactMath.expm1(-ell) + ExactMath.exp(-ell) * weight * error * error)
                            } else {
                                kl += 0.5 * weight * error * error
                            }
                        }
                    }
                }
                diffusion += kl
            }
        }
        let nats = Double(d) * 0.693_147_180_559_945_3
        return ELBOTerms(prior: prior / nats, diffusion: diffusion / nats, reconstruction: reconstruction / nats)
    }
}
