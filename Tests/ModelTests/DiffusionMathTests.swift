import Foundation
import XCTest
@testable import Model

/// Identities of the VP diffusion math (docs/DESIGN.md §1) and of the decoder.
final class DiffusionMathTests: XCTestCase {
    func testScheduleEndpointsAndMonotonicity() throws {
        let prior = try Fixtures.prior("tiny")
        let gammas = try prior.schedule.gammas(steps: 64)
        XCTAssertEqual(gammas.first, Float(prior.schedule.gamma0))
        XCTAssertEqual(Double(gammas.last!), prior.schedule.gamma1, accuracy: 1e-6)
        for i in 1..<gammas.count { XCTAssertLessThan(gammas[i - 1], gammas[i]) }
        XCTAssertEqual(try prior.schedule.gammas(steps: 64), gammas)  // deterministic
    }

    func testVariancePreservingIdentities() throws {
        let step = try DiffusionStep(gammaSource: -5.5, gammaTarget: -1.25)
        XCTAssertEqual(step.source.alphaSquared + step.source.sigmaSquared, 1, accuracy: 1e-15)
        // σ_t² = α²_{t|s}·σ_s² + σ²_{t|s}
        let tScale = step.transitionScale
        XCTAssertEqual(
            tScale * tScale * step.source.sigmaSquared + step.transitionVariance, step.target.sigmaSquared,
            accuracy: 1e-14)
        // Posterior variance σ_Q² = σ²_{t|s}·σ_s²/σ_t².
        XCTAssertEqual(
            step.posteriorVariance, step.transitionVariance * step.source.sigmaSquared / step.target.sigmaSquared,
            accuracy: 1e-14)
        // With the true ε, the reverse mean is the posterior mean of q(z_s | z_t, x).
        let f = 0.3, epsilon: Float = 0.7
        let zt = Float(step.target.alpha * f + step.target.sigma * Double(epsilon))
        let trueEpsilon = (Double(zt) - step.target.alpha * f) / step.target.sigma
        let mean = step.reverseMean(z: zt, epsilon: Float(trueEpsilon))
        let posteriorMean =
            (step.transitionScale * step.source.sigmaSquared / step.target.sigmaSquared) * Double(zt)
            + (step.source.alpha * step.transitionVariance / step.target.sigmaSquared) * f
        XCTAssertEqual(mean, posteriorMean, accuracy: 1e-6)
        // Learned variance: v = −1 gives σ_Q, v = 1 gives σ_{t|s}.
        XCTAssertEqual(step.reverseStandardDeviation(v: -1), step.posteriorStandardDeviation, accuracy: 1e-12)
        XCTAssertEqual(step.reverseStandardDeviation(v: 1), step.transitionStandardDeviation, accuracy: 1e-12)
        XCTAssertEqual(step.reverseStandardDeviation(v: nil), step.posteriorStandardDeviation)
    }

    func testDecoderNormalisesAndPeaksAtThePixel() {
        let decoder = DiscretizedDecoder(gamma0: -11)
        for x in [0, 1, 77, 128, 254, 255] {
            let z0 = decoder.level.alpha * DiscretizedDecoder.scaled(x)
            XCTAssertEqual(decoder.mode(z0: z0), UInt8(x))
            // Σ_k p(k | z0) = 1 with the exact 256-term sum.
            let logits = decoder.logits(z0: z0)
            let total = (0..<256).reduce(0.0) { sum, k in
                sum + Foundation.exp(-decoder.negativeLogLikelihood(of: UInt8(k), z0: z0))
            }
            XCTAssertEqual(total, 1, accuracy: 1e-9)
            let maxLogit = logits.max()!
            let direct = Foundation.log(logits.reduce(0) { $0 + Foundation.exp($1 - maxLogit) }) + maxLogit - logits[x]
            XCTAssertEqual(decoder.negativeLogLikelihood(of: UInt8(x), z0: z0), direct, accuracy: 1e-9)
            XCTAssertEqual(decoder.logProbabilities(z0: z0)[x], -direct, accuracy: 1e-9)
        }
    }

    func testGaussianNoiseIsSeededAndStandard() {
        var a = GaussianNoise(seed: 4), b = GaussianNoise(seed: 4)
        let values = a.next(count: 20_001)
        XCTAssertEqual(values, b.next(count: 20_001))
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.04)
    }
}
