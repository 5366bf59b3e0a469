/// How both predictive stripe models code a residual (docs/FORMAT.md §2.4): the zigzagged residual u is
/// a token (u itself below 16; else 16 + 2(e − 4) + bit e − 1 of u, e = ⌊log2 u⌋) and e − 1 raw low bits.
enum ResidualToken {
    static let alphabet = 32

    /// The token and raw low bits of `residual`.
    @inline(__always)
    static func split(residual: Int) -> (token: Int, extra: Int) {
        let u = residual >= 0 ? 2 * residual : -2 * residual - 1
        if u < 16 { return (u, 0) }
        let e = Int.bitWidth - 1 - u.leadingZeroBitCount
        return (16 + 2 * (e - 4) + ((u >> (e - 1)) & 1), u & ((1 << (e - 1)) - 1))
    }

    /// After the token: codes its raw low bits; the decoder then stores prediction + residual at `target`.
    /// - Throws: `ContextCodingError.corruptPayload` when the decoded value leaves low…high.
    @inline(__always)
    static func finish<S: SymbolStream>(
        _ stream: inout S, token: Int, extra: inout Int, prediction: Int32, at target: UnsafeMutablePointer<Int32>,
        low: Int32, high: Int32
    ) throws {
        var u = token
        if token >= 16 {
            let e = 4 + (token - 16) >> 1
            stream.codeRaw(&extra, bits: e - 1)
            u = (1 << e) | (((token - 16) & 1) << (e - 1)) | extra
        }
        guard S.isDecoding else { return }
        let residual = (u & 1) == 0 ? u >> 1 : -((u + 1) >> 1)
        let value = Int(prediction) + residual
        guard value >= Int(low), value <= Int(high) else { throw ContextCodingError.corruptPayload }
        target.pointee = Int32(value)
    }
}

/// Bias cancellation (JPEG-LS, CALIC): per context the sum and count of the errors of a base prediction;
/// the correction is their quotient truncated towards zero (0 while the count is 0). Counts halve at 256.
struct BiasStatistics {
    private var sums: [Int32]
    private var counts: [Int32]

    init(contexts: Int) {
        sums = [Int32](repeating: 0, count: contexts)
        counts = [Int32](repeating: 0, count: contexts)
    }

    @inline(__always)
    func correction(_ context: Int) -> Int32 {
        let count = counts[context]
        return count == 0 ? 0 : sums[context] / count
    }

    @inline(__always)
    mutating func record(_ context: Int, error: Int32) {
        sums[context] += error
        if counts[context] == 255 {
            sums[context] /= 2
            counts[context] = 128
        } else {
            counts[context] += 1
        }
    }
}
