import XCTest
@testable import Codec

final class CodecPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
