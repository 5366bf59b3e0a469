/// Reads little-endian integers and byte runs from a buffer; every read is checked against the bytes
/// that remain and throws `ContainerError.truncated` instead of reading past the end.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func readUInt8() throws -> UInt8 { UInt8(try readLittleEndian(count: 1)) }
    mutating func readUInt16() throws -> UInt16 { UInt16(try readLittleEndian(count: 2)) }
    mutating func readUInt32() throws -> UInt32 { UInt32(try readLittleEndian(count: 4)) }
    mutating func readUInt64() throws -> UInt64 { try readLittleEndian(count: 8) }

    /// Reads a LEB128 value (the format of `ByteWriter.appendVarint`): at most 10 bytes, bits beyond 64 dropped.
    /// - Throws: `ContainerError.truncated` at the end of the bytes, `.invalidField` after 10 bytes.
    mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let byte = try readUInt8()
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw ContainerError.invalidField("varint longer than 10 bytes")
    }

    /// Reads a varint that must not exceed `limit` (≥ 0), as an `Int`.
    /// - Throws: `ContainerError.truncated`, or `.invalidField` naming `field` for a larger value.
    mutating func readVarint(atMost limit: Int, _ field: String) throws -> Int {
        let value = try readVarint()
        guard value <= UInt64(max(0, limit)) else { throw ContainerError.invalidField("\(field) \(value) above \(limit)") }
        return Int(value)
    }

    /// Reads `count` bytes; `count` is checked against the remaining bytes before anything is allocated.
    mutating func readBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, count <= remaining else { throw ContainerError.truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    private mutating func readLittleEndian(count: Int) throws -> UInt64 {
        guard count <= remaining else { throw ContainerError.truncated }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += count
        return value
    }
}
