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

    func testSmallImagesAndFewStepsAreNotEstimated() throws {
        let image = try BitsBackCoderTests.image(width: 40, height: 36, seed: 3)
        let small = try coder(steps: 32)
        XCTAssertFalse(try small.payloadSurelyExceeds(0, for: [image]), "below 2^16 pixels: coded, not estimated")
        let few = try coder(steps: BitsBackCoder.minimumBoundSteps - 1)
        few.boundMinimumPixels = 1
        XCTAssertFalse(try few.payloadSurelyExceeds(0, for: [image]), "few steps: coded, not estimated")
    }
}
