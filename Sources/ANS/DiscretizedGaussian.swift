/// The family of Gaussians N(μ, σ²) discretized on the grid δ·ℤ: symbol `k` (an `Int32`) stands for the
/// value `z = k·δ` and has the probability mass of the bin `[(k − ½)δ, (k + ½)δ)`.
///
/// ## Quantized CDF (computed on the fly, no table per symbol)
/// For a symbol with mean μ and standard deviation σ, let `m = μ/δ`, `s = σ/δ` (grid units) and
/// `h = ⌊W·s⌋ + 1` with `W = windowStandardDeviations`. The window is `[a, b] = [round(m) − h, round(m) + h]`
/// (shifted to stay inside `Int32`), `n = b − a + 1 = 2h + 1` symbols. With `T = 2^precision` and
/// `M = T − 1 − n`, in exact integer arithmetic after one IEEE float evaluation of `e_k`:
///
///     C(k) = (k − a) + ⌊M · (Φ̃(e_k) − Φ̃(e_a)) / 2^60⌋,   e_k = (k − ½ − m)/s,   k ∈ [a, b + 1]
///
/// where `Φ̃` is the fixed-point (2^60) normal CDF of `NormalCDFTable`. `C(a) = 0`, `C` is strictly
/// increasing (every window symbol has frequency ≥ 1), and `C(b + 1) ≤ T − 1`: the escape symbol owns
/// `[C(b + 1), T)` (frequency ≥ 1, ≈ the Gaussian mass beyond the window plus rounding) — with
/// `EscapePlacement.top`; with `.center` (the default) the escape interval sits after the window's
/// middle symbol `a + h` instead, and the symbols above it move up by its frequency. No per-symbol
/// normalization or division is needed. The float evaluation is IEEE-exact (no libm), so encoder and
/// decoder agree bit for bit.
///
/// ## Escape (every `Int32` is encodable)
/// A value outside the window is coded as the escape slot followed by its index `j` among the
/// `2^32 − n` values outside the window: 16 high bits uniform, then 16 low bits (uniform, or near-uniform
/// over the `2^16 − n` remaining values in the last block), so push/pop stay exact inverses for every
/// value and every bit pattern. An escaped value costs `precision + 32` bits.
///
/// ## Why the escape sits in the middle
/// Pushing a symbol leaves its interval start (plus a remainder below its frequency) in the low bits of
/// the lane's head, and the next pop on that lane reads exactly those bits. With the escape at the top
/// of every distribution, a pushed escape leaves a slot near `T − 1`, which every other distribution
/// also decodes as an escape: one escape (an unlucky pop has probability ≈ 2^−precision) set off an
/// endless cascade of escapes, measured as +560 % on cifar-500 from image 276 on. In the middle, a pushed
/// escape leaves a slot that the next distribution decodes as an ordinary central value.
///
/// ## Decoding
/// `pop` finds the symbol by inverting `Φ̃` (bucketed search of the table) for a first guess, then fixes
/// it up with exact integer comparisons of `C` (binary search over the window as a fallback). The escape
/// interval is looked at only when the guess lies beside it or above it (`GaussianBin.locate`), and its
/// frequency `T − C(b + 1)` is evaluated once per scale instead of per symbol where it provably does not
/// depend on the mean (`GaussianScale.sharedEscapeFrequency`: the posteriors' shared σ): the same
/// symbols and intervals, three CDF evaluations a pop instead of five.
///
/// ## Choosing parameters
/// The codec picks δ per step (typically σ/2^4…σ/2^8). `s = σ/δ` must satisfy `2h + 1 ≤ min(2^16 − 1, T/4)`.
/// The rate overhead against the exact discretized Gaussian is measured in `ANSTests` and the benchmark.
public struct DiscretizedGaussian: Equatable {
    /// Where the escape interval lies among the window's intervals.
    public enum EscapePlacement: Equatable, Sendable {
        /// After the last window symbol, `[C(b + 1), T)` (the layout of payload version 1).
        case top
        /// After the window's middle symbol `a + h`.
        case center
    }

    /// The grid spacing δ (> 0, finite).
    public let binWidth: Double
    /// Bits of the frequency total; 16…31.
    public let precision: Int
    /// Where the escape interval lies.
    public let escapePlacement: EscapePlacement
    /// How pops read a lane's slot (`.scrambled` for the posteriors of chain payload version 3).
    public private(set) var slotOrder: SlotOrder
    /// Half-width of the coding window in standard deviations (values beyond it use the escape).
    public static let windowStandardDeviations = 6.5

    /// Throws `invalidParameter` for δ ≤ 0 or not finite, or precision outside 16…31.
    public init(
        binWidth: Double, precision: Int = 28, escapePlacement: EscapePlacement = .center,
        slotOrder: SlotOrder = .natural
    ) throws {
        guard binWidth > 0, binWidth.isFinite else {
            throw ANSError.invalidParameter("binWidth \(binWidth) must be > 0 and finite")
        }
        guard (16...31).contains(precision) else {
            throw ANSError.invalidParameter("Gaussian precision \(precision) not in 16...31")
        }
        self.binWidth = binWidth
        self.precision = precision
        self.escapePlacement = escapePlacement
        self.slotOrder = slotOrder
    }

    /// The same grid with pops reading slots in `order`.
    public func reading(slotsIn order: SlotOrder) -> DiscretizedGaussian {
        var grid = self
        grid.slotOrder = order
        return grid
    }

    /// Bits spent to code `value` under N(mean, σ²) with this quantization (−log2 of the quantized
    /// probability, plus 32 raw bits for an escaped value).
    public func codeLength(of value: Int32, mean: Float, standardDeviation: Double) throws -> Double {
        let scale = try GaussianScale(sigma: standardDeviation, binWidth: binWidth, precision: precision)
        return try NormalCDFTable.table.withUnsafeBufferPointer { t in
            let bin = try GaussianBin(
                mean: mean, scale: scale, binWidth: binWidth, table: t.baseAddress!,
                placement: escapePlacement)
            let (_, freq, escaped) = bin.interval(of: Int64(value), table: t.baseAddress!, total: UInt64(1) << UInt64(precision))
            let p = Double(freq) / Double(UInt64(1) << UInt64(precision))
            return -ExactMathLog2.log2(p) + (escaped ? 32 : 0)
        }
    }
}

/// Per-σ quantities (shared by all symbols with the same σ).
@usableFromInline
struct GaussianScale {
    @usableFromInline let invS: Double  // δ/σ
    @usableFromInline let s: Double  // σ/δ
    @usableFromInline let halfWidth: Int  // h
    @usableFromInline let mass: UInt64  // M = T − 1 − (2h + 1)
    /// `60 − precision`: a slot shifted by it is on the scale of `Φ̃` (see `GaussianBin.phiOffset`).
    @usableFromInline let slotShift: Int
    @usableFromInline let precision: Int

    @inlinable @inline(__always)
    init(sigma: Double, binWidth: Double, precision: Int) throws {
        let s = sigma / binWidth
        guard sigma > 0, sigma.isFinite, s >= 0x1p-20, s.isFinite else {
            throw ANSError.invalidParameter("standard deviation \(sigma) invalid for binWidth \(binWidth)")
        }
        let hw = DiscretizedGaussian.windowStandardDeviations * s
        // A signed conversion (the integer is below 2^32): one instruction, the same value.
        let limit = Swift.min(Double(UInt16.max - 1) / 2, Double(1 << (precision - 2)) / 2 - 1)
        guard hw < limit - 1 else {
            throw ANSError.invalidParameter("σ/δ = \(s) too large for precision \(precision) (window of \(Int(2 * hw)) symbols)")
        }
        invS = binWidth / sigma
        self.s = s
        halfWidth = Int(hw) + 1
        mass = (UInt64(1) << UInt64(precision)) - 1 - UInt64(2 * halfWidth + 1)
        slotShift = 60 - precision
        self.precision = precision
    }

    /// The escape frequency `T − C(b + 1)` of every centered window of this scale (`GaussianBin.isCentered`)
    /// when it does not depend on the mean, else 0 (then each bin evaluates its own).
    ///
    /// Why it can be shared: for a centered window, `a = round(m) − h`, so the exact `a − ½ − m` lies in
    /// `[−h − 1, −h]` and `b + ½ − m` in `[h, h + 1]`. `fl(a − ½)` is exact, IEEE subtraction and
    /// multiplication by `invS > 0` are monotone and the interval ends are representable, so
    /// `e_a ∈ [fl((−h − 1)·invS), fl(−h·invS)]` and `e_{b+1} ∈ [fl(h·invS), fl((h + 1)·invS)]`. `Φ̃` is
    /// non-decreasing and `C(b + 1) = n + ⌊M·(Φ̃(e_{b+1}) − Φ̃(e_a))/2^60⌋` is non-decreasing in the
    /// difference, so when the two extreme differences give the same `C(b + 1)`, every centered window
    /// of the scale has it: the value each bin would compute, not an approximation.
    @inlinable
    func sharedEscapeFrequency(table: UnsafePointer<UInt64>) -> UInt64 {
        let h = Double(halfWidth)
        let inner = NormalCDFTable.value(table, at: h * invS) &- NormalCDFTable.value(table, at: -h * invS)
        let outer =
            NormalCDFTable.value(table, at: (h + 1) * invS) &- NormalCDFTable.value(table, at: (-h - 1) * invS)
        func window(_ difference: UInt64) -> UInt64 {
            let p = difference.multipliedFullWidth(by: mass)
            return UInt64(2 * halfWidth + 1) &+ ((p.high &<< 4) | (p.low &>> 60))
        }
        let top = window(inner)
        guard top == window(outer) else { return 0 }
        return (UInt64(1) << UInt64(precision)) &- top
    }
}

/// The quantized CDF of one symbol's distribution (see `DiscretizedGaussian`).
@usableFromInline
struct GaussianBin {
    @usableFromInline let a: Int64, b: Int64
    @usableFromInline let m: Double, invS: Double, s: Double
    @usableFromInline let phiA: UInt64
    @usableFromInline let mass: UInt64  // M
    @usableFromInline let slotShift: Int
    /// The window symbol that the escape interval follows (b: the escape is at the top).
    @usableFromInline let split: Int64
    /// Whether the window is `[round(m) − h, round(m) + h]`, not shifted at an end of `Int32` (then a
    /// scale's `sharedEscapeFrequency` applies).
    @usableFromInline let isCentered: Bool

    @inlinable @inline(__always)
    init(
        mean: Float, scale g: GaussianScale, binWidth: Double, table: UnsafePointer<UInt64>,
        placement: DiscretizedGaussian.EscapePlacement = .top
    ) throws {
        let mm = Double(mean) / binWidth
        guard mm.isFinite else { throw ANSError.invalidParameter("mean \(mean) not finite (or too large for binWidth)") }
        let h = Int64(g.halfWidth)
        let center = Int64(Swift.max(-4e9, Swift.min(4e9, mm.rounded(.toNearestOrEven))))
        // Keep the window [a, b] of 2h + 1 symbols inside Int32 (shift it at the ends).
        a = Swift.max(Swift.min(center - h, Int64(Int32.max) - 2 * h), Int64(Int32.min))
        b = a + 2 * h
        split = placement == .top ? b : a + h
        isCentered = a == center - h
        m = mm; invS = g.invS; s = g.s
        mass = g.mass
        slotShift = g.slotShift
        phiA = NormalCDFTable.value(table, at: (Double(a) - 0.5 - mm) * g.invS)
    }

    /// Where `slot` lies on the scale of `Φ̃`, for a first guess only: `slot · 2^60 / T` (a shift) stands
    /// for the exact `(slot − (k − a)) · 2^60 / M`, off by at most about `n` slots, which the exact
    /// comparisons that follow every guess absorb (a guess never decides a symbol).
    @inlinable @inline(__always)
    func phiOffset(slot: UInt64) -> UInt64 { slot &<< UInt64(slotShift) }

    /// C(k) for k in [a, b + 1] (exact integers after the one float evaluation of e_k).
    @inlinable @inline(__always)
    func cdf(_ k: Int64, table: UnsafePointer<UInt64>) -> UInt64 {
        let phi = NormalCDFTable.value(table, at: (Double(k) - 0.5 - m) * invS)
        let p = (phi &- phiA).multipliedFullWidth(by: mass)
        return UInt64(k - a) &+ ((p.high &<< 4) | (p.low &>> 60))
    }

    /// The escape frequency `T − C(b + 1)`: `shared` (a scale's `sharedEscapeFrequency`) where it applies,
    /// otherwise evaluated.
    @inlinable @inline(__always)
    func escapeFrequency(shared: UInt64, table: UnsafePointer<UInt64>, total: UInt64) -> UInt64 {
        shared != 0 && isCentered ? shared : total &- cdf(b + 1, table: table)
    }

    /// The symbol whose interval of the whole layout holds `slot`: (k, start, end) with k = b + 1 for the
    /// escape. `first` is `guessTopLayout(slot:…)` for this slot (computed ahead, so that the guesses of a
    /// block's lanes overlap in the CPU). The escape interval is looked up only where the guess lies next
    /// to it or above it, and `sharedEscape` (`GaussianScale.sharedEscapeFrequency`, or 0) spares its CDF
    /// evaluation; the answer is the one `search` gives, since the intervals partition `[0, T)`.
    @inlinable @inline(__always)
    func locate(
        slot: UInt64, first: (Int64, UInt64, UInt64), sharedEscape: UInt64, table: UnsafePointer<UInt64>,
        buckets: UnsafePointer<Int32>, inverseSteps: UnsafePointer<Double>, total: UInt64
    ) -> (Int64, UInt64, UInt64) {
        let (k, c0, c1) = first
        if split == b {
            if c0 <= slot && slot < c1 { return (k, c0, c1) }
        } else if k <= split {
            // Below the escape the layout is the top layout's; C(split + 1) is where the escape starts.
            if c0 <= slot && slot < c1 { return (k, c0, c1) }
            if k == split && slot >= c1 {
                let frequency = escapeFrequency(shared: sharedEscape, table: table, total: total)
                if slot - c1 < frequency { return (b + 1, c1, c1 + frequency) }
            }
        } else if k <= b {
            // Above the escape every interval is shifted up by its frequency.
            let frequency = escapeFrequency(shared: sharedEscape, table: table, total: total)
            if c0 &+ frequency <= slot && slot < c1 &+ frequency { return (k, c0 + frequency, c1 + frequency) }
            if k == split + 1 && slot >= c0 && slot - c0 < frequency { return (b + 1, c0, c0 + frequency) }
        }
        let escape = split == b ? (total, 0) : escapeInterval(table: table, total: total)
        let (symbol, start, frequency) = search(
            slot: slot, escape: escape, table: table, buckets: buckets, inverseSteps: inverseSteps, total: total)
        return (symbol, start, start + frequency)
    }

    /// (start, frequency) of the escape interval: `[C(b + 1), T)` at the top, otherwise
    /// `[C(split + 1), C(split + 1) + T − C(b + 1))`.
    @inlinable @inline(__always)
    func escapeInterval(table: UnsafePointer<UInt64>, total: UInt64) -> (UInt64, UInt64) {
        let frequency = total &- cdf(b + 1, table: table)
        return (split == b ? total &- frequency : cdf(split + 1, table: table), frequency)
    }

    /// (start, frequency, escaped) of value k; for a value outside the window, the escape interval.
    @inlinable @inline(__always)
    func interval(of k: Int64, table: UnsafePointer<UInt64>, total: UInt64) -> (UInt64, UInt64, Bool) {
        if k < a || k > b {
            let (start, frequency) = escapeInterval(table: table, total: total)
            return (start, frequency, true)
        }
        let c0 = cdf(k, table: table)
        let frequency = cdf(k + 1, table: table) - c0
        return (k > split ? c0 + (total &- cdf(b + 1, table: table)) : c0, frequency, false)
    }

    /// Like `searchTopLayout`, for a slot of the whole layout (escape after `split`): (k, start, frequency) with
    /// k = b + 1 for the escape.
    @inlinable @inline(__always)
    /// `escape` is `escapeInterval(table:total:)`.
    func search(
        slot: UInt64, escape: (start: UInt64, frequency: UInt64), table: UnsafePointer<UInt64>,
        buckets: UnsafePointer<Int32>, inverseSteps: UnsafePointer<Double>, total: UInt64
    ) -> (Int64, UInt64, UInt64) {
        if split == b {
            return searchTopLayout(slot: slot, table: table, buckets: buckets, inverseSteps: inverseSteps, total: total)
        }
        let (escapeStart, escapeFrequency) = escape
        if slot >= escapeStart && slot - escapeStart < escapeFrequency { return (b + 1, escapeStart, escapeFrequency) }
        // Below the escape, slots are as in the top layout; above it, shifted by its frequency. Either
        // way the shifted slot is below C(b + 1), so `searchTopLayout` returns a window symbol.
        let raw = slot < escapeStart ? slot : slot - escapeFrequency
        let (k, start, frequency) = searchTopLayout(
            slot: raw, table: table, buckets: buckets, inverseSteps: inverseSteps, total: total)
        return (k, k > split ? start + escapeFrequency : start, frequency)
    }

    /// The window symbol k with C(k) ≤ slot < C(k+1) and its interval, or k = b + 1 (escape) with the
    /// escape interval [C(b+1), T).
    @inlinable @inline(__always)
    func searchTopLayout(
        slot: UInt64, table: UnsafePointer<UInt64>, buckets: UnsafePointer<Int32>, inverseSteps: UnsafePointer<Double>,
        total: UInt64
    ) -> (Int64, UInt64, UInt64) {
        let target = phiA &+ phiOffset(slot: slot)
        let e = NormalCDFTable.inverse(table, buckets: buckets, inverseSteps: inverseSteps, of: target)
        let guess = (e * s + m + 0.5).rounded(.down)
        var k = Int64(Swift.max(Double(a), Swift.min(Double(b + 1), guess)))
        var c0 = cdf(k, table: table)
        var steps = 0
        while c0 > slot && steps < 4 { k -= 1; c0 = cdf(k, table: table); steps += 1 }
        if c0 <= slot {
            if k == b + 1 { return (k, c0, total - c0) }
            var c1 = cdf(k + 1, table: table)
            while c1 <= slot && steps < 4 {
                k += 1; c0 = c1
                if k == b + 1 { return (k, c0, total - c0) }
                c1 = cdf(k + 1, table: table); steps += 1
            }
            if c1 > slot { return (k, c0, c1 - c0) }
        }
        // Fallback: binary search with C(lo) ≤ slot < C(hi), over [a, b + 2) where C(b + 2) := T.
        let escape = cdf(b + 1, table: table)
        if slot >= escape { return (b + 1, escape, total - escape) }
        var lo = a, hi = b + 1
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if cdf(mid, table: table) <= slot { lo = mid } else { hi = mid }
        }
        let start = cdf(lo, table: table)
        return (lo, start, cdf(lo + 1, table: table) - start)
    }

    /// A first guess for pop: k (in [a, b + 1]) with its C(k) and C(k+1) (T for k = b + 1). Correct when
    /// C(k) ≤ slot < C(k+1); otherwise the caller uses `searchTopLayout`. Branch-free apart from the table search, so
    /// that the guesses of all lanes of a block overlap in the CPU.
    @inlinable @inline(__always)
    func guessTopLayout(
        slot: UInt64, table: UnsafePointer<UInt64>, buckets: UnsafePointer<Int32>, inverseSteps: UnsafePointer<Double>,
        total: UInt64
    ) -> (Int64, UInt64, UInt64) {
        let target = phiA &+ phiOffset(slot: slot)
        let e = NormalCDFTable.inverse(table, buckets: buckets, inverseSteps: inverseSteps, of: target)
        let g = (e * s + m + 0.5).rounded(.down)
        let k = Int64(Swift.max(Double(a), Swift.min(Double(b + 1), g)))
        let c0 = cdf(k, table: table)
        let c1 = k == b + 1 ? total : cdf(k + 1, table: table)
        return (k, c0, c1)
    }

    /// Index of an escaped value among the 2^32 − n values outside the window.
    @inlinable @inline(__always)
    func escapeIndex(of k: Int64) -> UInt64 {
        k < a ? UInt64(k - Int64(Int32.min)) : UInt64(a - Int64(Int32.min)) + UInt64(k - b - 1)
    }

    @inlinable @inline(__always)
    func escapedValue(index j: UInt64) -> Int64 {
        let below = UInt64(a - Int64(Int32.min))
        return j < below ? Int64(Int32.min) + Int64(j) : b + 1 + Int64(j - below)
    }

    /// Size of the last 16-bit block of escape indices (2^16 − n).
    @inlinable @inline(__always)
    var lastBlockSize: UInt64 { 65536 - UInt64(b - a + 1) }
}

/// Near-uniform coding of `lo < size` (size ≤ 2^16) with total 2^16: the first `size·(q+1) − 2^16`… symbols
/// get `q + 1` slots, the others `q`, where q = 2^16 / size.
@usableFromInline
enum NearUniform16 {
    @inlinable @inline(__always)
    static func interval(of lo: UInt64, size: UInt64) -> (UInt32, UInt32) {
        let q = 65536 / size, r = 65536 % size
        let start = lo * q + Swift.min(lo, r)
        return (UInt32(start), UInt32(lo < r ? q + 1 : q))
    }

    @inlinable @inline(__always)
    static func symbol(at slot: UInt64, size: UInt64) -> UInt64 {
        let q = 65536 / size, r = 65536 % size
        return slot < r * (q + 1) ? slot / (q + 1) : r + (slot - r * (q + 1)) / q
    }
}

extension LaneCoder {
    /// Encodes value k (any Int32) under `bin` into `head` (escape parts first, so pop reads them last).
    @inlinable @inline(__always)
    mutating func encodeGaussian(
        _ head: inout UInt64, _ k: Int64, bin: GaussianBin, precision: Int, order: SlotOrder, table: UnsafePointer<UInt64>
    ) {
        if k < bin.a || k > bin.b {
            let j = bin.escapeIndex(of: k)
            let high = j >> 16, low = j & 0xFFFF
            if high == 0xFFFF {
                let (s, f) = NearUniform16.interval(of: low, size: bin.lastBlockSize)
                encode(&head, start: s, frequency: f, precision: 16)
            } else {
                encode(&head, start: UInt32(low), frequency: 1, precision: 16)
            }
            encode(&head, start: UInt32(high), frequency: 1, precision: 16)
            let (start, frequency) = bin.escapeInterval(table: table, total: UInt64(1) << UInt64(precision))
            encode(&head, start: UInt32(start), frequency: UInt32(frequency), precision: precision, order: order)
            return
        }
        let (start, frequency, _) = bin.interval(of: k, table: table, total: UInt64(1) << UInt64(precision))
        encode(&head, start: UInt32(start), frequency: UInt32(frequency), precision: precision, order: order)
    }

    /// Completes decoding of window symbol (or escape, k = b + 1) `k` with interval [start, start + frequency).
    @inlinable @inline(__always)
    mutating func finishDecodeGaussian(
        _ head: inout UInt64, k: Int64, slot: UInt32, start: UInt64, frequency: UInt64,
        bin: GaussianBin, precision: Int
    ) -> Int64 {
        decodeAdvance(&head, slot: slot, start: UInt32(start), frequency: UInt32(frequency), precision: precision)
        if k <= bin.b { return k }
        // Escape: 16 high bits, then 16 low bits of the index among values outside the window.
        let high = UInt64(LaneCoder.slot(head, precision: 16))
        decodeAdvance(&head, slot: UInt32(high), start: UInt32(high), frequency: 1, precision: 16)
        let lowSlot = LaneCoder.slot(head, precision: 16)
        var low: UInt64
        if high == 0xFFFF {
            low = NearUniform16.symbol(at: UInt64(lowSlot), size: bin.lastBlockSize)
            let (s, f) = NearUniform16.interval(of: low, size: bin.lastBlockSize)
            decodeAdvance(&head, slot: lowSlot, start: s, frequency: f, precision: 16)
        } else {
            low = UInt64(lowSlot)
            decodeAdvance(&head, slot: lowSlot, start: lowSlot, frequency: 1, precision: 16)
        }
        return bin.escapedValue(index: high << 16 | low)
    }
}
