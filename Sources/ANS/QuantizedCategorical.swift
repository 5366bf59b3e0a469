import ExactMath
import Parallelism

/// Exact, deterministic quantization of probabilities or logits to integer frequencies summing to
/// `2^precision`.
///
/// Rule (one well-defined float evaluation, then integer arithmetic): with `K` the number of symbols that
/// can occur and `T = 2^precision`, each such symbol gets `1 + ⌊pₖ·(T − K)⌋` (pₖ normalized in `Double`,
/// fixed summation order), other symbols get 0, and the remainder (`0 ≤ R < K`) goes to the most probable
/// symbol (the first one on ties). From probabilities, the symbols that can occur are those with pₖ > 0;
/// from logits, every symbol with a finite logit (even when e^(lₖ − max) underflows to 0). Every symbol that can occur thus has frequency
/// ≥ 1, and the rate overhead is tiny: the floor costs < 1 count per symbol and the +1 floor costs `K/T`
/// of probability mass in all.
///
/// Logits are turned into probabilities with `ExactMath.exp` (never platform libm), so encoder and decoder
/// get bit-identical frequencies on every machine.
public enum FrequencyQuantizer {
    /// Quantizes `weights` (non-negative, not all 0, finite; any positive scale) into `output`.
    @inlinable @inline(__always)
    static func quantize(
        weights: UnsafePointer<Double>, count: Int, precision: Int, everySymbolCanOccur: Bool,
        into output: UnsafeMutablePointer<UInt32>
    ) -> Bool {
        var sum = 0.0
        var positive = 0
        var argmax = 0
        var best = -1.0
        for j in 0..<count {
            let w = weights[j]
            sum += w
            if w > 0 || everySymbolCanOccur { positive += 1 }
            if w > best { best = w; argmax = j }
        }
        let total = UInt64(1) << UInt64(precision)
        guard positive > 0, sum.isFinite, UInt64(positive) <= total else { return false }
        let scale = Double(total - UInt64(positive)) / sum
        var assigned: UInt64 = 0
        for j in 0..<count {
            let w = weights[j]
            let f: UInt64 = w > 0 || everySymbolCanOccur ? 1 + UInt64(w * scale) : 0
            output[j] = UInt32(truncatingIfNeeded: f)
            assigned += f
        }
        // Normally assigned ≤ total; the signed fix-up also covers a last-ulp overshoot.
        let fixed = Int64(output[argmax]) + Int64(bitPattern: total &- assigned)
        guard fixed >= 1, fixed <= Int64(UInt32.max) else { return false }
        output[argmax] = UInt32(truncatingIfNeeded: fixed)
        return true
    }

    /// Softmax weights exp(lₖ − max l) of `logits` into `weights`, returning a range of indices outside
    /// which every weight is 0 (and is not written), or nil if a logit is not finite. Inside the range the
    /// weights are exactly `ExactMath.exp(lₖ − max l)`; outside it lie only the k at the ends whose
    /// x = lₖ − max l is below −745.13…, where `ExactMath.exp` returns 0 by its own first test.
    @inlinable @inline(__always)
    static func softmaxWeightRange(logits: UnsafePointer<Float>, count: Int, into weights: UnsafeMutablePointer<Double>)
        -> ClosedRange<Int>?
    {
        guard count > 0 else { return nil }
        // The maximum in float32 (its conversion to float64 is exact and monotone, so it is the float64
        // maximum), and whether every logit is finite, eight at a time.
        let exponentMask = SIMD8<UInt32>(repeating: 0x7F80_0000)
        var maxima = SIMD8<Float>(repeating: -.infinity)
        var infinite = SIMDMask<SIMD8<Int32>>(repeating: false)
        var j = 0
        while j + 8 <= count {
            let l = UnsafeRawPointer(logits + j).loadUnaligned(as: SIMD8<Float>.self)
            infinite .|= (unsafeBitCast(l, to: SIMD8<UInt32>.self) & exponentMask) .== exponentMask
            maxima.replace(with: l, where: l .> maxima)
            j += 8
        }
        var maximumFloat = maxima.max()
        var finite = !any(infinite)
        while j < count {
            let l = logits[j]
            finite = finite && l.isFinite
            maximumFloat = l > maximumFloat ? l : maximumFloat
            j += 1
        }
        guard finite else { return nil }
        let maximum = Double(maximumFloat)
        let underflow = -745.13321910194110842  // ExactMath.exp(x) = 0 for x below this
        var first = 0
        while Double(logits[first]) - maximum < underflow { first += 1 }  // stops at the maximum (x = 0)
        var last = count - 1
        while Double(logits[last]) - maximum < underflow { last -= 1 }
        for k in first...last {
            let x = Double(logits[k]) - maximum
            weights[k] = x < underflow ? 0 : ExactMath.exp(x)
        }
        return first...last
    }

    /// `quantize(weights:count:precision:everySymbolCanOccur: true, into:)` for weights that are 0
    /// outside `nonzero` (only those inside are read): the same frequencies, with the float work done on
    /// `nonzero` only (a 0 adds nothing to the in-order sum, is never the first maximum, which is 1, and
    /// gets frequency 1).
    @inlinable @inline(__always)
    static func quantizeEveryOccurring(
        weights: UnsafePointer<Double>, count: Int, nonzero: ClosedRange<Int>, precision: Int,
        into output: UnsafeMutablePointer<UInt32>
    ) -> Bool {
        var sum = 0.0
        var argmax = 0
        var best = -1.0
        for j in nonzero {
            let w = weights[j]
            sum += w
            if w > best { best = w; argmax = j }
        }
        let total = UInt64(1) << UInt64(precision)
        guard sum.isFinite, UInt64(count) <= total else { return false }
        let scale = Double(total - UInt64(count)) / sum
        var assigned = UInt64(count - nonzero.count)
        for j in 0..<nonzero.lowerBound { output[j] = 1 }
        for j in nonzero {
            let f = 1 + UInt64(weights[j] * scale)
            output[j] = UInt32(truncatingIfNeeded: f)
            assigned += f
        }
        for j in (nonzero.upperBound + 1)..<count { output[j] = 1 }
        let fixed = Int64(output[argmax]) + Int64(bitPattern: total &- assigned)
        guard fixed >= 1, fixed <= Int64(UInt32.max) else { return false }
        output[argmax] = UInt32(truncatingIfNeeded: fixed)
        return true
    }

    /// The frequencies of the quantized softmax of one row of `logits` into `output` (`weights` is
    /// scratch); false if a logit is not finite or the row cannot be quantized.
    @inlinable @inline(__always)
    static func quantizeSoftmax(
        logits: UnsafePointer<Float>, count: Int, precision: Int, weights: UnsafeMutablePointer<Double>,
        into output: UnsafeMutablePointer<UInt32>
    ) -> Bool {
        guard let nonzero = softmaxWeightRange(logits: logits, count: count, into: weights) else { return false }
        return quantizeEveryOccurring(weights: weights, count: count, nonzero: nonzero, precision: precision, into: output)
    }

    /// Frequencies for `probabilities` (non-negative, finite, not all zero; need not sum to 1 exactly).
    public static func frequencies(probabilities: [Double], precision: Int) throws -> [UInt32] {
        guard (1...Message.maxPrecision).contains(precision) else {
            throw ANSError.invalidParameter("precision \(precision) not in 1...\(Message.maxPrecision)")
        }
        guard !probabilities.isEmpty, probabilities.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw ANSError.invalidParameter("probabilities must be finite, non-negative and non-empty")
        }
        var out = [UInt32](repeating: 0, count: probabilities.count)
        let ok = probabilities.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                quantize(
                    weights: p.baseAddress!, count: p.count, precision: precision, everySymbolCanOccur: false,
                    into: o.baseAddress!)
            }
        }
        guard ok else {
            throw ANSError.invalidParameter("cannot quantize \(probabilities.count) probabilities to 2^\(precision)")
        }
        return out
    }

    /// Frequencies for the softmax of `logits` (all finite); every symbol gets frequency ≥ 1.
    public static func frequencies(logits: [Float], precision: Int) throws -> [UInt32] {
        guard (1...Message.maxPrecision).contains(precision) else {
            throw ANSError.invalidParameter("precision \(precision) not in 1...\(Message.maxPrecision)")
        }
        var weights = [Double](repeating: 0, count: logits.count)
        var out = [UInt32](repeating: 0, count: logits.count)
        let ok = logits.withUnsafeBufferPointer { l in
            weights.withUnsafeMutableBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    !l.isEmpty
                        && quantizeSoftmax(
                            logits: l.baseAddress!, count: l.count, precision: precision, weights: w.baseAddress!,
                            into: o.baseAddress!)
                }
            }
        }
        guard ok else { throw ANSError.invalidParameter("logits must be finite, non-empty and at most 2^\(precision)") }
        return out
    }
}

extension CategoricalDistribution {
    /// The quantized distribution of `probabilities` (see `FrequencyQuantizer`).
    public init(probabilities: [Double], precision: Int) throws {
        try self.init(
            frequencies: FrequencyQuantizer.frequencies(probabilities: probabilities, precision: precision),
            precision: precision)
    }

    /// The quantized softmax of `logits` (see `FrequencyQuantizer`); every symbol gets frequency ≥ 1.
    public init(logits: [Float], precision: Int) throws {
        try self.init(frequencies: FrequencyQuantizer.frequencies(logits: logits, precision: precision), precision: precision)
    }
}

extension Message {
    /// Rows of a pop whose cumulative frequencies are held at once (about 2^20 frequencies).
    static let categoricalSegmentEntries = 1 << 20

    /// Pushes `symbols[i]` under its own categorical distribution, the quantized softmax of
    /// `logits[i·categoryCount ..< (i+1)·categoryCount]` (see `FrequencyQuantizer`; e.g. the 256-way
    /// pixel decoder). Lane `i % laneCount`, order `i = 0…n−1`. Cost is dominated by the `categoryCount`
    /// exponentials per symbol, which run on `threads` threads (the rANS steps after them in order: the
    /// message is the same for every thread count). Throws (pushing nothing) on a symbol outside
    /// `0..<categoryCount`, a non-finite logit, or a size mismatch.
    public mutating func pushCategorical(
        _ symbols: UnsafeBufferPointer<Int32>, logits: UnsafeBufferPointer<Float>,
        categoryCount: Int, precision: Int = 24, threads: Int = 1
    ) throws {
        let n = symbols.count
        try Self.checkLogits(count: n, logits: logits, categoryCount: categoryCount, precision: precision)
        for i in 0..<n where symbols[i] < 0 || Int(symbols[i]) >= categoryCount {
            throw ANSError.unencodableSymbol(index: i, value: Int(symbols[i]))
        }
        if n == 0 { return }
        let k = categoryCount
        // Quantize everything first (so that a bad logit throws before anything is pushed); frequency 0
        // marks a row with a non-finite logit.
        var starts = [UInt32](repeating: 0, count: n), freqs = [UInt32](repeating: 0, count: n)
        starts.withUnsafeMutableBufferPointer { st in
            freqs.withUnsafeMutableBufferPointer { fr in
                ParallelLoop.forEachChunk(count: n, threads: Self.workers(threads, count: n * k / 64)) { rows in
                    Self.withRowScratch(categoryCount: k) { w, f in
                        for i in rows {
                            guard
                                FrequencyQuantizer.quantizeSoftmax(
                                    logits: logits.baseAddress! + i * k, count: k, precision: precision, weights: w, into: f)
                            else {
                                fr[i] = 0
                                continue
                            }
                            let s = Int(symbols[i])
                            var start: UInt32 = 0
                            for j in 0..<s { start &+= f[j] }
                            st[i] = start
                            fr[i] = f[s]
                        }
                    }
                }
            }
        }
        if let bad = freqs.firstIndex(of: 0) { throw ANSError.invalidParameter("non-finite logit in row \(bad)") }
        if !streams.isEmpty {
            // Row i is row ⌊i / G⌋ of stream i mod G (`MessageStreams.swift`): the streams' rANS steps at once.
            let g = streamCount
            try starts.withUnsafeBufferPointer { st in
                try freqs.withUnsafeBufferPointer { fr in
                    try forEachStream(threads: Self.workers(threads, count: n)) { stream, s, _ in
                        stream.withCoder(reservingWords: Self.share(of: s, count: n, streams: g)) { coder in
                            var lane = 0
                            for i in stride(from: s, to: n, by: g) {
                                coder.encode(&coder.heads[lane], start: st[i], frequency: fr[i], precision: precision)
                                lane += 1
                                if lane == coder.laneCount { lane = 0 }
                            }
                        }
                    }
                }
            }
            return
        }
        starts.withUnsafeBufferPointer { st in
            freqs.withUnsafeBufferPointer { fr in
                withCoder(reservingWords: n) { coder in
                    var lane = 0
                    for i in 0..<n {
                        coder.encode(&coder.heads[lane], start: st[i], frequency: fr[i], precision: precision)
                        lane += 1
                        if lane == coder.laneCount { lane = 0 }
                    }
                }
            }
        }
    }

    /// Pops `output.count` symbols, symbol `i` under the quantized softmax of its row of `logits` (inverse
    /// of `pushCategorical`). Order `i = n−1…0`. Per segment of rows, the cumulative frequencies of every
    /// row are computed first on `threads` threads; then the symbols are found (binary search) and the
    /// rANS steps run in order.
    public mutating func popCategorical(
        into output: UnsafeMutableBufferPointer<Int32>, logits: UnsafeBufferPointer<Float>,
        categoryCount: Int, precision: Int = 24, threads: Int = 1
    ) throws {
        let n = output.count
        try Self.checkLogits(count: n, logits: logits, categoryCount: categoryCount, precision: precision)
        if n == 0 { return }
        let k = categoryCount
        // Validate all logits first so that a bad one throws before anything is popped.
        for j in 0..<logits.count where !logits[j].isFinite {
            throw ANSError.invalidParameter("non-finite logit in row \(j / k)")
        }
        let total = UInt64(1) << UInt64(precision)
        let segmentRows = Swift.min(n, Swift.max(1, Self.categoricalSegmentEntries / k))
        // Row r's cumulative frequencies: cumulative[r·k + s] = start of symbol s (< 2^precision ≤ 2^32).
        let cumulative = UnsafeMutablePointer<UInt32>.allocate(capacity: segmentRows * k)
        defer { cumulative.deallocate() }
        if !streams.isEmpty {
            try popCategoricalInStreams(
                into: output, logits: logits, categoryCount: k, precision: precision, threads: threads,
                segmentRows: segmentRows, cumulative: cumulative)
            return
        }
        withCoder(reservingWords: 0) { coder in
            var upper = n
            var lane = (n - 1) % coder.laneCount
            while upper > 0 {
                let lower = Swift.max(0, upper - segmentRows)
                Self.cumulativeFrequencies(
                    rows: lower..<upper, logits: logits, categoryCount: k, precision: precision, threads: threads,
                    into: cumulative)
                for i in stride(from: upper - 1, through: lower, by: -1) {
                    output[i] = Self.decodeRow(
                        cumulative + (i - lower) * k, categoryCount: k, lane: lane, coder: &coder, precision: precision,
                        total: total)
                    lane = lane == 0 ? coder.laneCount - 1 : lane - 1
                }
                upper = lower
            }
        }
    }

    /// `popCategorical` on a message of G > 1 streams: per segment, the cumulative frequencies on
    /// `threads` threads, then every stream pops its rows of the segment (row i is row ⌊i / G⌋ of stream
    /// i mod G, highest first) at once.
    private mutating func popCategoricalInStreams(
        into output: UnsafeMutableBufferPointer<Int32>, logits: UnsafeBufferPointer<Float>,
        categoryCount k: Int, precision: Int, threads: Int, segmentRows: Int, cumulative: UnsafeMutablePointer<UInt32>
    ) throws {
        let n = output.count, g = streamCount
        let total = UInt64(1) << UInt64(precision)
        var upper = n
        while upper > 0 {
            let lower = Swift.max(0, upper - segmentRows)
            Self.cumulativeFrequencies(
                rows: lower..<upper, logits: logits, categoryCount: k, precision: precision, threads: threads,
                into: cumulative)
            try forEachStream(threads: Self.workers(threads, count: upper - lower)) { stream, s, _ in
                stream.withCoder(reservingWords: 0) { coder in
                    // The highest row of this stream below `upper`, then every G-th below it down to `lower`.
                    var i = upper - 1 - ((upper - 1 - s) % g + g) % g
                    while i >= lower {
                        output[i] = Self.decodeRow(
                            cumulative + (i - lower) * k, categoryCount: k, lane: (i / g) % coder.laneCount,
                            coder: &coder, precision: precision, total: total)
                        i -= g
                    }
                }
            }
            upper = lower
        }
    }

    /// Row r's cumulative frequencies for every row r of `rows` (on `threads` threads):
    /// `cumulative[(r − rows.lowerBound)·k + s]` = start of symbol s (< 2^precision ≤ 2^32). The logits are
    /// finite (checked by the caller), so every quantization succeeds.
    private static func cumulativeFrequencies(
        rows: Range<Int>, logits: UnsafeBufferPointer<Float>, categoryCount k: Int, precision: Int, threads: Int,
        into cumulative: UnsafeMutablePointer<UInt32>
    ) {
        ParallelLoop.forEachChunk(count: rows.count, threads: Self.workers(threads, count: rows.count * k / 64)) { chunk in
            Self.withRowScratch(categoryCount: k) { w, f in
                for r in chunk {
                    _ = FrequencyQuantizer.quantizeSoftmax(
                        logits: logits.baseAddress! + (rows.lowerBound + r) * k, count: k, precision: precision, weights: w,
                        into: f)
                    let row = cumulative + r * k
                    var start: UInt32 = 0
                    for s in 0..<k {
                        row[s] = start
                        start &+= f[s]
                    }
                }
            }
        }
    }

    /// Pops one symbol of the row whose cumulative frequencies are `row` on lane `lane`.
    @inline(__always)
    private static func decodeRow(
        _ row: UnsafeMutablePointer<UInt32>, categoryCount k: Int, lane: Int, coder: inout LaneCoder, precision: Int,
        total: UInt64
    ) -> Int32 {
        let slot = LaneCoder.slot(coder.heads[lane], precision: precision)
        // The symbol s with row[s] ≤ slot < row[s + 1] (row[k] = 2^precision): every frequency is ≥ 1,
        // so the starts increase strictly and s is unique.
        var lo = 0, hi = k
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if row[mid] <= slot { lo = mid } else { hi = mid }
        }
        let end = lo + 1 < k ? UInt64(row[lo + 1]) : total
        coder.decodeAdvance(
            &coder.heads[lane], slot: slot, start: row[lo], frequency: UInt32(truncatingIfNeeded: end - UInt64(row[lo])),
            precision: precision)
        return Int32(lo)
    }

    /// Runs `body` with scratch rows of `categoryCount` weights and frequencies.
    @inline(__always)
    static func withRowScratch(
        categoryCount k: Int, _ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<UInt32>) -> Void
    ) {
        let weights = UnsafeMutablePointer<Double>.allocate(capacity: k)
        let frequencies = UnsafeMutablePointer<UInt32>.allocate(capacity: k)
        defer {
            weights.deallocate()
            frequencies.deallocate()
        }
        body(weights, frequencies)
    }

    /// Array convenience for `pushCategorical(_:logits:categoryCount:precision:)`.
    public mutating func pushCategorical(
        _ symbols: [Int32], logits: [Float], categoryCount: Int, precision: Int = 24, threads: Int = 1
    ) throws {
        try symbols.withUnsafeBufferPointer { s in
            try logits.withUnsafeBufferPointer { l in
                try pushCategorical(s, logits: l, categoryCount: categoryCount, precision: precision, threads: threads)
            }
        }
    }

    /// Array convenience for `popCategorical(into:logits:categoryCount:precision:)`; pops
    /// `logits.count / categoryCount` symbols.
    public mutating func popCategorical(logits: [Float], categoryCount: Int, precision: Int = 24, threads: Int = 1) throws
        -> [Int32]
    {
        guard categoryCount >= 1 else { throw ANSError.invalidParameter("categoryCount \(categoryCount) < 1") }
        var out = [Int32](repeating: 0, count: logits.count / categoryCount)
        try out.withUnsafeMutableBufferPointer { o in
            try logits.withUnsafeBufferPointer { l in
                try popCategorical(into: o, logits: l, categoryCount: categoryCount, precision: precision, threads: threads)
            }
        }
        return out
    }

    static func checkLogits(count n: Int, logits: UnsafeBufferPointer<Float>, categoryCount: Int, precision: Int) throws {
        guard (1...Message.maxPrecision).contains(precision) else {
            throw ANSError.invalidParameter("precision \(precision) not in 1...\(Message.maxPrecision)")
        }
        guard categoryCount >= 1, UInt64(categoryCount) <= UInt64(1) << UInt64(precision) else {
            throw ANSError.invalidParameter("categoryCount \(categoryCount) not in 1...2^\(precision)")
        }
        guard logits.count == n * categoryCount else {
            throw ANSError.sizeMismatch("\(logits.count) logits for \(n) symbols × \(categoryCount) categories")
        }
    }
}
