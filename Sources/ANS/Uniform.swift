/// Uniform symbols over `0..<2^bits` (1 ≤ bits ≤ 32): each costs exactly `bits` bits.
extension Message {
    /// Pushes `symbols` (each `< 2^bits`), symbol `i` on lane `i % laneCount`, in order `i = 0…n−1`.
    /// Throws `unencodableSymbol` for a symbol ≥ 2^bits (nothing is pushed then).
    public mutating func pushUniform(_ symbols: UnsafeBufferPointer<UInt32>, bits: Int) throws {
        guard (1...32).contains(bits) else { throw ANSError.invalidParameter("uniform bits \(bits) not in 1...32") }
        if bits < 32 {
            for (i, s) in symbols.enumerated() where s >> UInt32(bits) != 0 {
                throw ANSError.unencodableSymbol(index: i, value: Int(s))
            }
        }
        let n = symbols.count
        withCoder(reservingWords: n) { coder in
            var lane = 0
            for i in 0..<n {
                coder.encode(&coder.heads[lane], start: symbols[i], frequency: 1, precision: bits)
                lane += 1
                if lane == coder.laneCount { lane = 0 }
            }
        }
    }

    /// Pops `output.count` uniform symbols (the inverse of `pushUniform`): symbol `i` from lane
    /// `i % laneCount`, in order `i = n−1…0`.
    public mutating func popUniform(into output: UnsafeMutableBufferPointer<UInt32>, bits: Int) throws {
        guard (1...32).contains(bits) else { throw ANSError.invalidParameter("uniform bits \(bits) not in 1...32") }
        let n = output.count
        if n == 0 { return }
        withCoder(reservingWords: 0) { coder in
            var lane = (n - 1) % coder.laneCount
            for i in stride(from: n - 1, through: 0, by: -1) {
                let slot = LaneCoder.slot(coder.heads[lane], precision: bits)
                coder.decodeAdvance(&coder.heads[lane], slot: slot, start: slot, frequency: 1, precision: bits)
                output[i] = slot
                lane = lane == 0 ? coder.laneCount - 1 : lane - 1
            }
        }
    }

    /// Array convenience for `pushUniform(_:bits:)`.
    public mutating func pushUniform(_ symbols: [UInt32], bits: Int) throws {
        try symbols.withUnsafeBufferPointer { try pushUniform($0, bits: bits) }
    }

    /// Array convenience for `popUniform(into:bits:)`.
    public mutating func popUniform(count: Int, bits: Int) throws -> [UInt32] {
        guard count >= 0 else { throw ANSError.invalidParameter("count \(count) < 0") }
        var out = [UInt32](repeating: 0, count: count)
        try out.withUnsafeMutableBufferPointer { try popUniform(into: $0, bits: bits) }
        return out
    }
}
