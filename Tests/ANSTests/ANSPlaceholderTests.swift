import XCTest
@testable import ANS

final class ANSPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
