import XCTest
@testable import BitsBack

/// `ChainParameters.cappingLanes`: a dataset's chains get at most the cap, and a payload that gets no
/// more lanes either way keeps its parameter block byte for byte.
final class LaneCapTests: XCTestCase {
    func testTheFieldIsLoweredOnlyWhereItChangesTheLaneCount() {
        let standard = ChainParameters(steps: 4)
        let small = [32 * 32]  // 3,072 sub-pixels: one lane under any cap
        XCTAssertEqual(standard.cappingLanes(at: 2, forImageAreas: small), standard)
        let large = Array(repeating: 32 * 32, count: 512)  // 1,572,864 sub-pixels: 16 lanes uncapped
        XCTAssertEqual(standard.lanes(forImageAreas: large), 16)
        let capped = standard.cappingLanes(at: 2, forImageAreas: large)
        XCTAssertEqual(capped.laneCount, 2)
        XCTAssertEqual(capped.lanes(forImageAreas: large), 2)
        XCTAssertEqual(capped.encoded.count, standard.encoded.count)
        XCTAssertNotEqual(capped.encoded, standard.encoded)
    }
}
