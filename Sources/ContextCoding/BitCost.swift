import ANS

/// Bit costs in fixed point (1/256 bit) for the encoder's copy parser (`CopyParser`), from integers only,
/// so the parse, and hence the bytes, are the same on every CPU (no libm).
enum BitCost {
    /// Fractional bits of a cost.
    static let shift = 8
    /// One bit.
    static let bit = 1 << shift

    /// ⌊256 · log2 x⌋ for x ≥ 1, by repeated squaring of the normalized mantissa (exact integer steps).
    static func log2(_ x: Int) -> Int {
        precondition(x >= 1)
        let e = Int.bitWidth - 1 - x.leadingZeroBitCount
        // Mantissa m / 2^31 in [1, 2).
        var m = e >= 31 ? UInt64(x >> (e - 31)) : UInt64(x) << UInt64(31 - e)
        var result = e << shift
        for b in stride(from: shift - 1, through: 0, by: -1) {
            m = (m * m) >> 31
            if m >= 1 << 32 {
                m >>= 1
                result |= 1 << b
            }
        }
        return result
    }

    /// The cost of a symbol of frequency f (1…2^16) out of 2^16, for every f: `ofFrequency[f]`.
    static let ofFrequency: [Int32] = (0...65536).map { $0 == 0 ? 0 : Int32(16 * bit - log2($0)) }

    /// The cost of one packed interval (`SequentialInterval.packed`).
    @inline(__always)
    static func of(packed: UInt32) -> Int32 { ofFrequency[Int(packed & 0xFFFF) + 1] }

    /// The cost of a symbol seen `count` times out of `total` over `alphabet` symbols, with add-½ smoothing.
    static func estimate(count: Int, total: Int, alphabet: Int) -> Int {
        log2(2 * total + alphabet) - log2(2 * count + 1)
    }
}
