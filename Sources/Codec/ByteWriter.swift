/// Appends little-endian integers and raw bytes to a growing buffer (container serialization).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: UInt8) { bytes.append(value) }
    mutating func append(_ value: UInt16) { appendLittleEndian(UInt64(value), count: 2) }
    mutating func append(_ value: UInt32) { appendLittleEndian(UInt64(value), count: 4) }
    mutating func append(_ value: UInt64) { appendLittleEndian(value, count: 8) }
    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    /// LEB128: 7 bits per byte, low first, high bit set on all but the last byte.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    private mutating func appendLittleEndian(_ value: UInt64, count: Int) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
    }
}
