import XCTest
@testable import Model

/// The memory-bounded (tiled, counter-noise) ELBO equals the whole-image ELBO with the same noise.
final class StreamingELBOTests: XCTestCase {
    func testTiledELBOMatchesWholeImageELBO() throws {
        for model in ["tiny", "tiny_lv"] {
            let prior = try Fixtures.prior(model)
            let width = 29, height = 21, steps = 3, seed: UInt64 = 5
            let pixels = (0..<(3 * width * height)).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ $0 / 5) }
            let noise = CounterNoise(seed: seed)
            let whole = try prior.negativeELBO(pixels: pixels, width: width, height: height, steps: steps, threads: 2) { step in
                (0..<pixels.count).map { noise.normal(step: step, index: $0) }
            }
            let tiled = try prior.negativeELBO(
                pixels: pixels, width: width, height: height, steps: steps, seed: seed, threads: 2, tileSize: 8)
            XCTAssertEqual(tiled.prior, whole.prior, accuracy: 1e-12, model)
            XCTAssertEqual(tiled.reconstruction, whole.reconstruction, accuracy: 1e-12 * max(1, whole.reconstruction), model)
            XCTAssertEqual(tiled.diffusion, whole.diffusion, accuracy: 1e-12 * max(1, whole.diffusion), model)
        }
    }

    func testCounterNoiseIsStandardNormalAndAddressable() {
        let noise = CounterNoise(seed: 11)
        let values = (0..<20_000).map { noise.normal(step: 2, index: $0) }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.04)
        XCTAssertEqual(noise.normal(step: 2, index: 7), values[7])
        XCTAssertNotEqual(noise.normal(step: 3, index: 7), values[7])
    }
}
