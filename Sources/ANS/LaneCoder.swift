/// The rANS arithmetic on raw storage, used inside the batched push/pop loops.
///
/// State invariant: every head is in `[2^32, 2^64)`. Encoding a symbol with interval
/// `[start, start + frequency)` out of `2^precision` (1 ≤ precision ≤ 32, frequency ≥ 1):
/// if head ≥ frequency·2^(64−precision), push its low 32 bits and shift right by 32 (one step always
/// suffices); then head ← (head / frequency)·2^precision + head % frequency + start. Decoding is the exact
/// inverse: slot = head mod 2^precision; head ← frequency·(head >> precision) + slot − start; if head < 2^32,
/// pull a word. Words are pulled from the stack or, when it is empty, from the initial-bits source.
@usableFromInline
struct LaneCoder {
    @usableFromInline let heads: UnsafeMutablePointer<UInt64>
    @usableFromInline let laneCount: Int
    @usableFromInline let words: UnsafeMutablePointer<UInt32>
    @usableFromInline var top: Int
    /// The least `top` has been since this coder was made (the deepest word a pop has read is `lowest`).
    @usableFromInline var lowest: Int
    @usableFromInline var drawn: UInt64
    @usableFromInline let seed: UInt64

    @inlinable
    init(
        heads: UnsafeMutablePointer<UInt64>, laneCount: Int, words: UnsafeMutablePointer<UInt32>, top: Int,
        drawn: UInt64, seed: UInt64
    ) {
        self.heads = heads; self.laneCount = laneCount; self.words = words; self.top = top; self.lowest = top
        self.drawn = drawn; self.seed = seed
    }

    /// Pushes one word (the caller reserved room). On an empty stack, a word equal to the last word
    /// drawn from the initial-bits source is given back to it, so that the representation stays canonical.
    @inlinable @inline(__always)
    mutating func pushWord(_ w: UInt32) {
        if top == 0 && drawn > 0 && InitialBits.word(seed: seed, index: drawn - 1) == w {
            drawn -= 1
            return
        }
        words[top] = w
        top += 1
    }

    @inlinable @inline(__always)
    mutating func popWord() -> UInt32 {
        if top > 0 {
            top -= 1
            if top < lowest { lowest = top }
            return words[top]
        }
        let w = InitialBits.word(seed: seed, index: drawn)
        drawn += 1
        return w
    }

    /// Encodes the interval `[start, start + frequency)` of `2^precision` into `head`, so that a decode
    /// reading the slot in `order` (`SlotOrder.decoded`) finds it: the head keeps
    /// `order.stored(start + head mod f)` in its low `precision` bits (with `.natural`, the slot itself).
    @inlinable @inline(__always)
    mutating func encode(
        _ head: inout UInt64, start: UInt32, frequency: UInt32, precision: Int, order: SlotOrder = .natural
    ) {
        let f = UInt64(frequency)
        if f == 1 &<< UInt64(precision) { return }  // a certain symbol carries no information
        if head >= f &<< UInt64(64 - precision) {
            pushWord(UInt32(truncatingIfNeeded: head))
            head &>>= 32
        }
        let q = head / f
        let mask = (UInt64(1) &<< UInt64(precision)) &- 1
        // start + (head mod f) < start + f ≤ 2^precision, so it fits below q's bits (| is +).
        head = (q &<< UInt64(precision)) | order.stored(UInt64(start) &+ (head &- q &* f), mask: mask)
    }

    /// The slot (`head mod 2^precision`) that the next decode reads.
    @inlinable @inline(__always)
    static func slot(_ head: UInt64, precision: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: head & ((1 &<< UInt64(precision)) &- 1))
    }

    /// Completes decoding of the symbol with interval `[start, start + frequency)` containing `slot`.
    @inlinable @inline(__always)
    mutating func decodeAdvance(_ head: inout UInt64, slot: UInt32, start: UInt32, frequency: UInt32, precision: Int) {
        head = UInt64(frequency) &* (head &>> UInt64(precision)) &+ UInt64(slot &- start)
        if head < Message.stateLowerBound {
            head = (head &<< 32) | UInt64(popWord())
        }
    }
}
