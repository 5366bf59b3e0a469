/// A family of adaptive categorical distributions, one per context, over `alphabet` symbols, with exact
/// integer frequencies summing to 2^16 on both sides of the coder.
///
/// Per context it stores a cumulative table C_0 = 0 ≤ C_1 ≤ … ≤ C_A = 2^16 − A (A the alphabet size);
/// symbol s has the interval [C_s + s, C_{s+1} + s + 1), so every symbol has a frequency ≥ 1 and the
/// frequencies sum to exactly 2^16. After coding s the table moves towards s by a rate r (the update of
/// AV1's adaptive CDFs): C_i ← C_i − ⌊C_i / 2^r⌋ for 1 ≤ i ≤ s, C_i ← C_i + ⌊(2^16 − A − C_i) / 2^r⌋ for
/// s < i < A, which keeps the table monotone. r grows with the number of symbols the context has seen
/// (4 below 16, 5 below 64, 6 below 256, then 7; with `slowsDown`, 7 below 1023 and then 8): fast
/// learning first, stable estimates later.
/// Integer arithmetic only, so encoder and decoder agree bit for bit. Initial tables are uniform.
struct AdaptiveDistributions {
    /// Symbols per context (2…256).
    let alphabet: Int
    /// Table entries per context: `alphabet + 1`.
    private let stride: Int
    private var cumulative: [UInt32]
    private var seen: [UInt16]
    /// Whether the rate reaches 8 (after 1023 symbols): payload version 2's weighted model.
    private let slowsDown: Bool

    init(contexts: Int, alphabet: Int, slowsDown: Bool = false) {
        self.alphabet = alphabet
        self.slowsDown = slowsDown
        stride = alphabet + 1
        let total = UInt32(65536 - alphabet)
        var table = [UInt32](repeating: 0, count: stride)
        for i in 0...alphabet { table[i] = UInt32(Int(total) * i / alphabet) }
        cumulative = []
        cumulative.reserveCapacity(contexts * stride)
        for _ in 0..<contexts { cumulative.append(contentsOf: table) }
        seen = [UInt16](repeating: 0, count: contexts)
    }

    /// The packed interval (`SequentialInterval.packed`) of `symbol` in `context`.
    @inline(__always)
    func interval(of symbol: Int, in context: Int) -> (start: UInt32, frequency: UInt32) {
        cumulative.withUnsafeBufferPointer { table in
            let base = context &* stride
            let low = table[base &+ symbol], high = table[base &+ symbol &+ 1]
            return (low &+ UInt32(symbol), high &- low &+ 1)
        }
    }

    /// The packed interval of `symbol` under the mixture of `self` in `context` and `other` in
    /// `otherContext` (same alphabet): the cumulative table M_s = ⌊(C_s + C'_s) / 2⌋ + s, which sums to 2^16
    /// and gives every symbol a frequency ≥ 1.
    @inline(__always)
    func interval(of symbol: Int, in context: Int, mixedWith other: AdaptiveDistributions, in otherContext: Int)
        -> (start: UInt32, frequency: UInt32)
    {
        let low = mixedStart(symbol, context, other, otherContext), high = mixedStart(symbol &+ 1, context, other, otherContext)
        return (low, high &- low)
    }

    @inline(__always)
    private func mixedStart(_ s: Int, _ context: Int, _ other: AdaptiveDistributions, _ otherContext: Int) -> UInt32 {
        let a = cumulative.withUnsafeBufferPointer { $0[context &* stride &+ s] }
        let b = other.cumulative.withUnsafeBufferPointer { $0[otherContext &* stride &+ s] }
        return ((a &+ b) &>> 1) &+ UInt32(s)
    }

    /// The symbol whose mixed interval (`interval(of:in:mixedWith:in:)`) contains `slot`, and that interval.
    @inline(__always)
    func symbol(at slot: UInt32, in context: Int, mixedWith other: AdaptiveDistributions, in otherContext: Int)
        -> (symbol: Int, start: UInt32, frequency: UInt32)
    {
        var lo = 0, hi = alphabet
        while hi &- lo > 1 {
            let mid = (lo &+ hi) &>> 1
            if mixedStart(mid, context, other, otherContext) <= slot { lo = mid } else { hi = mid }
        }
        let (start, frequency) = interval(of: lo, in: context, mixedWith: other, in: otherContext)
        return (lo, start, frequency)
    }

    /// The symbol of `context` whose interval contains `slot` (< 2^16), and that interval.
    @inline(__always)
    func symbol(at slot: UInt32, in context: Int) -> (symbol: Int, start: UInt32, frequency: UInt32) {
        cumulative.withUnsafeBufferPointer { table in
            let base = context &* stride
            // Largest s with C_s + s ≤ slot: binary search over the monotone starts.
            var lo = 0, hi = alphabet
            while hi &- lo > 1 {
                let mid = (lo &+ hi) &>> 1
                if table[base &+ mid] &+ UInt32(mid) <= slot { lo = mid } else { hi = mid }
            }
            let low = table[base &+ lo], high = table[base &+ lo &+ 1]
            return (lo, low &+ UInt32(lo), high &- low &+ 1)
        }
    }

    /// Moves `context`'s distribution towards `symbol`.
    @inline(__always)
    mutating func update(_ context: Int, with symbol: Int) {
        let count = seen[context]
        let rate: UInt32 = count < 16 ? 4 : count < 64 ? 5 : count < 256 ? 6 : count < 1023 || !slowsDown ? 7 : 8
        if count < (slowsDown ? 1023 : 256) { seen[context] = count &+ 1 }
        let total = UInt32(65536 &- alphabet)
        let base = context &* stride
        let alphabet = self.alphabet
        cumulative.withUnsafeMutableBufferPointer { table in
            let row = table.baseAddress! + base
            var i = 1
            while i <= symbol { row[i] &-= row[i] &>> rate; i &+= 1 }
            while i < alphabet { row[i] &+= (total &- row[i]) &>> rate; i &+= 1 }
        }
    }
}
