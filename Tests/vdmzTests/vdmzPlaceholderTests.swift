import XCTest
@testable import Codec

final class vdmzPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
