/// SplitMix64 (Steele, Lea & Flood 2014): a 64-bit integer mixer and the counter-based generator built on
/// it. Every seeded stream of the project comes from here (initial bits, Monte-Carlo noise, test and
/// benchmark inputs), so that the same seed gives the same numbers on every machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The golden-ratio increment γ = ⌊2⁶⁴/φ⌋, odd.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The finalizer: a bijection of UInt64 whose output bits each depend on every input bit.
    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The next value: the state advances by `increment` and is mixed.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The low byte of `next()`.
    public mutating func nextByte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
