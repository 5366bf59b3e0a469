import XCTest
@testable import Model

/// The step-sampled ELBO (`SampledELBO`): with every step evaluated it is the streaming ELBO; its steps
/// and its sum of straight lines behave as documented; an estimator evaluates each step once.
final class SampledELBOTests: XCTestCase {
    private let width = 23, height = 19, seed: UInt64 = 9

    private var pixels: [UInt8] { (0..<(3 * width * height)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 7) } }

    func testEveryStepEvaluatedIsTheStreamingELBO() throws {
        for model in ["tiny", "tiny_lv", "tiny_nd"] {
            let prior = try Fixtures.prior(model)
            let steps = 6
            let full = try prior.negativeELBO(
                pixels: pixels, width: width, height: height, steps: steps, seed: seed, threads: 2, tileSize: 8)
            for points in [steps, steps + 5] {
                let sampled = try prior.sampledNegativeELBO(
                    pixels: pixels, width: width, height: height, steps: steps, points: points, seed: seed, threads: 1,
                    tileSize: 8)
                XCTAssertEqual(sampled.samples.map(\.step), Array(1...steps), model)
                XCTAssertEqual(sampled.prior, full.prior, accuracy: 1e-12, model)
                XCTAssertEqual(sampled.reconstruction, full.reconstruction, accuracy: 1e-12 * max(1, full.reconstruction), model)
                XCTAssertEqual(sampled.diffusion, full.diffusion, accuracy: 1e-12 * max(1, full.diffusion), model)
            }
        }
    }

    func testTheEstimateDoesNotDependOnTheThreadCount() throws {
        let prior = try Fixtures.prior("tiny_lv")
        let one = try prior.sampledNegativeELBO(
            pixels: pixels, width: width, height: height, steps: 16, points: 5, seed: seed, threads: 1, tileSize: 8)
        let three = try prior.sampledNegativeELBO(
            pixels: pixels, width: width, height: height, steps: 16, points: 5, seed: seed, threads: 3, tileSize: 8)
        XCTAssertEqual(one.total, three.total)
        XCTAssertEqual(one.samples.map(\.step), [1, 5, 9, 12, 16])
    }

    func testEvaluatedStepsRunFromTheFirstToTheLastEvenlySpaced() {
        XCTAssertEqual(SampledELBO.evaluatedSteps(steps: 64, count: 5), [1, 17, 33, 48, 64])
        XCTAssertEqual(SampledELBO.evaluatedSteps(steps: 64, count: 9), [1, 9, 17, 25, 33, 40, 48, 56, 64])
        XCTAssertEqual(SampledELBO.evaluatedSteps(steps: 1, count: 9), [1])
        XCTAssertEqual(SampledELBO.evaluatedSteps(steps: 7, count: 1), [1, 7], "at least the ends")
        for steps in 1...70 {
            for count in 1...80 {
                let chosen = SampledELBO.evaluatedSteps(steps: steps, count: count)
                XCTAssertEqual(chosen.first, 1)
                XCTAssertEqual(chosen.last, steps)
                XCTAssertTrue(zip(chosen, chosen.dropFirst()).allSatisfy { $0 < $1 }, "\(steps) \(count)")
                XCTAssertLessThanOrEqual(chosen.count, max(2, count))
                if count >= steps { XCTAssertEqual(chosen, Array(1...steps)) }
            }
        }
        // The 9 points of T = 64 include the 5, so a second stage adds only 4 passes.
        XCTAssertTrue(
            Set(SampledELBO.evaluatedSteps(steps: 64, count: 5)).isSubset(of: SampledELBO.evaluatedSteps(steps: 64, count: 9)))
    }

    func testTheLinesSumATermLinearInTheStepExactly() {
        let steps = 64
        func term(_ i: Int) -> Double { 0.1 - 0.0015 * Double(i) }
        let exact = (1...steps).reduce(0.0) { $0 + term($1) }
        for count in [2, 3, 5, 9, 17] {
            let samples = SampledELBO.evaluatedSteps(steps: steps, count: count).map { ($0, term($0)) }
            XCTAssertEqual(SampledELBO.diffusion(steps: steps, samples: samples), exact, accuracy: 1e-12, "\(count)")
        }
        XCTAssertEqual(SampledELBO.diffusion(steps: 1, samples: [(1, 0.25)]), 0.25)
    }

    func testAnEstimatorEvaluatesEachStepOnce() throws {
        let prior = try Fixtures.prior("tiny_nd")  // with the network decoder: one pass for the reconstruction
        let estimator = try SampledELBOEstimator(
            prior: prior, pixels: pixels, width: width, height: height, steps: 64, seed: seed, tileSize: 8)
        let five = try estimator.estimate(points: 5)
        XCTAssertEqual(estimator.passes, 6)
        let nine = try estimator.estimate(points: 9)
        XCTAssertEqual(estimator.passes, 10)
        XCTAssertEqual(try estimator.estimate(points: 5).total, five.total)
        let fresh = try prior.sampledNegativeELBO(
            pixels: pixels, width: width, height: height, steps: 64, points: 9, seed: seed, tileSize: 8)
        XCTAssertEqual(nine.total, fresh.total)
        // Another estimator resuming from the 5-point estimate evaluates only the 4 steps it adds.
        let resumed = try SampledELBOEstimator(
            prior: prior, pixels: pixels, width: width, height: height, steps: 64, seed: seed, tileSize: 8, resuming: five)
        XCTAssertEqual(try resumed.estimate(points: 9).total, nine.total)
        XCTAssertEqual(resumed.passes, 4)
        XCTAssertThrowsError(
            try SampledELBOEstimator(
                prior: prior, pixels: pixels, width: width, height: height, steps: 32, seed: seed, resuming: five))
    }
}
