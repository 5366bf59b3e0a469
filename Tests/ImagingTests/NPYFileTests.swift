import XCTest
@testable import Imaging
import TestSupport

/// The .npy reader: shapes, versions, and clear errors.
final class NPYFileTests: XCTestCase {
    private func npy(header: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var text = Array(header.utf8)
        let prefix = version == 1 ? 10 : 12
        while (prefix + text.count + 1) % 64 != 0 { text.append(0x20) }
        text.append(0x0A)
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        if version == 1 {
            bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
        } else {
            bytes += [UInt8(text.count & 0xFF), UInt8(text.count >> 8), 0, 0]
        }
        return bytes + text + data
    }

    func testReadsImages() throws {
        let data = (0..<(2 * 2 * 3 * 3)).map { UInt8($0) }
        let array = try NPYImages(
            npyData: npy(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 3, 3), }", data: data))
        XCTAssertEqual([array.count, array.height, array.width, array.channels], [2, 2, 3, 3])
        XCTAssertEqual(Array(array.image(1)), Array(data[18..<36]))
        let single = try NPYImages(
            npyData: npy(
                header: "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2, 3), }", data: [1, 2, 3, 4, 5, 6], version: 2))
        XCTAssertEqual([single.count, single.height, single.width, single.channels], [1, 1, 2, 3])
    }

    func testReadsCIFARWhenPresent() throws {
        let path = try sharedCorpus("cifar10") + "/test_images.npy"
        guard let bytes = FileManager.default.contents(atPath: path) else { throw XCTSkip("missing \(path)") }
        let array = try NPYImages(npyData: [UInt8](bytes))
        XCTAssertEqual([array.count, array.height, array.width, array.channels], [500, 32, 32, 3])
    }

    func testRejectsBadFiles() {
        let cases: [([UInt8], String)] = [
            ([1, 2, 3], "bad magic"),
            (npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", data: [0, 0, 0, 0]), "dtype"),
            (npy(header: "{'descr': '|u1', 'fortran_order': True, 'shape': (1, 1, 1), }", data: [0]), "Fortran"),
            (npy(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", data: [0, 0, 0, 0]), "shape"),
            (npy(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }", data: [0, 0]), "truncated"),
        ]
        for (bytes, expected) in cases {
            XCTAssertThrowsError(try NPYImages(npyData: bytes)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
            }
        }
    }

    /// Issue 15, finding 9: the first `'descr':` anywhere in the header used to win, so a float64 array
    /// whose header mentioned a uint8 descr elsewhere was read as bytes; and an array of no image was
    /// accepted.
    func testHeaderIsParsedStrictly() {
        let float64 = [UInt8](repeating: 0, count: 8 * 3)
        let cases: [String] = [
            "{\"descr\": '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 3), 'note': \"'descr': '|u1',\", }",
            "{'descr': '|u1', 'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 3), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 3), } trailing",
            "{'descr': '|u1', 'fortran_order': Maybe, 'shape': (1, 1, 1, 3), }",
            "{'descr': '|u1', 'fortran_order': False, 'shape': (1, -1, 1, 3), }",
            "{'descr': '|u1', 'fortran_order': False, }",
        ]
        for header in cases {
            XCTAssertThrowsError(try NPYImages(npyData: npy(header: header, data: float64)), header)
        }
        XCTAssertThrowsError(
            try NPYImages(npyData: npy(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 2, 2, 3), }", data: []))
        ) {
            XCTAssertEqual($0 as? NPYError, .unsupported("shape (0, 2, 2, 3) holds no image"))
        }
        // NumPy's own spelling, double-quoted keys and no trailing comma are still read.
        XCTAssertNoThrow(
            try NPYImages(
                npyData: npy(header: "{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (1, 1, 1, 3)}", data: [1, 2, 3])))
    }
}
