import XCTest
import ContainerFormat

/// The rule for dataset entry names (issue 15, finding 1): checked on bytes and scalars, never on
/// `Character`s.
final class EntryNameTests: XCTestCase {
    func testSlashFollowedByACombiningMarkIsRefused() {
        // Each is one Character that is not "/", but the file system sees a "/".
        for mark in ["\u{0301}", "\u{0338}", "\u{FE0F}", "\u{200C}", "\u{20E3}", "\u{1F3FB}"] {
            let name = "link/" + mark + "pwn.png"
            XCTAssertFalse(name.contains("/"), "the old Character-based test misses \(mark.unicodeScalars.first!.value)")
            XCTAssertFalse(EntryName.isValid(name), "U+\(String(mark.unicodeScalars.first!.value, radix: 16))")
            XCTAssertFalse(EntryName.isValid("sub/" + mark + "x"))
            XCTAssertFalse(EntryName.isValid("a\\" + mark + "b"))
        }
    }

    func testControlAndBidiCharactersAreRefused() {
        for name in [
            "esc\u{1B}[31m.png", "new\nline.png", "tab\t.png", "nul\u{0}.png", "del\u{7F}.png", "c1\u{85}.png",
            "rlo\u{202E}gnp.exe", "lri\u{2066}x", "alm\u{061C}x", "lrm\u{200E}x",
        ] {
            XCTAssertFalse(EntryName.isValid(name), name.debugDescription)
        }
    }

    func testPathsAndDotsAreRefused() {
        for name in ["", ".", "..", "../x.png", "a/b.png", "/abs.png", "a\\b.png", String(repeating: "n", count: 1025)] {
            XCTAssertFalse(EntryName.isValid(name), name.debugDescription)
        }
    }

    func testOrdinaryNamesAreAccepted() {
        for name in [
            "a.png", "cifar_00001.png", "a..b.png", ".hidden.png", "é.png", "e\u{0301}.png", "фото.png", "图.png",
            "emoji👍🏻.png", String(repeating: "n", count: 1024),
        ] {
            XCTAssertTrue(EntryName.isValid(name), name.debugDescription)
        }
    }

    func testPrintableEscapesWhatATerminalWouldObey() {
        XCTAssertEqual(EntryName.printable("a\u{1B}[31mb\nc\u{202E}d"), "a\\u{1B}[31mb\\u{A}c\\u{202E}d")
        XCTAssertEqual(EntryName.printable("plain.png"), "plain.png")
    }
}
