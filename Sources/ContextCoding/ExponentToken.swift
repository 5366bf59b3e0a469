/// The token rule shared by residuals (`ResidualToken`) and the copy layer's lengths and offsets
/// (`CopyCoder`), docs/FORMAT.md §2.4: a value u ≥ 0 is its own token below 16; otherwise, with
/// e = ⌊log2 u⌋, the token is 16 + 2(e − 4) + (bit e − 1 of u), followed by the e − 1 low bits of u.
enum ExponentToken {
    /// The token and raw low bits (`extra`, `bits` of them) of `u` ≥ 0.
    @inline(__always)
    static func split(_ u: Int) -> (token: Int, extra: Int, bits: Int) {
        if u < 16 { return (u, 0, 0) }
        let e = Int.bitWidth - 1 - u.leadingZeroBitCount
        return (16 + 2 * (e - 4) + ((u >> (e - 1)) & 1), u & ((1 << (e - 1)) - 1), e - 1)
    }

    /// Raw low bits that follow `token`.
    @inline(__always)
    static func extraBits(of token: Int) -> Int { token < 16 ? 0 : 3 + (token - 16) >> 1 }

    /// The value of `token` with its raw low bits `extra`.
    @inline(__always)
    static func value(token: Int, extra: Int) -> Int {
        if token < 16 { return token }
        let e = 4 + (token - 16) >> 1
        return (1 << e) | (((token - 16) & 1) << (e - 1)) | extra
    }
}
