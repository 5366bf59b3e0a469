import ANS
import XCTest
@testable import Codec

final class TmpDebugTests: XCTestCase {
    func testChainSteps() throws {
        debugChain = true
        let prior = try BitsBackCoderTests.calibratedPrior("tiny")
        let images = [try BitsBackCoderTests.image(width: 12, height: 10, seed: 1)]
        let coder = try BitsBackCoder(prior: prior, parameters: ChainParameters(steps: 64))
        _ = try coder.encode(images, progress: nil)
        debugReverse = true
        _ = try coder.encode(images, progress: nil)
        debugReverse = false
        debugChain = false
    }
}
