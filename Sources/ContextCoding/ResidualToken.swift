/// How both predictive stripe models code a residual (docs/FORMAT.md §2.4): the zigzagged residual u is
/// a token and raw low bits (`ExponentToken`; residual tokens stay below 32).
enum ResidualToken {
    static let alphabet = 32

    /// The token and raw low bits of `residual`.
    @inline(__always)
    static func split(residual: Int) -> (token: Int, extra: Int) {
        let (token, extra, _) = ExponentToken.split(residual >= 0 ? 2 * residual : -2 * residual - 1)
        return (token, extra)
    }

    /// After the token: codes its raw low bits; the decoder then stores prediction + residual at `target`.
    /// - Throws: `ContextCodingError.corruptPayload` when the decoded value leaves low…high.
    @inline(__always)
    static func finish<S: SymbolStream>(
        _ stream: inout S, token: Int, extra: inout Int, prediction: Int32, at target: UnsafeMutablePointer<Int32>,
        low: Int32, high: Int32
    ) throws {
        if token >= 16 { stream.codeRaw(&extra, bits: ExponentToken.extraBits(of: token)) }
        let u = ExponentToken.value(token: token, extra: extra)
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
