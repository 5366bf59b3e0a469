import ANS

/// One side of the context coder: the encoder records the interval of each symbol its model produces,
/// the decoder pops each symbol from the message. `StripeCoder` is written once over this protocol, so
/// both sides run the same model in the same order by construction.
protocol SymbolStream {
    /// True for the decoder: symbols come from the stream instead of going into it.
    static var isDecoding: Bool { get }
    /// Codes `symbol` of `context` under `distributions` (encoder: reads it; decoder: writes it).
    mutating func code(_ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int)
    /// Codes `symbol` under the mixture of `distributions` in `context` and `other` in `otherContext`.
    mutating func code(
        _ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int, mixedWith other: AdaptiveDistributions,
        in otherContext: Int)
    /// Codes `bits` (0…16) raw bits of `value`.
    mutating func codeRaw(_ value: inout Int, bits: Int)
    /// Marks the start of the next pixel's symbols (the encoder's copy parser prices pixels by them).
    mutating func markPixel()
}

/// The encoder's side: the packed intervals (`SequentialInterval`) of every symbol, in model order.
struct IntervalRecorder: SymbolStream {
    static var isDecoding: Bool { false }
    var intervals: [UInt32] = []
    /// Per pixel (in model order) the index in `intervals` of its first symbol.
    var pixelStarts: [Int32] = []

    @inline(__always)
    mutating func markPixel() { pixelStarts.append(Int32(truncatingIfNeeded: intervals.count)) }

    /// Per pixel the fixed-point cost (`BitCost`) of its symbols.
    func pixelCosts() -> [Int32] {
        var costs = [Int32](repeating: 0, count: pixelStarts.count)
        for p in 0..<pixelStarts.count {
            let end = p + 1 < pixelStarts.count ? Int(pixelStarts[p + 1]) : intervals.count
            var sum: Int32 = 0
            for k in Int(pixelStarts[p])..<end { sum &+= BitCost.of(packed: intervals[k]) }
            costs[p] = sum
        }
        return costs
    }

    @inline(__always)
    mutating func code(_ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int) {
        let (start, frequency) = distributions.interval(of: symbol, in: context)
        intervals.append(SequentialInterval.packed(start: start, frequency: frequency))
    }

    @inline(__always)
    mutating func code(
        _ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int, mixedWith other: AdaptiveDistributions,
        in otherContext: Int
    ) {
        let (start, frequency) = distributions.interval(of: symbol, in: context, mixedWith: other, in: otherContext)
        intervals.append(SequentialInterval.packed(start: start, frequency: frequency))
    }

    @inline(__always)
    mutating func codeRaw(_ value: inout Int, bits: Int) {
        intervals.append(SequentialInterval.raw(UInt32(truncatingIfNeeded: value), bits: bits))
    }
}

/// The decoder's side: pops each symbol as the model asks for it.
struct SymbolReader: SymbolStream {
    static var isDecoding: Bool { true }
    var decoder: SequentialDecoder

    @inline(__always)
    mutating func markPixel() {}

    @inline(__always)
    mutating func code(_ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int) {
        let (s, start, frequency) = distributions.symbol(at: decoder.slot(), in: context)
        decoder.consume(start: start, frequency: frequency)
        symbol = s
    }

    @inline(__always)
    mutating func code(
        _ symbol: inout Int, _ distributions: AdaptiveDistributions, context: Int, mixedWith other: AdaptiveDistributions,
        in otherContext: Int
    ) {
        let (s, start, frequency) = distributions.symbol(
            at: decoder.slot(), in: context, mixedWith: other, in: otherContext)
        decoder.consume(start: start, frequency: frequency)
        symbol = s
    }

    @inline(__always)
    mutating func codeRaw(_ value: inout Int, bits: Int) {
        value = Int(decoder.popRaw(bits: bits))
    }
}
