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
extension Message {
    /// Pushes `values[i]` under N(`means[i]`, `standardDeviation`²) discretized by `grid`.
    /// Throws (pushing nothing) on a size mismatch, a non-finite mean or an invalid σ.
    public mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviation: Double, under grid: DiscretizedGaussian
    ) throws {
        let scale = try GaussianScale(sigma: standardDeviation, binWidth: grid.binWidth, precision: grid.precision)
        try pushGaussian(values, means: means, sigmas: nil, sharedScale: scale, grid: grid)
    }

    /// Pushes `values[i]` under N(`means[i]`, `standardDeviations[i]`²) discretized by `grid`.
    public mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviations: UnsafeBufferPointer<Float>, under grid: DiscretizedGaussian
    ) throws {
        guard standardDeviations.count == values.count else {
            throw ANSError.sizeMismatch("\(standardDeviations.count) standard deviations for \(values.count) values")
        }
        let unit = try GaussianScale(sigma: 1, binWidth: 1, precision: grid.precision)
        try pushGaussian(values, means: means, sigmas: standardDeviations, sharedScale: unit, grid: grid)
    }

    /// Pops `output.count` values under N(`means[i]`, `standardDeviation`²) discretized by `grid`.
    public mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviation: Double, under grid: DiscretizedGaussian
    ) throws {
        let scale = try GaussianScale(sigma: standardDeviation, binWidth: grid.binWidth, precision: grid.precision)
        try popGaussian(into: output, means: means, sigmas: nil, sharedScale: scale, grid: grid)
    }

    /// Pops `output.count` values under N(`means[i]`, `standardDeviations[i]`²) discretized by `grid`.
    public mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        standardDeviations: UnsafeBufferPointer<Float>, under grid: DiscretizedGaussian
    ) throws {
        guard standardDeviations.count == output.count else {
            throw ANSError.sizeMismatch("\(standardDeviations.count) standard deviations for \(output.count) values")
        }
        let unit = try GaussianScale(sigma: 1, binWidth: 1, precision: grid.precision)
        try popGaussian(into: output, means: means, sigmas: standardDeviations, sharedScale: unit, grid: grid)
    }

    // MARK: Array conveniences

    /// Array convenience for `pushGaussian(_:means:standardDeviation:under:)`.
    public mutating func pushGaussian(
        _ values: [Int32], means: [Float], standardDeviation: Double, under grid: DiscretizedGaussian
    ) throws {
        try values.withUnsafeBufferPointer { v in
            try means.withUnsafeBufferPointer { m in
                try pushGaussian(v, means: m, standardDeviation: standardDeviation, under: grid)
            }
        }
    }

    /// Array convenience for `pushGaussian(_:means:standardDeviations:under:)`.
    public mutating func pushGaussian(
        _ values: [Int32], means: [Float], standardDeviations: [Float], under grid: DiscretizedGaussian
    ) throws {
        try values.withUnsafeBufferPointer { v in
            try means.withUnsafeBufferPointer { m in
                try standardDeviations.withUnsafeBufferPointer { s in
                    try pushGaussian(v, means: m, standardDeviations: s, under: grid)
                }
            }
        }
    }

    /// Array convenience for `popGaussian(into:means:standardDeviation:under:)`: pops `means.count` values.
    public mutating func popGaussian(means: [Float], standardDeviation: Double, under grid: DiscretizedGaussian) throws -> [Int32]
    {
        var out = [Int32](repeating: 0, count: means.count)
        try out.withUnsafeMutableBufferPointer { o in
            try means.withUnsafeBufferPointer { m in
                try popGaussian(into: o, means: m, standardDeviation: standardDeviation, under: grid)
            }
        }
        return out
    }

    /// Array convenience for `popGaussian(into:means:standardDeviations:under:)`: pops `means.count` values.
    public mutating func popGaussian(means: [Float], standardDeviations: [Float], under grid: DiscretizedGaussian) throws
        -> [Int32]
    {
        var out = [Int32](repeating: 0, count: means.count)
        try out.withUnsafeMutableBufferPointer { o in
            try means.withUnsafeBufferPointer { m in
                try standardDeviations.withUnsafeBufferPointer { s in
                    try popGaussian(into: o, means: m, standardDeviations: s, under: grid)
                }
            }
        }
        return out
    }

    // MARK: Kernels

    private static func validate(
        means: UnsafeBufferPointer<Float>, sigmas: UnsafeBufferPointer<Float>?, count: Int,
        grid: DiscretizedGaussian
    ) throws {
        guard means.count == count else { throw ANSError.sizeMismatch("\(means.count) means for \(count) values") }
        for i in 0..<count {
            guard (Double(means[i]) / grid.binWidth).isFinite else {
                throw ANSError.invalidParameter("mean \(means[i]) at index \(i) not finite")
            }
        }
        if let sigmas {
            for i in 0..<count {
                _ = try GaussianScale(sigma: Double(sigmas[i]), binWidth: grid.binWidth, precision: grid.precision)
            }
        }
    }

    // The kernels work in blocks of `laneCount` symbols (one per lane): first the distribution work of
    // the whole block (independent per symbol, so the CPU overlaps it), then the rANS steps in order.

    private mutating func pushGaussian(
        _ values: UnsafeBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        sigmas: UnsafeBufferPointer<Float>?, sharedScale: GaussianScale,
        grid: DiscretizedGaussian
    ) throws {
        let n = values.count
        try Self.validate(means: means, sigmas: sigmas, count: n, grid: grid)
        if n == 0 { return }
        let precision = grid.precision, delta = grid.binWidth
        let total = UInt64(1) << UInt64(precision)
        let order = grid.slotOrder
        let lanes = laneCount
        var starts = [UInt64](repeating: 0, count: lanes), ends = [UInt64](repeating: 0, count: lanes)
        try NormalCDFTable.table.withUnsafeBufferPointer { tp in
            let table = tp.baseAddress!
            try starts.withUnsafeMutableBufferPointer { st in
                try ends.withUnsafeMutableBufferPointer { en in
                    try withCoder(reservingWords: 4 * n) { coder in
                        var scale = sharedScale
                        var blockStart = 0
                        while blockStart < n {
                            let blockEnd = Swift.min(blockStart + lanes, n)
                            for i in blockStart..<blockEnd {
                                if let sigmas {
                                    scale = try GaussianScale(sigma: Double(sigmas[i]), binWidth: delta, precision: precision)
                                }
                                let bin = try GaussianBin(
                                    mean: means[i], scale: scale, binWidth: delta, table: table,
                                    placement: grid.escapePlacement)
                                let k = Int64(values[i])
                                let inside = k >= bin.a && k <= bin.b
                                var c0 = inside ? bin.cdf(k, table: table) : 0
                                var c1 = inside ? bin.cdf(k + 1, table: table) : 0
                                if inside && k > bin.split {
                                    // Above the escape interval (placed after `split`): shifted by its frequency.
                                    let shift = total &- bin.cdf(bin.b + 1, table: table)
                                    c0 &+= shift
                                    c1 &+= shift
                                }
                                st[i - blockStart] = c0
                                en[i - blockStart] = c1
                            }
                            for i in blockStart..<blockEnd {
                                let lane = i - blockStart
                                let c0 = st[lane], c1 = en[lane]
                                if c1 != 0 {
                                    coder.encode(
                                        &coder.heads[lane], start: UInt32(c0), frequency: UInt32(c1 - c0), precision: precision,
                                        order: order)
                                } else {
                                    if let sigmas {
                                        scale = try GaussianScale(sigma: Double(sigmas[i]), binWidth: delta, precision: precision)
                                    }
                                    let bin = try GaussianBin(
                                        mean: means[i], scale: scale, binWidth: delta, table: table,
                                        placement: grid.escapePlacement)
                                    coder.encodeGaussian(
                                        &coder.heads[lane], Int64(values[i]), bin: bin, precision: precision, order: order,
                                        table: table)
                                }
                            }
                            blockStart = blockEnd
                        }
                    }
                }
            }
        }
    }

    private mutating func popGaussian(
        into output: UnsafeMutableBufferPointer<Int32>, means: UnsafeBufferPointer<Float>,
        sigmas: UnsafeBufferPointer<Float>?, sharedScale: GaussianScale,
        grid: DiscretizedGaussian
    ) throws {
        let n = output.count
        try Self.validate(means: means, sigmas: sigmas, count: n, grid: grid)
        if n == 0 { return }
        let precision = grid.precision, delta = grid.binWidth
        let total = UInt64(1) << UInt64(precision)
        let order = grid.slotOrder, mask = total &- 1
        let lanes = laneCount
        var guesses = [(Int64, UInt64, UInt64)](repeating: (0, 0, 0), count: lanes)
        let placeholder = try GaussianBin(mean: 0, scale: sharedScale, binWidth: delta, table: NormalCDFTable.table)
        var bins = [GaussianBin](repeating: placeholder, count: lanes)
        try NormalCDFTable.table.withUnsafeBufferPointer { tp in
            try NormalCDFTable.bucketStart.withUnsafeBufferPointer { bp in
                try NormalCDFTable.inverseSteps.withUnsafeBufferPointer { ip in
                    try guesses.withUnsafeMutableBufferPointer { gs in
                        try bins.withUnsafeMutableBufferPointer { bs in
                            let table = tp.baseAddress!, buckets = bp.baseAddress!, inverseSteps = ip.baseAddress!
                            try withCoder(reservingWords: 0) { coder in
                                var scale = sharedScale
                                var blockStart = ((n - 1) / lanes) * lanes
                                while blockStart >= 0 {
                                    let blockEnd = Swift.min(blockStart + lanes, n)
                                    // Stage 1: guesses for every lane of the block (independent of each other).
                                    for i in blockStart..<blockEnd {
                                        let lane = i - blockStart
                                        if let sigmas {
                                            scale = try GaussianScale(
                                                sigma: Double(sigmas[i]), binWidth: delta, precision: precision)
                                        }
                                        let bin = try GaussianBin(
                                            mean: means[i], scale: scale, binWidth: delta, table: table,
                                            placement: grid.escapePlacement)
                                        bs[lane] = bin
                                        let slot = order.decoded(
                                            UInt64(LaneCoder.slot(coder.heads[lane], precision: precision)), mask: mask)
                                        gs[lane] = bin.guess(
                                            slot: slot, table: table, buckets: buckets, inverseSteps: inverseSteps, total: total)
                                    }
                                    // Stage 2: the rANS steps, in pop order (i descending).
                                    for i in stride(from: blockEnd - 1, through: blockStart, by: -1) {
                                        let lane = i - blockStart
                                        let bin = bs[lane]
                                        let slot = UInt32(
                                            order.decoded(
                                                UInt64(LaneCoder.slot(coder.heads[lane], precision: precision)), mask: mask))
                                        var (k, c0, c1) = gs[lane]
                                        if !(c0 <= UInt64(slot) && UInt64(slot) < c1) {
                                            let f = bin.search(
                                                slot: UInt64(slot), table: table, buckets: buckets, inverseSteps: inverseSteps,
                                                total: total)
                                            k = f.0; c0 = f.1; c1 = f.1 + f.2
                                        }
                                        let value = coder.finishDecodeGaussian(
                                            &coder.heads[lane], k: k, slot: slot, start: c0, frequency: c1 - c0,
                                            bin: bin, precision: precision)
                                        output[i] = Int32(truncatingIfNeeded: value)
                                    }
                                    blockStart -= lanes
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
