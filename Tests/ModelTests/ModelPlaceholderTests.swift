import XCTest
@testable import Model

final class ModelPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
