import XCTest
@testable import ContainerFormat

final class NameSequenceTests: XCTestCase {
    private func successor(_ name: String) -> String? {
        NameSequence.successor(of: Array(name.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    func testTheLastRunOfDigitsCountsUpAtItsWidth() {
        XCTAssertEqual(successor("img_0099.png"), "img_0100.png")
        XCTAssertEqual(successor("cifar_00000.png"), "cifar_00001.png")
        XCTAssertEqual(successor("v2_shot19.png"), "v2_shot20.png")
        XCTAssertEqual(successor("7"), "8")
        XCTAssertEqual(successor("a08b"), "a09b")
        XCTAssertEqual(successor("ünï 41 🖼.png"), "ünï 42 🖼.png")
    }

    func testNamesWithoutASuccessor() {
        XCTAssertNil(successor("a9.png"), "a10.png is longer: stored in full")
        XCTAssertNil(successor("img_99.png"))
        XCTAssertNil(successor("photo.png"))
        XCTAssertNil(successor(""))
    }

    func testFollows() {
        XCTAssertTrue(NameSequence.follows(Array("a10.png".utf8), Array("a09.png".utf8)))
        XCTAssertFalse(NameSequence.follows(Array("a10.png".utf8), Array("a9.png".utf8)))
        XCTAssertFalse(NameSequence.follows(Array("a2.png".utf8), Array("a2.png".utf8)))
        // Canonically equivalent but different bytes: never taken for the successor.
        XCTAssertFalse(NameSequence.follows(Array("e\u{301}2".utf8), Array("\u{E9}1".utf8)))
    }
}
