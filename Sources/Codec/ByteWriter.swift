/// Appends little-endian integers and raw bytes to a growing buffer (container serialization).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: UInt8) { bytes.append(value) }
    mutating func append(_ value: UInt16) { appendLittleEndian(UInt64(value), count: 2) }
    mutating func append(_ value: UInt32) { appendLittleEndian(UInt64(value), count: 4) }
    mutating func append(_ value: UInt64) { appendLittleEndian(value, count: 8) }
    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    private mutating func appendLittleEndian(_ value: UInt64, count: Int) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
    }
}
