/// A rANS message used as a stack (the "message" of BB-ANS / craystack): `push` encodes symbols onto
/// it, `pop` decodes symbols from it — i.e. *samples* them from the given distribution using the bits on
/// top of the stack. Pop works on any bits.
///
/// ## Structure
/// - `laneCount` interleaved rANS states ("heads"), each a 64-bit integer in `[2^32, 2^64)`;
///   renormalization moves 32-bit words between a head and the shared word stack.
/// - Below the word stack lies an infinite seeded sequence of words (`InitialBits`). Popping past the
///   bottom draws from it; `initialWordsDrawn` counts the words drawn (and not given back), and
///   `initialBitsDrawn` = 32 × that is the bits-back initial-bits overhead. A fresh message draws its
///   heads from this source too (2 words per lane), so the first pops are genuine samples.
///
/// ## Lanes and order (how batched calls compose)
/// A call that codes `n` symbols assigns symbol `i` to lane `i % laneCount`. `push` processes
/// `i = 0, 1, …, n−1`; `pop` processes `i = n−1, …, 0`. Hence, for the same distributions,
/// `pop` after `push` returns the pushed symbols and restores the message exactly (`==`), and `push`
/// after `pop` restores the message exactly, whatever `n` is and whatever came before. Calls of different
/// sizes and kinds can be freely mixed as long as they are undone in reverse order.
///
/// ## Size
/// `serializedByteCount` is exact and O(1): it equals `serialized().count`.
/// The heads cost 8 bytes per lane, so pick a small `laneCount` for small messages. Measured
/// (`vdmz-bench ans`): 1 lane ≈ 40 % of the multi-lane speed; 16 lanes reach the plateau (the default).
///
/// ## Streams
/// A message may hold several independent *streams* (`init(laneCount:seed:streamCount:)`), each a
/// message of its own with `laneCount` lanes, its own word stack and its own initial-bits source. The
/// batched Gaussian and softmax calls give element i to stream i mod G (`MessageStreams.swift`) and code
/// the streams at once on several threads: with one word stack the rANS steps must run in element order
/// on one thread, with G streams G threads run them. Every other call codes on stream 0. One stream is
/// exactly the single message.
///
/// `Message` is a value type (copy-on-write arrays); two messages are `==` when they represent the same
/// infinite stack and the same counters, stream by stream.
public struct Message: Equatable {
    /// Number of interleaved rANS states.
    public let laneCount: Int
    /// Seed of the initial-bits source below the bottom of the stack.
    public let seed: UInt64
    @usableFromInline var heads: [UInt64]
    /// Word stack storage; only `words[0..<wordCount]` is live (the rest is spare capacity).
    @usableFromInline var words: [UInt32]
    /// Number of live words on the stack (above the initial-bits source).
    public internal(set) var wordCount: Int
    /// Number of 32-bit words drawn from the initial-bits source (net of words given back).
    public internal(set) var initialWordsDrawn: UInt64
    /// Most words the initial-bits source may hold drawn (`initialWordsDrawn`) before `isOverdrawn` is
    /// set; `UInt64.max` (no bound) unless set. A decoder sets it to what the encoder recorded: decoding
    /// replays the encoder's states in reverse, so a decoder that must draw beyond that is reading
    /// damaged or hostile data (docs/DESIGN.md §6). Checked once per batch of symbols, not per symbol.
    public var initialWordsLimit: UInt64 = .max
    /// Whether some batch of this stream ended with more initial words drawn than `initialWordsLimit`.
    @usableFromInline var overdrawn = false
    /// The least `wordCount` of stream 0 since it was made or since `resetLowestWordCount()`: no pop has
    /// read a stack word below this index since then. Not part of `==`.
    public internal(set) var lowestWordCount = 0
    /// Streams 1…G−1 (`MessageStreams.swift`); empty for a message of one stream. This value's own
    /// lanes and words are stream 0.
    @usableFromInline var streams: [Message] = []

    /// Whether some batch ended with more initial words drawn than `initialWordsLimit` (in any stream).
    /// Not part of `==`.
    public var isOverdrawn: Bool { overdrawn || streams.contains { $0.isOverdrawn } }

    /// Lower bound of a head: states live in `[stateLowerBound, 2^64)`.
    public static let stateLowerBound: UInt64 = 1 << 32
    /// Largest supported precision (bits of the frequency total).
    public static let maxPrecision = 32

    /// A fresh message with `laneCount` lanes (1…4096) whose heads are drawn from the initial-bits
    /// source with the given `seed` (2 words per lane, counted in `initialWordsDrawn`).
    public init(laneCount: Int = 16, seed: UInt64 = 0) throws {
        guard (1...4096).contains(laneCount) else {
            throw ANSError.invalidParameter("laneCount \(laneCount) not in 1...4096")
        }
        self.laneCount = laneCount
        self.seed = seed
        self.words = []
        self.wordCount = 0
        var drawn: UInt64 = 0
        var heads = [UInt64](repeating: 0, count: laneCount)
        for lane in 0..<laneCount {
            let high = InitialBits.word(seed: seed, index: drawn) | 1  // ≥ 1 so that the head is ≥ 2^32
            let low = InitialBits.word(seed: seed, index: drawn + 1)
            drawn += 2
            heads[lane] = UInt64(high) << 32 | UInt64(low)
        }
        self.heads = heads
        self.initialWordsDrawn = drawn
    }

    /// A message that starts on `loan` (words lent by another chain's stack, bottom first: docs/DESIGN.md,
    /// "Chains that borrow their start") instead of the initial-bits source: lane l's head is
    /// 2^32 + the loan's word l from the top (so that it can be given back exactly), the stack holds the
    /// rest of the loan above the initial-bits source, and nothing is drawn.
    /// - Throws: `ANSError.invalidParameter` for a loan of fewer words than lanes, or a bad lane count.
    public init(laneCount: Int, seed: UInt64, borrowing loan: [UInt32]) throws {
        try self.init(laneCount: laneCount, seed: seed)
        guard loan.count >= laneCount else {
            throw ANSError.invalidParameter("a loan of \(loan.count) words for \(laneCount) lanes")
        }
        for lane in 0..<laneCount { heads[lane] = Message.stateLowerBound | UInt64(loan[loan.count - 1 - lane]) }
        words = Array(loan[..<(loan.count - laneCount)])
        wordCount = words.count
        lowestWordCount = wordCount
        initialWordsDrawn = 0
    }

    /// The loan this message would have started from (`init(laneCount:seed:borrowing:)`), read back from
    /// its heads and stack: nil unless every head is below 2^33 and nothing is drawn. A decoder that has
    /// popped a borrowing chain to its end compares the message with the one this loan makes.
    public var loanItStartedFrom: [UInt32]? {
        guard streams.isEmpty, initialWordsDrawn == 0, heads.allSatisfy({ $0 >> 33 == 0 }) else { return nil }
        return Array(stackWords) + heads.reversed().map { UInt32(truncatingIfNeeded: $0) }
    }

    /// The live stack words, bottom first (stream 0).
    public var stackWords: ArraySlice<UInt32> { words[0..<wordCount] }

    /// Replaces the stack words `index ..< index + newWords.count` (stream 0), which no pop may have read
    /// yet (all below `lowestWordCount`): words a chain lent, put back into the lender's message while
    /// it is being decoded (docs/DESIGN.md, "Chains that borrow their start").
    /// - Throws: `ANSError.invalidParameter` for words beyond that.
    public mutating func replaceStackWords(at index: Int, with newWords: [UInt32]) throws {
        guard index >= 0, newWords.count <= lowestWordCount - index else {
            throw ANSError.invalidParameter("stack words \(index)..<\(index + newWords.count) have been read")
        }
        words.replaceSubrange(index..<index + newWords.count, with: newWords)
    }

    /// Starts `lowestWordCount` afresh at the current `wordCount`.
    public mutating func resetLowestWordCount() { lowestWordCount = wordCount }

    /// Internal memberwise initializer used by deserialization.
    init(laneCount: Int, seed: UInt64, heads: [UInt64], words: [UInt32], initialWordsDrawn: UInt64) {
        self.laneCount = laneCount
        self.seed = seed
        self.heads = heads
        self.words = words
        self.wordCount = words.count
        self.initialWordsDrawn = initialWordsDrawn
        self.lowestWordCount = words.count
    }

    /// Bits drawn from the initial-bits sources of all streams (32 × their `initialWordsDrawn`): the
    /// bits-back initial-bits overhead, including the 64 bits per lane of the fresh heads.
    public var initialBitsDrawn: Int { streams.reduce(Int(initialWordsDrawn) * 32) { $0 + $1.initialBitsDrawn } }

    /// Information content held by the message, in bits: 32 per stack word, plus log2(head) − 32 per
    /// lane, minus the initial bits drawn. Differences of this quantity between two points of a coding
    /// run measure the net cost of what was coded in between (to a fraction of a bit).
    public var contentBits: Double {
        var bits = 32.0 * Double(wordCount) - 32.0 * Double(initialWordsDrawn)
        for h in heads { bits += log2(h) - 32 }
        for stream in streams { bits += stream.contentBits }
        return bits
    }

    /// log2 of a head (deterministic, via ExactMath; for reporting only).
    private func log2(_ x: UInt64) -> Double { ExactMathLog2.log2(Double(x)) }

    public static func == (a: Message, b: Message) -> Bool {
        a.laneCount == b.laneCount && a.seed == b.seed && a.heads == b.heads && a.wordCount == b.wordCount
            && a.initialWordsDrawn == b.initialWordsDrawn && a.words[0..<a.wordCount] == b.words[0..<b.wordCount]
            && a.streams == b.streams
    }

    /// Runs `body` with a `LaneCoder` over this message's storage, with room for `extraWords` more words.
    @inline(__always)
    mutating func withCoder<R>(reservingWords extraWords: Int, _ body: (inout LaneCoder) throws -> R) rethrows -> R {
        var h = heads
        var w = words
        heads = []
        words = []
        let needed = wordCount + extraWords
        if w.count < needed {
            w.append(contentsOf: repeatElement(0, count: Swift.max(needed - w.count, w.count)))
        }
        defer { heads = h; words = w }
        return try h.withUnsafeMutableBufferPointer { hp in
            try w.withUnsafeMutableBufferPointer { wp in
                var coder = LaneCoder(
                    heads: hp.baseAddress!, laneCount: laneCount, words: wp.baseAddress!,
                    top: wordCount, drawn: initialWordsDrawn, seed: seed)
                defer {
                    wordCount = coder.top
                    lowestWordCount = Swift.min(lowestWordCount, coder.lowest)
                    initialWordsDrawn = coder.drawn
                    if coder.drawn > initialWordsLimit { overdrawn = true }
                }
                return try body(&coder)
            }
        }
    }
}

import ExactMath

/// log2 for reporting, built on ExactMath.log.
enum ExactMathLog2 {
    static func log2(_ x: Double) -> Double { ExactMath.log(x) * 1.4426950408889634 }
}
