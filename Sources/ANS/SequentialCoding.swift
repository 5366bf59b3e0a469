/// Sequential coding for adaptive models: symbols whose distributions depend on the symbols decoded
/// before them (a context model that learns as it goes).
///
/// ANS is a stack, so the decoder pops symbols in the reverse order of the pushes. An adaptive model must
/// run forwards on both sides; the encoder therefore runs the model forwards first, records each symbol's
/// interval, and then pushes the recorded intervals last-first (`pushForSequentialPop`), so that the
/// decoder pops them first-first with one `SequentialDecoder` and updates the same statistics in the same
/// order. Symbol i of a run of n goes to lane i mod L on both sides; per lane the pushes run i = n−1…0 and
/// the pops i = 0…n−1, so a run is undone exactly and composes with every other call on the message.
///
/// An interval is packed into a `UInt32` at a fixed precision of 16 bits: start in the high 16 bits,
/// frequency − 1 in the low 16 bits (a frequency of 2^16 is a certain symbol and costs nothing).
public enum SequentialInterval {
    /// Bits of every interval's frequency total.
    public static let precision = 16

    /// The packed interval [start, start + frequency) of 2^16; requires frequency ≥ 1 and
    /// start + frequency ≤ 2^16.
    @inlinable @inline(__always)
    public static func packed(start: UInt32, frequency: UInt32) -> UInt32 {
        (start &<< 16) | (frequency &- 1)
    }

    /// The interval of `bits` (0…16) raw bits holding `value` (< 2^bits): costs exactly `bits` bits.
    @inlinable @inline(__always)
    public static func raw(_ value: UInt32, bits: Int) -> UInt32 {
        packed(start: value &<< UInt32(16 - bits), frequency: 1 &<< UInt32(16 - bits))
    }
}

extension Message {
    /// Pushes the packed intervals `intervals[0..<n]` (see `SequentialInterval`) so that a
    /// `SequentialDecoder` pops interval 0 first: interval i on lane i mod L, pushed for i = n−1…0.
    public mutating func pushForSequentialPop(_ intervals: UnsafeBufferPointer<UInt32>) {
        let n = intervals.count
        if n == 0 { return }
        withCoder(reservingWords: n) { coder in
            var lane = (n - 1) % coder.laneCount
            for i in stride(from: n - 1, through: 0, by: -1) {
                let packed = intervals[i]
                coder.encode(
                    &coder.heads[lane], start: packed &>> 16, frequency: (packed & 0xFFFF) &+ 1,
                    precision: SequentialInterval.precision)
                lane = lane == 0 ? coder.laneCount - 1 : lane - 1
            }
        }
    }

    /// Array convenience for `pushForSequentialPop(_:)`.
    public mutating func pushForSequentialPop(_ intervals: [UInt32]) {
        intervals.withUnsafeBufferPointer { pushForSequentialPop($0) }
    }

    /// Runs `body` with a decoder that pops a run of sequentially pushed symbols, first symbol first.
    /// The decoder is valid only inside `body`.
    public mutating func withSequentialDecoder<R>(_ body: (inout SequentialDecoder) throws -> R) rethrows -> R {
        try withCoder(reservingWords: 0) { coder in
            var decoder = SequentialDecoder(coder: coder)
            defer { coder = decoder.coder }
            return try body(&decoder)
        }
    }
}

/// Pops symbols pushed by `Message.pushForSequentialPop`, one at a time, in the order the encoder's
/// model produced them: read the `slot` (an integer in 0..<2^16), find the symbol whose interval holds it,
/// then `consume` that interval. Every slot belongs to some symbol of a complete distribution, so popping
/// works on arbitrary bits.
public struct SequentialDecoder {
    @usableFromInline var coder: LaneCoder
    @usableFromInline var lane: Int = 0

    @usableFromInline init(coder: LaneCoder) { self.coder = coder }

    /// The slot (0..<2^16) that the next symbol's interval must contain.
    @inlinable @inline(__always)
    public func slot() -> UInt32 {
        LaneCoder.slot(coder.heads[lane], precision: SequentialInterval.precision)
    }

    /// Completes the pop of the symbol with interval [start, start + frequency) ∋ `slot()`.
    @inlinable @inline(__always)
    public mutating func consume(start: UInt32, frequency: UInt32) {
        let s = slot()
        coder.decodeAdvance(
            &coder.heads[lane], slot: s, start: start, frequency: frequency,
            precision: SequentialInterval.precision)
        lane += 1
        if lane == coder.laneCount { lane = 0 }
    }

    /// Pops `bits` (0…16) raw bits.
    @inlinable @inline(__always)
    public mutating func popRaw(bits: Int) -> UInt32 {
        let shift = UInt32(16 - bits)
        let value = slot() &>> shift
        consume(start: value &<< shift, frequency: 1 &<< shift)
        return value
    }
}
