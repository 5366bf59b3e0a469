/// How a discretized Gaussian reads the slot of a lane's head: as it is, or through a fixed bijection of
/// the slots `[0, 2^precision)`.
///
/// ## Why (chain payload version 3)
/// Pushing a symbol with interval `[start, start + f)` leaves the slot `start + (head mod f)` in the head's
/// low bits, and the next pop on that lane reads exactly that slot. In the bits-back chain the next pop is
/// the sample z ~ q of the following step, so its quantile under q is the (randomized) quantile of the value
/// just pushed under p. Where p is well calibrated that quantile is uniform and q's samples are true
/// samples; where it is not (few diffusion steps: each reverse step must predict a long way), the quantiles
/// pile up in the tails, q's samples go into the tails too, and the coded size drifts far above the ELBO.
/// Measured on 50 cifar-500 images with the default model (`vdmz-bench chain --steps T`), coded size over
/// the ELBO, natural → scrambled posterior slots: T = 4 +16.25 % → +0.01 %; T = 8 +1.19 % → +0.14 %;
/// T = 16 +0.09 % → +0.07 %; T = 64 +0.09 % → −0.04 % (within the coder's sampling noise).
///
/// A multiplication by an odd constant modulo 2^precision spreads neighbouring slots over the whole range,
/// so the pop's quantile no longer follows the push's. It is a bijection of the slots, so every pop still
/// succeeds on any bits and push and pop stay exact inverses (`LaneCoder.encode(_:start:frequency:precision:order:)`).
public enum SlotOrder: Equatable, Sendable {
    /// The slot is read as it is (every coder except the posteriors of chain payload ≥ 3).
    case natural
    /// The slot is read through `scrambled(_:mask:)` (the posteriors q of chain payload ≥ 3).
    case scrambled

    /// The odd multiplier of the bijection (2^64/φ, rounded to odd).
    @usableFromInline static let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// `multiplier`'s inverse modulo 2^64 (so modulo every 2^precision): `multiplier · inverse ≡ 1`.
    @usableFromInline static let inverse: UInt64 = 0xF1DE_83E1_9937_733D

    /// The slot a pop decodes, from the slot `raw` found in the head (`mask` = 2^precision − 1).
    @inlinable @inline(__always)
    public func decoded(_ raw: UInt64, mask: UInt64) -> UInt64 {
        self == .natural ? raw : (raw &* Self.multiplier) & mask
    }

    /// The slot a push leaves in the head so that a pop decodes `slot` (the inverse of `decoded`).
    @inlinable @inline(__always)
    public func stored(_ slot: UInt64, mask: UInt64) -> UInt64 {
        self == .natural ? slot : (slot &* Self.inverse) & mask
    }
}
