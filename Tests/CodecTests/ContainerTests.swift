import XCTest
@testable import Codec

final class ContainerTests: XCTestCase {
    private func sampleContainer() throws -> Container {
        let images = [
            NamedImage(name: "a.png", image: try makeImage(.rgba, bitDepth: 16, width: 3, height: 2, chunks: colorChunks())),
            NamedImage(name: "b.png", image: try makeImage(.palette, bitDepth: 2, width: 2, height: 3)),
        ]
        return try Archive.compress(images, coder: StoredPixelCoder(), isDataset: true)
    }

    func testRoundTrip() throws {
        let container = try sampleContainer()
        let bytes = try container.serialized()
        XCTAssertEqual(Array(bytes.prefix(8)), Container.magic)
        let parsed = try Container(parsing: bytes)
        XCTAssertEqual(parsed.images.map(\.name), ["a.png", "b.png"])
        XCTAssertEqual(parsed.images.map(\.header), container.images.map(\.header))
        XCTAssertEqual(parsed.images.map(\.sidePlanes), container.images.map(\.sidePlanes))
        XCTAssertEqual(parsed.images.map(\.pixelChecksum), container.images.map(\.pixelChecksum))
        XCTAssertEqual(parsed.payload, container.payload)
        XCTAssertEqual(parsed.coder, .stored)
        XCTAssertTrue(parsed.isDataset)
        XCTAssertEqual(try parsed.serialized(), bytes)
    }

    func testEveryTruncationThrows() throws {
        let bytes = try sampleContainer().serialized()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Container(parsing: Array(bytes.prefix(length))), "prefix \(length)") { error in
                XCTAssertTrue(error is ContainerError, "prefix \(length): \(error)")
            }
        }
    }

    func testByteFlipsAreDetectedAndNeverCrashTheParser() throws {
        let bytes = try sampleContainer().serialized()
        for position in 0..<bytes.count {
            for bit in [0, 3, 7] {
                var damaged = bytes
                damaged[position] ^= UInt8(1 << bit)
                XCTAssertThrowsError(try Container(parsing: damaged), "byte \(position) bit \(bit)")
                // Without the CRC, the parser itself must still return or throw, never crash; and a
                // container it accepts must either restore the images or throw.
                if let parsed = try? Container(parsing: damaged, verifyingChecksum: false) {
                    _ = try? Archive.decompress(parsed, coder: StoredPixelCoder())
                }
            }
        }
    }

    func testTrailingBytesMagicAndVersionAreChecked() throws {
        let bytes = try sampleContainer().serialized()
        XCTAssertThrowsError(try Container(parsing: bytes + [0])) { XCTAssertEqual($0 as? ContainerError, .trailingBytes) }
        XCTAssertThrowsError(try Container(parsing: Array("not a container at all".utf8))) {
            XCTAssertEqual($0 as? ContainerError, .notAContainer)
        }
        var newer = bytes
        newer[8] = 2
        XCTAssertThrowsError(try Container(parsing: newer)) { XCTAssertEqual($0 as? ContainerError, .unsupportedVersion(2)) }
    }

    func testLimitsAreAppliedBeforeAllocating() throws {
        let bytes = try sampleContainer().serialized()
        XCTAssertThrowsError(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 5))) { error in
            guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 6, maxTotalPixels: 11))) { error in
            guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 6, maxTotalPixels: 12)))
    }

    /// Found by fuzzing: two u32 dimensions whose product overflows Int passed the limit check as a
    /// negative number. With a valid CRC and no limit at all, the header must still be refused.
    func testDimensionsWhoseProductOverflowsAreRefused() throws {
        var bytes = try sampleContainer().serialized()
        let width = 48 + 2 + "a.png".utf8.count  // magic, version, coder, flags, hash, count; name
        for (offset, value) in [(width, UInt32.max), (width + 4, UInt32(3_257_204_735))] {
            for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> UInt32(8 * k)) }
        }
        let crc = Zlib.crc32(bytes[..<(bytes.count - 4)])
        for k in 0..<4 { bytes[bytes.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * k)) }
        XCTAssertThrowsError(try Container(parsing: bytes, limits: ImageLimits(maxPixels: .max, maxTotalPixels: .max))) { error in
            guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
        }
    }
}
