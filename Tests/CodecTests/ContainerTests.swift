import XCTest
@testable import Codec
@testable import ContainerFormat
import BitsBack
import PixelCoding
import Imaging
import TestSupport
import Bytes

final class ContainerTests: XCTestCase {
    /// Offset of the image count: magic, version, coder, flags, model hash.
    private let countOffset = 8 + 2 + 1 + 1 + 32

    private func sampleImages() throws -> [NamedImage] {
        [
            NamedImage(name: "a.png", image: try makeImage(.rgba, bitDepth: 16, width: 3, height: 2, chunks: colorChunks())),
            NamedImage(name: "b.png", image: try makeImage(.palette, bitDepth: 2, width: 2, height: 3)),
        ]
    }

    private func sampleContainer() throws -> Container {
        try Archive.compress(sampleImages(), coder: StoredPixelCoder(), isDataset: true)
    }

    /// The same images in a version-1 file.
    private func sampleVersion1Bytes() throws -> [UInt8] {
        try Version1Writer.bytes(sampleImages(), coder: StoredPixelCoder(), isDataset: true)
    }

    /// `bytes` with its CRC-32 made valid again.
    private func withValidCRC(_ bytes: [UInt8]) -> [UInt8] {
        var fixed = bytes
        let crc = Zlib.crc32(bytes[..<(bytes.count - 4)])
        for k in 0..<4 { fixed[bytes.count - 4 + k] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * k)) }
        return fixed
    }

    func testRoundTrip() throws {
        let container = try sampleContainer()
        XCTAssertEqual(container.version, Container.formatVersion)
        let bytes = try container.serialized()
        XCTAssertEqual(Array(bytes.prefix(8)), Container.magic)
        XCTAssertEqual(Array(bytes[8..<10]), [2, 0])
        let parsed = try Container(parsing: bytes)
        XCTAssertEqual(parsed.version, 2)
        XCTAssertEqual(parsed.images.map(\.name), ["a.png", "b.png"])
        XCTAssertEqual(parsed.images.map(\.header), container.images.map(\.header))
        XCTAssertEqual(parsed.images.map(\.sidePlanes), container.images.map(\.sidePlanes))
        XCTAssertEqual(parsed.images.map(\.pixelChecksum), [nil, nil])
        XCTAssertEqual(parsed.pixelDigest, container.pixelDigest)
        XCTAssertEqual(parsed.pixelDigest, PixelChecksum.digest(of: try sampleImages().map { PixelChecksum.of($0.image) }))
        XCTAssertEqual(parsed.payload, container.payload)
        XCTAssertEqual(parsed.coder, .stored)
        XCTAssertTrue(parsed.isDataset)
        XCTAssertEqual(try parsed.serialized(), bytes)
        XCTAssertEqual(try Archive.decompress(parsed, coder: StoredPixelCoder()), try sampleImages())
    }

    /// Files written in version 1 keep reading: per-image checksums, the same digest as version 2, the
    /// same images; written again, they become version 2.
    func testVersion1BytesStillParseAndDecode() throws {
        let images = try sampleImages()
        let parsed = try Container(parsing: try sampleVersion1Bytes())
        XCTAssertEqual(parsed.version, 1)
        XCTAssertEqual(parsed.images.map(\.pixelChecksum), images.map { PixelChecksum.of($0.image) })
        XCTAssertEqual(parsed.pixelDigest, try sampleContainer().pixelDigest)
        XCTAssertEqual(try Archive.decompress(parsed, coder: StoredPixelCoder()), images)
        XCTAssertEqual(try parsed.serialized(), try sampleContainer().serialized())
    }

    /// Numbered names, a name out of sequence, a unicode name, an empty name, a name whose successor
    /// would be longer; every colour type, side planes; the names column holds exactly the expected tags.
    func testDatasetOfNumberedNamesRoundTrips() throws {
        let names = [
            "img_0098.png", "img_0099.png", "img_0100.png", "photo.png", "ünïcødé 🖼 9.png", "",
            "a9.png", "a10.png", "a11.png", "img_0101.png",
        ]
        let kinds: [(PNGColorType, Int)] = [(.rgb, 8), (.gray, 16), (.palette, 4), (.rgba, 8), (.grayAlpha, 16), (.rgb, 16)]
        var images: [NamedImage] = []
        for (index, name) in names.enumerated() {
            let (colorType, depth) = kinds[index % kinds.count]
            let image = try makeImage(
                colorType, bitDepth: depth, width: 1 + index % 4, height: 2 + index % 3, seed: UInt64(index),
                interlaced: index == 3, chunks: index == 1 ? colorChunks() : [])
            images.append(NamedImage(name: name, image: image))
        }
        // Not a dataset: the format stores any name (the empty one too); only a dataset's names must
        // follow EntryName's rule, which Archive.compress checks.
        let container = try Archive.compress(images, coder: StoredPixelCoder(), isDataset: false)
        let parsed = try Container(parsing: try container.serialized())
        XCTAssertEqual(parsed.images.map(\.name), names)
        XCTAssertEqual(
            parsed.images.map { $0.sidePlanes.map(\.kind) },
            container.images.map { $0.sidePlanes.map(\.kind).sorted { $0.rawValue < $1.rawValue } })
        XCTAssertEqual(try Archive.decompress(parsed, coder: StoredPixelCoder()), images)

        func explicit(_ name: String) -> [UInt8] { [0, UInt8(name.utf8.count)] + Array(name.utf8) }
        let expectedNames =
            explicit("img_0098.png") + [1, 1] + explicit("photo.png") + explicit("ünïcødé 🖼 9.png")
            + explicit("") + explicit("a9.png") + explicit("a10.png") + [1] + explicit("img_0101.png")
        let raw = RecordColumns.encode(container.images, storedPlaneCounts: container.images.map { $0.sidePlanes.map { _ in 0 } })
        XCTAssertEqual(Array(raw.prefix(expectedNames.count)), expectedNames)
    }

    func testEveryTruncationThrows() throws {
        for bytes in [try sampleContainer().serialized(), try sampleVersion1Bytes()] {
            for length in 0..<bytes.count {
                XCTAssertThrowsError(try Container(parsing: Array(bytes.prefix(length))), "prefix \(length)") { error in
                    XCTAssertTrue(error is ContainerError, "prefix \(length): \(error)")
                }
            }
        }
    }

    func testByteFlipsAreDetectedAndNeverCrashTheParser() throws {
        for bytes in [try sampleContainer().serialized(), try sampleVersion1Bytes()] {
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
    }

    /// Every bit of the records block flipped: refused; without the CRC-32, refused too (zlib's own
    /// Adler-32 and the column checks) unless the bit is padding after the deflate data, which leaves
    /// the records as they were.
    func testFlippedBitsInTheRecordsAreRefused() throws {
        let bytes = try sampleContainer().serialized()
        let original = try Container(parsing: bytes)
        var unchanged = 0
        var reader = ByteReader(bytes)
        _ = try reader.readBytes(countOffset)
        _ = try reader.readVarint()
        _ = try reader.readVarint()
        let storedCount = Int(try reader.readVarint())
        let block = reader.offset..<reader.offset + storedCount
        XCTAssertGreaterThan(block.count, 8)
        for position in block {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[position] ^= UInt8(1 << bit)
                XCTAssertThrowsError(try Container(parsing: damaged), "byte \(position) bit \(bit)") {
                    XCTAssertTrue($0 is ContainerError, "\($0)")
                }
                do {
                    let parsed = try Container(parsing: damaged, verifyingChecksum: false)
                    XCTAssertEqual(parsed, original, "byte \(position) bit \(bit) changed the records")
                    unchanged += 1
                } catch {
                    XCTAssertTrue(error is ContainerError, "byte \(position) bit \(bit): \(error)")
                }
            }
        }
        XCTAssertLessThan(unchanged, 8, "only padding bits may pass")
    }

    /// A damaged pixel digest (CRC-32 skipped, or made valid again) is caught after decoding.
    func testADamagedDigestIsAnArchiveError() throws {
        let container = try sampleContainer()
        let bytes = try container.serialized()
        var payloadLength = ByteWriter()
        payloadLength.appendVarint(UInt64(container.payload.count))
        let digestEnd = bytes.count - 4 - container.payload.count - payloadLength.bytes.count
        var damaged = bytes
        damaged[digestEnd - 1] ^= 1
        let parsed = try Container(parsing: withValidCRC(damaged))
        XCTAssertThrowsError(try Archive.decompress(parsed, coder: StoredPixelCoder())) {
            XCTAssertEqual($0 as? ArchiveError, .pixelDigestMismatch)
        }
        XCTAssertEqual(
            ArchiveError.pixelDigestMismatch.description,
            "decoded pixels do not match the archive's pixel digest: the file is damaged")
    }

    func testTrailingBytesMagicAndVersionAreChecked() throws {
        for bytes in [try sampleContainer().serialized(), try sampleVersion1Bytes()] {
            XCTAssertThrowsError(try Container(parsing: bytes + [0])) { XCTAssertEqual($0 as? ContainerError, .trailingBytes) }
            for version: UInt8 in [0, 3] {
                var other = bytes
                other[8] = version
                XCTAssertThrowsError(try Container(parsing: other)) {
                    XCTAssertEqual($0 as? ContainerError, .unsupportedVersion(Int(version)))
                }
            }
        }
        XCTAssertThrowsError(try Container(parsing: Array("not a container at all".utf8))) {
            XCTAssertEqual($0 as? ContainerError, .notAContainer)
        }
        XCTAssertEqual(Container.readableVersions, 1...2)
    }

    func testLimitsAreAppliedBeforeAllocating() throws {
        for bytes in [try sampleContainer().serialized(), try sampleVersion1Bytes()] {
            XCTAssertThrowsError(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 5))) { error in
                guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
            }
            XCTAssertThrowsError(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 6, maxTotalPixels: 11))) { error in
                guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
            }
            XCTAssertNoThrow(try Container(parsing: bytes, limits: ImageLimits(maxPixels: 6, maxTotalPixels: 12)))
        }
    }

    /// A version-2 records block claiming more bytes than its images can take, or than deflate can make
    /// of its stored bytes, is refused before anything is allocated.
    func testRecordsBlockSizesAreBoundedBeforeInflating() throws {
        let header = Array(try sampleContainer().serialized().prefix(countOffset))
        func varint(_ value: UInt64) -> [UInt8] {
            var writer = ByteWriter()
            writer.appendVarint(value)
            return writer.bytes
        }
        let stored = [UInt8](repeating: 0, count: 16)
        for (count, raw) in [
            (1, UInt64(1) << 40), (1, UInt64(RecordColumns.maxRecordBytes + 1)), (1000, 16 * 1032 + 1),
            (1000, 7999), (1, UInt64.max),
        ] {
            let bytes = header + varint(UInt64(count)) + varint(raw) + varint(UInt64(stored.count)) + stored + [0, 0, 0, 0]
            XCTAssertThrowsError(try Container(parsing: bytes, verifyingChecksum: false), "\(count) images, \(raw) bytes") {
                error in
                guard case .invalidField? = error as? ContainerError else { return XCTFail("\(error)") }
            }
        }
        for count in [UInt64(0), UInt64(Container.maxImageCount + 1), UInt64.max] {
            XCTAssertThrowsError(try Container(parsing: header + varint(count) + [0, 0, 0, 0], verifyingChecksum: false)) {
                error in
                guard case .invalidField? = error as? ContainerError else { return XCTFail("\(error)") }
            }
        }
    }

    /// Found by fuzzing: two u32 dimensions whose product overflows Int passed the limit check as a
    /// negative number. With a valid CRC and no limit at all, the header must still be refused.
    func testDimensionsWhoseProductOverflowsAreRefused() throws {
        let unlimited = ImageLimits(maxPixels: .max, maxTotalPixels: .max)
        var version1 = try sampleVersion1Bytes()
        let width = countOffset + 4 + 2 + "a.png".utf8.count  // count; name length, name
        for (offset, value) in [(width, UInt32.max), (width + 4, UInt32(3_257_204_735))] {
            for k in 0..<4 { version1[offset + k] = UInt8(truncatingIfNeeded: value >> UInt32(8 * k)) }
        }
        let header = ImageHeader(width: Int(UInt32.max), height: 3_257_204_735, colorType: .rgb, bitDepth: 8, isInterlaced: false)
        let huge = try Container(
            coder: .stored, isDataset: false, modelHash: noModelHash,
            images: [ContainerImage(name: "a.png", header: header, steps: 0, sidePlanes: [])],
            pixelDigest: [UInt8](repeating: 0, count: 32), payload: [])
        for bytes in [withValidCRC(version1), try huge.serialized()] {
            XCTAssertThrowsError(try Container(parsing: bytes, limits: unlimited)) { error in
                guard case .limitExceeded? = error as? ContainerError else { return XCTFail("\(error)") }
            }
        }
    }

    /// The point of version 2: 500 records of a CIFAR-like dataset archive (32×32 RGB, numbered names)
    /// cost a few dozen bytes, not 65 bytes each.
    func testDatasetRecordsCostAlmostNothing() throws {
        let header = ImageHeader(width: 32, height: 32, colorType: .rgb, bitDepth: 8, isInterlaced: false)
        let images = (0..<500).map { index in
            let digits = String(index)
            let name = "cifar_" + String(repeating: "0", count: 5 - digits.count) + digits + ".png"
            return ContainerImage(name: name, header: header, steps: 64, sidePlanes: [])
        }
        let checksums = (0..<500).map { PixelChecksum.sha256([UInt8(truncatingIfNeeded: $0), UInt8($0 >> 8)]) }
        let payload = [UInt8](repeating: 0xA5, count: 100_000)
        let container = try Container(
            coder: .bitsBack, isDataset: true, modelHash: [UInt8](repeating: 7, count: 32),
            images: images, pixelDigest: PixelChecksum.digest(of: checksums), payload: payload)
        let version2 = try container.serialized()
        let version1 = try Version1Writer.bytes(container, checksums: checksums)
        let overhead2 = version2.count - payload.count
        let overhead1 = version1.count - payload.count
        print(
            "container bytes besides the payload, 500 records of 32×32 RGB: version 1 \(overhead1) "
                + "(\(Double(overhead1) / 500) per image), version 2 \(overhead2) (\(Double(overhead2) / 500) per image)")
        XCTAssertLessThan(overhead2, 250, "more than half a byte per image")
        XCTAssertGreaterThan(overhead1, 500 * 60)
        let parsed = try Container(parsing: version2)
        XCTAssertEqual(parsed.images, images)
        XCTAssertEqual(parsed.pixelDigest, container.pixelDigest)
    }
}
