/// The seeded, deterministic source of "initial bits" that lies below the bottom of every message.
///
/// Word `j` (j = 0, 1, 2, …) is a fixed function of `(seed, j)` (the SplitMix64 finalizer), so encoder
/// and decoder see the same infinite sequence. Words drawn from it are counted by the message
/// (`Message.initialWordsDrawn`): they are the bits-back "initial bits", an overhead that is reported,
/// never free.
@usableFromInline
struct InitialBits {
    @inlinable @inline(__always)
    static func word(seed: UInt64, index: UInt64) -> UInt32 {
        var z = seed &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: (z ^ (z >> 31)) >> 16)
    }
}
