/// Appends little-endian integers, LEB128 varints and raw bytes to a growing buffer: the one writer of
/// every byte format in the project (container, chain payload, serialized ANS message).
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Makes room for `capacity` bytes in all, so that appending up to there does not reallocate.
    public mutating func reserveCapacity(_ capacity: Int) { bytes.reserveCapacity(capacity) }

    public mutating func append(_ value: UInt8) { bytes.append(value) }
    public mutating func append(_ value: UInt16) { appendLittleEndian(UInt64(value), count: 2) }
    public mutating func append(_ value: UInt32) { appendLittleEndian(UInt64(value), count: 4) }
    public mutating func append(_ value: UInt64) { appendLittleEndian(value, count: 8) }
    public mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    /// LEB128: 7 bits per byte, low first, high bit set on all but the last byte.
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    /// Bytes `appendVarint(value)` appends.
    public static func varintSize(_ value: UInt64) -> Int {
        var v = value, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    private mutating func appendLittleEndian(_ value: UInt64, count: Int) {
        for shift in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(shift)))) }
    }
}
