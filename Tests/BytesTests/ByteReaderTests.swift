import XCTest
import Bytes

final class ByteReaderTests: XCTestCase {
    func testEveryWidthAndVarintReadsBackWhatTheWriterWrote() throws {
        var writer = ByteWriter()
        let varints: [UInt64] = [0, 1, 127, 128, 300, 1 << 35, .max]
        writer.append(UInt8(0xAB))
        writer.append(UInt16(0xBEEF))
        writer.append(UInt32(0xDEAD_BEEF))
        writer.append(UInt64(0x0123_4567_89AB_CDEF))
        for value in varints { writer.appendVarint(value) }
        XCTAssertEqual(writer.bytes.count, 15 + varints.map { ByteWriter.varintSize($0) }.reduce(0, +))
        var reader = ByteReader(writer.bytes)
        XCTAssertEqual(try reader.readUInt8(), 0xAB)
        XCTAssertEqual(try reader.readUInt16(), 0xBEEF)
        XCTAssertEqual(try reader.readUInt32(), 0xDEAD_BEEF)
        XCTAssertEqual(try reader.readUInt64(), 0x0123_4567_89AB_CDEF)
        for value in varints { XCTAssertEqual(try reader.readVarint(), value) }
        XCTAssertTrue(reader.isAtEnd)
    }

    func testReadsPastTheEndThrowTruncatedAndMoveNothing() {
        var reader = ByteReader([1, 2, 3])
        XCTAssertThrowsError(try reader.readUInt32()) { XCTAssertEqual($0 as? ByteReaderError, .truncated) }
        XCTAssertEqual(reader.offset, 0)
        XCTAssertThrowsError(try reader.readBytes(4)) { XCTAssertEqual($0 as? ByteReaderError, .truncated) }
        XCTAssertThrowsError(try reader.readBytes(-1)) { XCTAssertEqual($0 as? ByteReaderError, .truncated) }
        var unfinished = ByteReader([0x80, 0x80])
        XCTAssertThrowsError(try unfinished.readVarint()) { XCTAssertEqual($0 as? ByteReaderError, .truncated) }
    }

    func testOverlongAndOversizedVarintsAreRefused() {
        var overlong = ByteReader([UInt8](repeating: 0x80, count: 11))
        XCTAssertThrowsError(try overlong.readVarint()) { XCTAssertEqual($0 as? ByteReaderError, .varintTooLong) }
        var large = ByteReader([0x90, 0x03])
        XCTAssertThrowsError(try large.readVarint(atMost: 399, "count")) {
            XCTAssertEqual($0 as? ByteReaderError, .valueAboveLimit(field: "count", value: 400, limit: 399))
        }
    }

    func testCRC32IsZlibsChecksum() {
        // The standard check value of CRC-32/ISO-HDLC.
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)[...]), 0xCBF4_3926)
    }
}
