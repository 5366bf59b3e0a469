import XCTest
@testable import BitsBack
import Model
import PixelCoding

/// `BitsBackCoder.payloadSurelyExceeds`: the step-sampled ELBO bounds the payload from below, so the
/// coder is never declared larger than a size it codes within, and is declared larger than half its size.
final class SizeBoundTests: XCTestCase {
    private func coder(steps: Int) throws -> BitsBackCoder {
        try BitsBackCoder(prior: BitsBackCoderTests.calibratedPrior("tiny_lv"), parameters: ChainParameters(steps: steps))
    }

    func testTheBoundLiesBelowThePayloadItBounds() throws {
        let coder = try coder(steps: 32)
        coder.boundMinimumPixels = 1
        let image = try BitsBackCoderTests.image(width: 40, height: 36, seed: 3)
        let payload = try coder.encode([image], progress: nil).count
        XCTAssertFalse(try coder.payloadSurelyExceeds(payload, for: [image]), "never larger than what it codes")
        XCTAssertTrue(try coder.payloadSurelyExceeds(payload / 2, for: [image]))
        XCTAssertFalse(try coder.payloadSurelyExceeds(payload * 2, for: [image]))
    }

    /// Stages run in order and each decides only beyond its own margin: with two wide first stages, a
    /// size near the estimate is left open by them and decided by the third stage's own points (here
    /// with no margin), while without that stage it stays open (false: bits-back is coded).
    func testALaterStageDecidesWhatTheEarlierOnesLeftOpen() throws {
        let coder = try coder(steps: 32)
        coder.boundMinimumPixels = 1
        let image = try BitsBackCoderTests.image(width: 40, height: 36, seed: 3)
        let estimator = try SampledELBOEstimator(
            prior: coder.prior, pixels: planarPixels(interleaved: image.pixels, width: 40, height: 36), width: 40,
            height: 36, steps: 32, seed: 0)
        let seventeen = try estimator.estimate(points: 17).total * Double(3 * 40 * 36) / 8
        let (below, above) = (Int(seventeen.rounded(.down)) - 1, Int(seventeen.rounded(.up)) + 1)
        let wide = [BitsBackCoder.BoundStage(points: 5, margin: 0.5), BitsBackCoder.BoundStage(points: 9, margin: 0.5)]
        coder.boundStages = wide
        XCTAssertFalse(try coder.payloadSurelyExceeds(below, for: [image]), "left open by both stages")
        coder.boundStages = wide + [BitsBackCoder.BoundStage(points: 17, margin: 0)]
        XCTAssertTrue(try coder.payloadSurelyExceeds(below, for: [image]))
        XCTAssertFalse(try coder.payloadSurelyExceeds(above, for: [image]))
        XCTAssertEqual(BitsBackCoder.defaultBoundStages.map(\.points), [5, 9, 17], "each stage's points contain the last's")
    }

    func testSmallImagesAndFewStepsAreNotEstimated() throws {
        let image = try BitsBackCoderTests.image(width: 40, height: 36, seed: 3)
        let small = try coder(steps: 32)
        XCTAssertFalse(try small.payloadSurelyExceeds(0, for: [image]), "below 2^16 pixels: coded, not estimated")
        let few = try coder(steps: BitsBackCoder.minimumBoundSteps - 1)
        few.boundMinimumPixels = 1
        XCTAssertFalse(try few.payloadSurelyExceeds(0, for: [image]), "few steps: coded, not estimated")
    }
}
