/// A deterministic, seeded mutator of byte strings for the fuzzing harness: bit flips, interesting
/// bytes, 32-bit values (format 1's lengths and counts are u32) and LEB128 varints (format 2's),
/// truncation, extension, deletion and duplication of ranges, and splices with another input. The same
/// seed gives the same mutants on every machine.
public struct ByteMutator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    /// A uniformly drawn integer in `0..<bound` (`bound` ≥ 1).
    public mutating func next(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(truncatingIfNeeded: (state >> 1) % UInt64(max(1, bound)))
    }

    static let interestingBytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFE, 0xFF]
    static let interestingWords: [UInt32] = [
        0, 1, 2, 0x7F, 0xFF, 0x100, 0xFFFF, 0x1_0000, 0x1000, 0x1001,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ]

    /// `input` with one to four mutations; `other` is the material for splices.
    public mutating func mutate(_ input: [UInt8], splicingWith other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...next(4) { mutateOnce(&bytes, other: other) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: inout [UInt8], other: [UInt8]) {
        let count = bytes.count
        switch next(10) {
        case 0 where count > 0:
            bytes[next(count)] ^= UInt8(1 << next(8))
        case 1 where count > 0:
            bytes[next(count)] = Self.interestingBytes[next(Self.interestingBytes.count)]
        case 2 where count >= 4:
            let at = next(count - 3)
            var word = Self.interestingWords[next(Self.interestingWords.count)]
            if next(2) == 0 { word = word.byteSwapped }
            for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: word >> UInt32(8 * k)) }
        case 3 where count > 0:
            bytes.removeLast(1 + next(min(count, 64)))
        case 4:
            for _ in 0...next(16) { bytes.append(UInt8(truncatingIfNeeded: next(256))) }
        case 5 where count > 1:
            let start = next(count)
            bytes.removeSubrange(start..<min(count, start + 1 + next(16)))
        case 6 where count > 1:
            let start = next(count)
            let piece = bytes[start..<min(count, start + 1 + next(16))]
            bytes.insert(contentsOf: piece, at: next(count))
        case 7 where !other.isEmpty && count > 0:
            let start = next(other.count)
            let piece = other[start..<min(other.count, start + 1 + next(32))]
            let at = next(count)
            bytes.replaceSubrange(at..<min(count, at + piece.count), with: piece)
        case 8 where count > 0:
            var value =
                next(3) == 0 ? UInt64.max >> UInt64(next(64)) : UInt64(Self.interestingWords[next(Self.interestingWords.count)])
            var varint: [UInt8] = []
            while value >= 0x80 { varint.append(UInt8(value & 0x7F) | 0x80); value >>= 7 }
            varint.append(UInt8(value))
            let at = next(count)
            bytes.replaceSubrange(at..<min(count, at + 1 + next(3)), with: varint)
        default:
            if count > 0 { bytes[next(count)] = UInt8(truncatingIfNeeded: next(256)) }
        }
    }
}
