/// A categorical distribution over symbols `0..<frequencies.count` with integer frequencies summing to
/// exactly `2^precision`. Symbols with frequency 0 cannot be pushed and are never popped.
///
/// Decoding uses a slot → symbol lookup table when `precision ≤ 16` (one load per symbol), otherwise a
/// binary search over the cumulative frequencies.
public struct CategoricalDistribution: Equatable {
    /// Bits of the frequency total (`2^precision`), 1…32 (lookup-table decoding needs ≤ 16).
    public let precision: Int
    /// Frequency of each symbol; they sum to `2^precision`.
    public let frequencies: [UInt32]
    /// `cumulative[s]` = Σ_{t<s} frequencies[t]; `cumulative.count == frequencies.count + 1`.
    public let cumulative: [UInt64]
    /// slot → symbol for `precision ≤ 16`; empty otherwise.
    @usableFromInline let slotToSymbol: [UInt16]

    /// Number of symbols in the alphabet.
    public var symbolCount: Int { frequencies.count }

    /// Builds a distribution from exact integer frequencies. Throws if they do not sum to `2^precision`,
    /// if `precision` is outside 1…32, or if there are no symbols or more than 2^24.
    public init(frequencies: [UInt32], precision: Int) throws {
        guard (1...Message.maxPrecision).contains(precision) else {
            throw ANSError.invalidParameter("precision \(precision) not in 1...\(Message.maxPrecision)")
        }
        guard !frequencies.isEmpty, frequencies.count <= 1 << 24 else {
            throw ANSError.invalidParameter("symbol count \(frequencies.count) not in 1...2^24")
        }
        var cum = [UInt64](repeating: 0, count: frequencies.count + 1)
        for (s, f) in frequencies.enumerated() { cum[s + 1] = cum[s] + UInt64(f) }
        guard cum[frequencies.count] == UInt64(1) << UInt64(precision) else {
            throw ANSError.invalidParameter("frequencies sum to \(cum[frequencies.count]), not 2^\(precision)")
        }
        self.precision = precision
        self.frequencies = frequencies
        self.cumulative = cum
        if precision <= 16 && frequencies.count <= 1 << 16 {
            var table = [UInt16](repeating: 0, count: 1 << precision)
            for (s, f) in frequencies.enumerated() where f > 0 {
                for slot in Int(cum[s])..<Int(cum[s + 1]) { table[slot] = UInt16(s) }
            }
            slotToSymbol = table
        } else {
            slotToSymbol = []
        }
    }

    /// The symbol whose interval contains `slot` (binary search; the table path is inlined in the loops).
    @inlinable @inline(__always)
    static func searchSymbol(_ cumulative: UnsafePointer<UInt64>, count: Int, slot: UInt32) -> Int {
        var lo = 0, hi = count  // invariant: cumulative[lo] ≤ slot < cumulative[hi]
        let s = UInt64(slot)
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= s { lo = mid } else { hi = mid }
        }
        return lo
    }
}

extension Message {
    /// Pushes `symbols`, all under the same `distribution`; symbol `i` on lane `i % laneCount`, order
    /// `i = 0…n−1`. Throws `unencodableSymbol` (and pushes nothing) if a symbol is outside the alphabet or
    /// has frequency 0.
    public mutating func push(_ symbols: UnsafeBufferPointer<Int32>, with distribution: CategoricalDistribution) throws {
        let k = distribution.symbolCount
        try distribution.frequencies.withUnsafeBufferPointer { freq in
            for i in 0..<symbols.count {
                let s = Int(symbols[i])
                if s < 0 || s >= k || freq[s] == 0 { throw ANSError.unencodableSymbol(index: i, value: s) }
            }
        }
        let n = symbols.count, precision = distribution.precision
        distribution.frequencies.withUnsafeBufferPointer { freq in
            distribution.cumulative.withUnsafeBufferPointer { cum in
                withCoder(reservingWords: n) { coder in
                    var lane = 0
                    for i in 0..<n {
                        let s = Int(symbols[i])
                        coder.encode(
                            &coder.heads[lane], start: UInt32(truncatingIfNeeded: cum[s]), frequency: freq[s],
                            precision: precision)
                        lane += 1
                        if lane == coder.laneCount { lane = 0 }
                    }
                }
            }
        }
    }

    /// Pops `output.count` symbols under `distribution` (inverse of `push(_:with:)`), order `i = n−1…0`.
    public mutating func pop(into output: UnsafeMutableBufferPointer<Int32>, with distribution: CategoricalDistribution) {
        let n = output.count
        if n == 0 { return }
        let precision = distribution.precision, k = distribution.symbolCount
        distribution.frequencies.withUnsafeBufferPointer { freq in
            distribution.cumulative.withUnsafeBufferPointer { cum in
                distribution.slotToSymbol.withUnsafeBufferPointer { table in
                    withCoder(reservingWords: 0) { coder in
                        var lane = (n - 1) % coder.laneCount
                        let useTable = !table.isEmpty
                        for i in stride(from: n - 1, through: 0, by: -1) {
                            let slot = LaneCoder.slot(coder.heads[lane], precision: precision)
                            let s =
                                useTable
                                ? Int(table[Int(slot)])
                                : CategoricalDistribution.searchSymbol(cum.baseAddress!, count: k, slot: slot)
                            coder.decodeAdvance(
                                &coder.heads[lane], slot: slot, start: UInt32(truncatingIfNeeded: cum[s]),
                                frequency: freq[s], precision: precision)
                            output[i] = Int32(s)
                            lane = lane == 0 ? coder.laneCount - 1 : lane - 1
                        }
                    }
                }
            }
        }
    }

    /// Array convenience for `push(_:with:)`.
    public mutating func push(_ symbols: [Int32], with distribution: CategoricalDistribution) throws {
        try symbols.withUnsafeBufferPointer { try push($0, with: distribution) }
    }

    /// Array convenience for `pop(into:with:)`.
    public mutating func pop(count: Int, with distribution: CategoricalDistribution) throws -> [Int32] {
        guard count >= 0 else { throw ANSError.invalidParameter("count \(count) < 0") }
        var out = [Int32](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { pop(into: $0, with: distribution) }
        return out
    }
}
