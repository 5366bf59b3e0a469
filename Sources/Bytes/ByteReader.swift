/// Reads little-endian integers, LEB128 varints and byte runs from a buffer.
///
/// Invariant: `0 ≤ offset ≤ bytes.count`; every read is checked against `remaining` before it touches a
/// byte or allocates, and throws `ByteReaderError` instead of reading past the end.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt8() throws(ByteReaderError) -> UInt8 { UInt8(try readLittleEndian(count: 1)) }
    public mutating func readUInt16() throws(ByteReaderError) -> UInt16 { UInt16(try readLittleEndian(count: 2)) }
    public mutating func readUInt32() throws(ByteReaderError) -> UInt32 { UInt32(try readLittleEndian(count: 4)) }
    public mutating func readUInt64() throws(ByteReaderError) -> UInt64 { try readLittleEndian(count: 8) }

    /// Reads a LEB128 value (the format of `ByteWriter.appendVarint`): at most 10 bytes, and the tenth
    /// may only carry the 64th bit, so every accepted varint is a value below 2^64.
    /// - Throws: `.truncated` at the end of the bytes, `.varintTooLong` for more than 64 bits.
    public mutating func readVarint() throws(ByteReaderError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let byte = try readUInt8()
            if shift == 63 && byte > 1 { throw .varintTooLong }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw .varintTooLong
    }

    /// Reads a varint that must not exceed `limit` (≥ 0), as an `Int`.
    /// - Throws: `.truncated`, `.varintTooLong`, or `.valueAboveLimit` naming `field`.
    public mutating func readVarint(atMost limit: Int, _ field: String) throws(ByteReaderError) -> Int {
        let value = try readVarint()
        guard value <= UInt64(max(0, limit)) else { throw .valueAboveLimit(field: field, value: value, limit: limit) }
        return Int(value)
    }

    /// Reads `count` bytes; `count` is checked against the remaining bytes before anything is allocated.
    public mutating func readBytes(_ count: Int) throws(ByteReaderError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    private mutating func readLittleEndian(count: Int) throws(ByteReaderError) -> UInt64 {
        guard count <= remaining else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += count
        return value
    }
}
