import ExactMath

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
        UInt32(truncatingIfNeeded: SplitMix64.mix(seed &+ (index &+ 1) &* SplitMix64.increment) >> 16)
    }
}
