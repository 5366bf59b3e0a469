import Parallelism

/// Batched push/pop of discretized-Gaussian symbols (see `DiscretizedGaussian`).
///
/// Usage in the bits-back chain (per diffusion step, one whole latent tensor or tile):
///
///     var k = try message.popGaussian(means: qMeans, standardDeviation: qSigma, under: grid)   // sample z = k·δ
///     …
///     try message.pushGaussian(kPrevious, means: pMeans, standardDeviation: pSigma, under: grid)
///
/// Symbol `i` uses lane `i % laneCount`; push runs `i = 0…n−1`, pop `i = n−1…0`, so a pop of `n` values
/// followed by a push of the same values under the same distributions restores the message exactly, and
/// vice versa. Any `Int32` value can be pushed (far-off values take the escape path). Popping always
/// succeeds, whatever bits are on the stack.
///
/// ## Threads
/// With `threads` > 1 the work that does not depend on the message runs on that many threads: a push's
/// intervals (the exact CDF values of every element), a pop's distributions (each element's window and
/// escape interval). Only the rANS steps, and a pop's slot → symbol search, run in order on the caller's
/// thread. Every value is computed by the same operations whichever thread computes it, so the message
/// is the same for every thread count.
///
/// ## Streams
/// On a message of G > 1 streams (`MessageStreams.swift`) element i is element ⌊i / G⌋ of stream i mod G:
/// each stream gathers its share into buffers of its own and codes it as above, all streams at once on up
/// to `threads` threads, so the in-order part runs on G threads too.
extension Message {
    /// Pushes `values[i]` under N(`means[i]`, `standardDeviation`²) discretized by `grid`.
    /// Throws (pushing nothing) on a size mismatch, a non-finite mean or an invalid σ.
    public mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviation: Double, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        let scale = try GaussianScale(sigma: standardDeviation, binWidth: grid.binWidth, precision: grid.precision)
        try pushGaussian(values, means: means, sigmas: nil, sharedScale: scale, grid: grid, threads: threads)
    }

    /// Pushes `values[i]` under N(`means[i]`, `standardDeviations[i]`²) discretized by `grid`.
    public mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviations: UnsafeBufferPointer<Float>, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        guard standardDeviations.count == values.count else {
            throw ANSError.sizeMismatch("\(standardDeviations.count) standard deviations for \(values.count) values")
        }
        let unit = try GaussianScale(sigma: 1, binWidth: 1, precision: grid.precision)
        try pushGaussian(values, means: means, sigmas: standardDeviations, sharedScale: unit, grid: grid, threads: threads)
    }

    /// Pops `output.count` values under N(`means[i]`, `standardDeviation`²) discretized by `grid`.
    public mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviation: Double, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        let scale = try GaussianScale(sigma: standardDeviation, binWidth: grid.binWidth, precision: grid.precision)
        try popGaussian(into: output, means: means, sigmas: nil, sharedScale: scale, grid: grid, threads: threads)
    }

    /// Pops `output.count` values under N(`means[i]`, `standardDeviations[i]`²) discretized by `grid`.
    public mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviations: UnsafeBufferPointer<Float>, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        guard standardDeviations.count == output.count else {
            throw ANSError.sizeMismatch("\(standardDeviations.count) standard deviations for \(output.count) values")
        }
        let unit = try GaussianScale(sigma: 1, binWidth: 1, precision: grid.precision)
        try popGaussian(into: output, means: means, sigmas: standardDeviations, sharedScale: unit, grid: grid, threads: threads)
    }

    // MARK: Array conveniences

    /// Array convenience for `pushGaussian(_:means:standardDeviation:under:)`.
    public mutating func pushGaussian(
        _ values: [Int32], means: [Float], standardDeviation: Double, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        try values.withUnsafeBufferPointer { v in
            try means.withUnsafeBufferPointer { m in
                try pushGaussian(v, means: m, standardDeviation: standardDeviation, under: grid, threads: threads)
            }
        }
    }

    /// Array convenience for `pushGaussian(_:means:standardDeviations:under:)`.
    public mutating func pushGaussian(
        _ values: [Int32], means: [Float], standardDeviations: [Float], under grid: DiscretizedGaussian, threads: Int = 1
    ) throws {
        try values.withUnsafeBufferPointer { v in
            try means.withUnsafeBufferPointer { m in
                try standardDeviations.withUnsafeBufferPointer { s in
                    try pushGaussian(v, means: m, standardDeviations: s, under: grid, threads: threads)
                }
            }
        }
    }

    /// Array convenience for `popGaussian(into:means:standardDeviation:under:)`: pops `means.count` values.
    public mutating func popGaussian(
        means: [Float], standardDeviation: Double, under grid: DiscretizedGaussian, threads: Int = 1
    ) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: means.count)
        try out.withUnsafeMutableBufferPointer { o in
            try means.withUnsafeBufferPointer { m in
                try popGaussian(into: o, means: m, standardDeviation: standardDeviation, under: grid, threads: threads)
            }
        }
        return out
    }

    /// Array convenience for `popGaussian(into:means:standardDeviations:under:)`: pops `means.count` values.
    public mutating func popGaussian(
        means: [Float], standardDeviations: [Float], under grid: DiscretizedGaussian, threads: Int = 1
    ) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: means.count)
        try out.withUnsafeMutableBufferPointer { o in
            try means.withUnsafeBufferPointer { m in
                try standardDeviations.withUnsafeBufferPointer { s in
                    try popGaussian(into: o, means: m, standardDeviations: s, under: grid, threads: threads)
                }
            }
        }
        return out
    }

    // MARK: Kernels

    /// Elements whose per-element work (phase 1) is done at once, before their rANS steps (phase 2):
    /// bounds the scratch memory of a batch (≤ 96 bytes an element) and keeps it in cache.
    static let gaussianSegment = 1 << 15
    /// Batches of fewer elements run on the caller's thread only (a thread hand-off costs more).
    static let parallelMinimum = 2048

    /// Elements of a batch of `count` that stream `s` of `streams` codes: i = s, s + G, s + 2G, … < count.
    @inline(__always)
    static func share(of s: Int, count: Int, streams: Int) -> Int { count > s ? (count - s + streams - 1) / streams : 0 }

    /// Stream `s`'s elements of a batch of `count` split over `g` streams: `source[s]`, `source[s + g]`, …
    /// (`share(of:count:streams:)` of them), in a buffer of its own that the caller deallocates.
    static func gather<Element>(
        _ source: UnsafeBufferPointer<Element>, count: Int, stream s: Int, of g: Int
    ) -> UnsafeMutableBufferPointer<Element> {
        let share = Self.share(of: s, count: count, streams: g)
        let gathered = UnsafeMutableBufferPointer<Element>.allocate(capacity: share)
        for j in 0..<share { (gathered.baseAddress! + j).initialize(to: source[s + j * g]) }
        return gathered
    }

    /// The threads a batch of `count` elements (or units of work about as costly) runs its per-element work on.
    @inline(__always)
    static func workers(_ threads: Int, count: Int) -> Int { count < parallelMinimum ? 1 : Swift.max(1, threads) }

    /// Throws the first invalid parameter (in element order), checking on `threads` threads first.
    private static func validate(
        means: UnsafeBufferPointer<Float>, sigmas: UnsafeBufferPointer<Float>?, count: Int,
        grid: DiscretizedGaussian, threads: Int
    ) throws {
        guard means.count == count else { throw ANSError.sizeMismatch("\(means.count) means for \(count) values") }
        let delta = grid.binWidth, precision = grid.precision
        let valid = ParallelLoop.allSatisfy(count: count, threads: workers(threads, count: count)) { range in
            for i in range {
                guard (Double(means[i]) / delta).isFinite else { return false }
                if let sigmas, (try? GaussianScale(sigma: Double(sigmas[i]), binWidth: delta, precision: precision)) == nil {
                    return false
                }
            }
            return true
        }
        if valid { return }
        for i in 0..<count {
            guard (Double(means[i]) / delta).isFinite else {
                throw ANSError.invalidParameter("mean \(means[i]) at index \(i) not finite")
            }
            if let sigmas { _ = try GaussianScale(sigma: Double(sigmas[i]), binWidth: delta, precision: precision) }
        }
    }

    /// The distribution of element `i` (parameters already validated, so this does not throw in practice).
    @inline(__always)
    private static func bin(
        _ i: Int, means: UnsafeBufferPointer<Float>, sigmas: UnsafeBufferPointer<Float>?, sharedScale: GaussianScale,
        grid: DiscretizedGaussian, table: UnsafePointer<UInt64>
    ) throws -> GaussianBin {
        let scale =
            try sigmas.map { try GaussianScale(sigma: Double($0[i]), binWidth: grid.binWidth, precision: grid.precision) }
            ?? sharedScale
        return try GaussianBin(
            mean: means[i], scale: scale, binWidth: grid.binWidth, table: table, placement: grid.escapePlacement)
    }

    /// Push, per segment of elements: phase 1 (on `threads` threads) computes every element's interval
    /// `[start, start + frequency)` (frequency 0 marks an escape), phase 2 encodes them in order.
    private mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        sigmas: UnsafeBufferPointer<Float>?, sharedScale: GaussianScale,
        grid: DiscretizedGaussian, threads: Int, validated: Bool = false
    ) throws {
        let n = values.count
        if !validated { try Self.validate(means: means, sigmas: sigmas, count: n, grid: grid, threads: threads) }
        if n == 0 { return }
        if !streams.isEmpty {
            let g = streamCount
            try forEachStream(threads: Self.workers(threads, count: n)) { stream, s, inner in
                let v = Self.gather(values, count: n, stream: s, of: g)
                let m = Self.gather(means, count: n, stream: s, of: g)
                let d = sigmas.map { Self.gather($0, count: n, stream: s, of: g) }
                defer {
                    v.deallocate()
                    m.deallocate()
                    d?.deallocate()
                }
                try stream.pushGaussian(
                    UnsafeBufferPointer(v), means: UnsafeBufferPointer(m), sigmas: d.map { UnsafeBufferPointer($0) },
                    sharedScale: sharedScale, grid: grid, threads: inner, validated: true)
            }
            return
        }
        let precision = grid.precision
        let total = UInt64(1) << UInt64(precision)
        let order = grid.slotOrder
        let segment = Swift.min(n, Self.gaussianSegment)
        let starts = UnsafeMutablePointer<UInt32>.allocate(capacity: segment)
        let frequencies = UnsafeMutablePointer<UInt32>.allocate(capacity: segment)
        defer {
            starts.deallocate()
            frequencies.deallocate()
        }
        try NormalCDFTable.table.withUnsafeBufferPointer { tp in
            let table = tp.baseAddress!
            let sharedEscape = sigmas == nil ? sharedScale.sharedEscapeFrequency(table: table) : 0
            try withCoder(reservingWords: 4 * n) { coder in
                var lower = 0
                while lower < n {
                    let upper = Swift.min(n, lower + segment)
                    // Phase 1: intervals (independent of the message).
                    ParallelLoop.forEachChunk(count: upper - lower, threads: Self.workers(threads, count: upper - lower)) {
                        chunk in
                        for j in chunk {
                            let i = lower + j
                            guard
                                let bin = try? Self.bin(
                                    i, means: means, sigmas: sigmas, sharedScale: sharedScale, grid: grid, table: table)
                            else {
                                frequencies[j] = 0
                                continue
                            }
                            let k = Int64(values[i])
                            guard k >= bin.a && k <= bin.b else {
                                frequencies[j] = 0
                                continue
                            }
                            var c0 = bin.cdf(k, table: table)
                            var c1 = bin.cdf(k + 1, table: table)
                            if k > bin.split {
                                // Above the escape interval (placed after `split`): shifted by its frequency.
                                let shift = bin.escapeFrequency(shared: sharedEscape, table: table, total: total)
                                c0 &+= shift
                                c1 &+= shift
                            }
                            starts[j] = UInt32(truncatingIfNeeded: c0)
                            frequencies[j] = UInt32(truncatingIfNeeded: c1 &- c0)  // ≥ 1 inside the window
                        }
                    }
                    // Phase 2: the rANS steps in element order.
                    var lane = lower % coder.laneCount
                    for j in 0..<(upper - lower) {
                        if frequencies[j] != 0 {
                            coder.encode(
                                &coder.heads[lane], start: starts[j], frequency: frequencies[j], precision: precision,
                                order: order)
                        } else {
                            let i = lower + j
                            let bin = try Self.bin(
                                i, means: means, sigmas: sigmas, sharedScale: sharedScale, grid: grid, table: table)
                            coder.encodeGaussian(
                                &coder.heads[lane], Int64(values[i]), bin: bin, precision: precision, order: order,
                                table: table)
                        }
                        lane += 1
                        if lane == coder.laneCount { lane = 0 }
                    }
                    lower = upper
                }
            }
        }
    }

    /// Pop, per segment of elements (highest first): phase 1 (on `threads` threads) computes every
    /// element's distribution; phase 2 pops in order, in blocks of one element per
    /// lane: the first guesses of a block's symbols (independent of each other), then its rANS steps.
    private mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        sigmas: UnsafeBufferPointer<Float>?, sharedScale: GaussianScale,
        grid: DiscretizedGaussian, threads: Int, validated: Bool = false
    ) throws {
        let n = output.count
        if !validated { try Self.validate(means: means, sigmas: sigmas, count: n, grid: grid, threads: threads) }
        if n == 0 { return }
        if !streams.isEmpty {
            let g = streamCount
            // Stream s pops into its own contiguous part of `popped` (its element j at s·⌈n/G⌉ + j); the
            // parts are interleaved into `output` afterwards, so no two threads write one cache line.
            let stride = (n + g - 1) / g
            let popped = UnsafeMutableBufferPointer<Int32>.allocate(capacity: g * stride)
            defer { popped.deallocate() }
            let workers = Self.workers(threads, count: n)
            try forEachStream(threads: workers) { stream, s, inner in
                let m = Self.gather(means, count: n, stream: s, of: g)
                let d = sigmas.map { Self.gather($0, count: n, stream: s, of: g) }
                defer {
                    m.deallocate()
                    d?.deallocate()
                }
                let share = m.count
                try stream.popGaussian(
                    into: UnsafeMutableBufferPointer(rebasing: popped[(s * stride)..<(s * stride + share)]),
                    means: UnsafeBufferPointer(m), sigmas: d.map { UnsafeBufferPointer($0) },
                    sharedScale: sharedScale, grid: grid, threads: inner, validated: true)
            }
            ParallelLoop.forEachChunk(count: n, threads: workers) { range in
                for i in range { output[i] = popped[(i % g) * stride + i / g] }
            }
            return
        }
        let precision = grid.precision
        let total = UInt64(1) << UInt64(precision)
        let order = grid.slotOrder, mask = total &- 1
        let lanes = laneCount
        // A whole number of lane blocks, so that every block lies in one segment.
        let segment = Swift.max(lanes, Self.gaussianSegment / lanes * lanes)
        let capacity = Swift.min(segment, n + lanes)
        let placeholder = try GaussianBin(mean: 0, scale: sharedScale, binWidth: grid.binWidth, table: NormalCDFTable.table)
        let bins = UnsafeMutablePointer<GaussianBin>.allocate(capacity: capacity)
        bins.initialize(repeating: placeholder, count: capacity)
        let guesses = UnsafeMutablePointer<(Int64, UInt64, UInt64)>.allocate(capacity: lanes)
        defer {
            bins.deallocate()
            guesses.deallocate()
        }
        try NormalCDFTable.table.withUnsafeBufferPointer { tp in
            try NormalCDFTable.bucketStart.withUnsafeBufferPointer { bp in
                try NormalCDFTable.inverseSteps.withUnsafeBufferPointer { ip in
                    let table = tp.baseAddress!, buckets = bp.baseAddress!, inverseSteps = ip.baseAddress!
                    let sharedEscape = sigmas == nil ? sharedScale.sharedEscapeFrequency(table: table) : 0
                    try withCoder(reservingWords: 0) { coder in
                        var upper = n
                        while upper > 0 {
                            let lower = Swift.max(0, (upper - 1) / lanes * lanes - (segment - lanes))
                            // Phase 1: distributions (independent of the message).
                            ParallelLoop.forEachChunk(
                                count: upper - lower, threads: Self.workers(threads, count: upper - lower)
                            ) { chunk in
                                for j in chunk {
                                    bins[j] =
                                        (try? Self.bin(
                                            lower + j, means: means, sigmas: sigmas, sharedScale: sharedScale, grid: grid,
                                            table: table)) ?? placeholder
                                }
                            }
                            // Phase 2: blocks of one element per lane, highest block first.
                            var blockStart = (upper - 1) / lanes * lanes
                            while blockStart >= lower {
                                let blockEnd = Swift.min(blockStart + lanes, upper)
                                for i in blockStart..<blockEnd {
                                    let j = i - lower, lane = i - blockStart
                                    let slot = order.decoded(
                                        UInt64(LaneCoder.slot(coder.heads[lane], precision: precision)), mask: mask)
                                    guesses[lane] = bins[j].guessTopLayout(
                                        slot: slot, table: table, buckets: buckets, inverseSteps: inverseSteps, total: total)
                                }
                                for i in stride(from: blockEnd - 1, through: blockStart, by: -1) {
                                    let j = i - lower, lane = i - blockStart
                                    let bin = bins[j]
                                    let slot = UInt32(
                                        order.decoded(UInt64(LaneCoder.slot(coder.heads[lane], precision: precision)), mask: mask)
                                    )
                                    let (k, c0, c1) = bin.locate(
                                        slot: UInt64(slot), first: guesses[lane], sharedEscape: sharedEscape, table: table,
                                        buckets: buckets, inverseSteps: inverseSteps, total: total)
                                    let value = coder.finishDecodeGaussian(
                                        &coder.heads[lane], k: k, slot: slot, start: c0, frequency: c1 - c0, bin: bin,
                                        precision: precision)
                                    output[i] = Int32(truncatingIfNeeded: value)
                                }
                                blockStart -= lanes
                            }
                            upper = lower
                        }
                    }
                }
            }
        }
    }
}
