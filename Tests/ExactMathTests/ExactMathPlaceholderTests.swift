import XCTest
@testable import ExactMath

final class ExactMathPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
