import Bytes
/// Serialization of a `Message` to bytes and back.
///
/// Format (version 1, little-endian):
///
///     u8      version (= 1)
///     varint  laneCount (1…4096)
///     varint  seed
///     varint  initialWordsDrawn
///     varint  wordCount
///     u64 × laneCount   heads (each ≥ 2^32)
///     u32 × wordCount   stack words, bottom first
///     u32     CRC-32 of all preceding bytes
///
/// `serializedByteCount` equals `serialized().count` exactly and is O(1). Decoding validates every
/// field and the checksum and throws `ANSError` (never traps) on truncated or corrupt input.
extension Message {
    public static let formatVersion: UInt8 = 1

    static func varintSize(_ v: UInt64) -> Int {
        var v = v, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }

    /// Exact size in bytes of `serialized()`.
    public var serializedByteCount: Int {
        1 + Self.varintSize(UInt64(laneCount)) + Self.varintSize(seed) + Self.varintSize(initialWordsDrawn)
            + Self.varintSize(UInt64(wordCount)) + 8 * laneCount + 4 * wordCount + 4
    }

    /// Exact size in bits of `serialized()` (8 × `serializedByteCount`).
    public var serializedBitCount: Int { 8 * serializedByteCount }

    /// The message as bytes (see the format above).
    public func serialized() -> [UInt8] {
        var out = [UInt8]()
        serialize(appendingTo: &out)
        return out
    }

    /// Appends `serialized()` to `out`, growing it once (a payload's header and its message in one
    /// buffer, without a second copy of a large message).
    public func serialize(appendingTo out: inout [UInt8]) {
        let start = out.count
        out.reserveCapacity(start + serializedByteCount)
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        out.append(Self.formatVersion)
        varint(UInt64(laneCount)); varint(seed); varint(initialWordsDrawn); varint(UInt64(wordCount))
        for h in heads { for s in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: h >> UInt64(s))) } }
        for w in words[0..<wordCount] { for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: w >> UInt32(s))) } }
        let crc = out.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[start...])) }
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(s))) }
    }

    /// Reads a message written by `serialized()`. Throws `ANSError.truncated` or `.corrupt`.
    /// - Parameter verifyingChecksum: false only to fuzz what lies behind the CRC (every other check stays).
    public init(serialized bytes: [UInt8], verifyingChecksum: Bool = true) throws {
        var pos = 0
        func need(_ n: Int) throws {
            if bytes.count - pos < n { throw ANSError.truncated(needed: pos + n, available: bytes.count) }
        }
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                try need(1)
                let b = bytes[pos]; pos += 1
                if shift == 63 && b > 1 { throw ANSError.corrupt("varint overflow") }
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
                if shift > 63 { throw ANSError.corrupt("varint too long") }
            }
        }
        try need(1)
        let version = bytes[0]; pos = 1
        guard version == Self.formatVersion else { throw ANSError.corrupt("unsupported format version \(version)") }
        let lanes = try varint()
        guard (1...4096).contains(lanes) else { throw ANSError.corrupt("lane count \(lanes) not in 1...4096") }
        let seed = try varint()
        let drawn = try varint()
        let count = try varint()
        guard count <= UInt64(bytes.count) / 4 else { throw ANSError.truncated(needed: Int(clamping: Swift.min(count, UInt64(Int.max / 8))) * 4, available: bytes.count) }
        let laneCount = Int(lanes), wordCount = Int(count)
        try need(8 * laneCount + 4 * wordCount + 4)
        var heads = [UInt64](repeating: 0, count: laneCount)
        for l in 0..<laneCount {
            var h: UInt64 = 0
            for j in 0..<8 { h |= UInt64(bytes[pos + j]) << UInt64(8 * j) }
            pos += 8
            guard h >= Message.stateLowerBound else { throw ANSError.corrupt("lane \(l) state below 2^32") }
            heads[l] = h
        }
        var words = [UInt32](repeating: 0, count: wordCount)
        for i in 0..<wordCount {
            words[i] = UInt32(bytes[pos]) | UInt32(bytes[pos + 1]) << 8 | UInt32(bytes[pos + 2]) << 16 | UInt32(bytes[pos + 3]) << 24
            pos += 4
        }
        let stored = UInt32(bytes[pos]) | UInt32(bytes[pos + 1]) << 8 | UInt32(bytes[pos + 2]) << 16 | UInt32(bytes[pos + 3]) << 24
        let computed = bytes.withUnsafeBufferPointer { CRC32.checksum(UnsafeBufferPointer(rebasing: $0[0..<pos])) }
        guard stored == computed || !verifyingChecksum else { throw ANSError.corrupt("checksum mismatch") }
        pos += 4
        guard pos == bytes.count else { throw ANSError.corrupt("\(bytes.count - pos) trailing bytes") }
        self.init(laneCount: laneCount, seed: seed, heads: heads, words: words, initialWordsDrawn: drawn)
    }
}
