import ExactMath
import Parallelism

/// Where a convolution's results go (its fused epilogue). Every target has the convolution's output
/// size and `outputChannels` channels.
struct ConvolutionOutput {
    /// Receives the result r (or, with `residual`, its old value plus r).
    var raw: FeatureMap?
    /// When true, `raw` holds a residual stream h and receives h + r (one IEEE addition).
    var residual = false
    /// Receives SiLU of the value stored in `raw` (or of r when `raw` is nil).
    var activated: FeatureMap?
}

/// A 3 × 3 convolution, stride 1, zero padding 1, with bias (PyTorch `Conv2d(cin, cout, 3, padding=1)`),
/// evaluated on channels-last maps as a GEMM over the 9 shifted views of the padded input: no im2col.
///
/// Determinism: output element (y, x, co) = bias'[co] + Σ_{tap 0…8} Σ_{ci 0…cin−1} in·w, accumulated in
/// exactly that order with one FMA per product (see `Microkernel`), whatever the thread count or image
/// size. Threads split the output rows.
struct Convolution3x3 {
    let inputChannels: Int
    let outputChannels: Int
    /// Output columns per packed panel: 8 for narrow convolutions (≤ 8 outputs, the 12 × 8 kernel),
    /// else 16 (the 6 × 16 kernel).
    let panelWidth: Int
    /// Number of output-column panels.
    let panels: Int
    /// `[panels][9][inputChannels][panelWidth]`, zero in the columns beyond `outputChannels`.
    let packedWeights: [Float]
    /// `[panels * panelWidth]`, zero-padded.
    let bias: [Float]

    /// - Parameters:
    ///   - weight: PyTorch layout `[cout, cin, 3, 3]`, `cout * cin * 9` values.
    ///   - bias: `cout` values.
    init(weight: [Float], bias: [Float], inputChannels: Int, outputChannels: Int) {
        precondition(weight.count == outputChannels * inputChannels * 9 && bias.count == outputChannels)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let columns = outputChannels <= 8 ? 8 : Microkernel.columns
        panelWidth = columns
        panels = (outputChannels + columns - 1) / columns
        var packed = [Float](repeating: 0, count: panels * 9 * inputChannels * columns)
        for co in 0..<outputChannels {
            let panel = co / columns, j = co % columns
            for ci in 0..<inputChannels {
                for tap in 0..<9 {
                    let index = ((panel * 9 + tap) * inputChannels + ci) * columns + j
                    packed[index] = weight[(co * inputChannels + ci) * 9 + tap]
                }
            }
        }
        packedWeights = packed
        var paddedBias = [Float](repeating: 0, count: panels * columns)
        paddedBias.replaceSubrange(0..<outputChannels, with: bias)
        self.bias = paddedBias
    }

    /// Multiply–add count of one evaluation on a width × height map (FMA = 2 FLOPs).
    func flops(width: Int, height: Int) -> Double {
        2 * 9 * Double(inputChannels * outputChannels) * Double(width * height)
    }

    /// Convolves `input` (channels == `inputChannels`) into `output`, at the output pixels `rows × columns`
    /// only (default: all of them). Every output value is the same whichever rectangle is computed (the
    /// summation order of an element does not depend on its neighbours); pixels outside the rectangle are
    /// left as they were.
    /// - Parameter extraBias: optional `outputChannels` values added to the bias first
    ///   (bias'[co] = bias[co] + extraBias[co], one rounding), e.g. the time embedding projection.
    /// - Precondition: `rows` and `columns` lie inside the map.
    func apply(
        to input: FeatureMap, extraBias: [Float]? = nil, output: ConvolutionOutput, rows: Range<Int>? = nil,
        columns: Range<Int>? = nil, threads: Int
    ) {
        precondition(input.channels == inputChannels)
        var effectiveBias = bias
        if let extraBias {
            for co in 0..<outputChannels { effectiveBias[co] = bias[co] + extraBias[co] }
        }
        let width = input.width
        let rows = rows ?? 0..<input.height, columns = columns ?? 0..<width
        precondition(rows.lowerBound >= 0 && rows.upperBound <= input.height)
        precondition(columns.lowerBound >= 0 && columns.upperBound <= width)
        if rows.isEmpty || columns.isEmpty { return }
        let cin = inputChannels
        let tapOffsets = (0..<9).map { tap in ((tap / 3) * input.paddedWidth + tap % 3) * cin }
        packedWeights.withUnsafeBufferPointer { weights in
            effectiveBias.withUnsafeBufferPointer { biasBuffer in
                tapOffsets.withUnsafeBufferPointer { taps in
                    ParallelLoop.forEachChunk(count: rows.count, threads: threads) { chunk in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 12 * 16)
                        defer { scratch.deallocate() }
                        for row in chunk {
                            convolveRow(
                                rows.lowerBound + row, input: input, columns: columns, weights: weights.baseAddress!,
                                bias: biasBuffer.baseAddress!, taps: taps.baseAddress!, scratch: scratch,
                                output: output)
                        }
                    }
                }
            }
        }
    }

    /// Output pixels `columns` of row `y`. Blocks of `Microkernel.rows` pixels; a block that would pass the
    /// end of `columns` is shifted left (within the map) and stores only its pixels in `columns`.
    @inline(__always)
    private func convolveRow(
        _ y: Int, input: FeatureMap, columns: Range<Int>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        taps: UnsafePointer<Int>, scratch: UnsafeMutablePointer<Float>, output: ConvolutionOutput
    ) {
        let cin = inputChannels
        let width = input.width
        if panelWidth == 8 {
            convolveNarrowRow(
                y, input: input, columns: columns, weights: weights, bias: bias, taps: taps, scratch: scratch,
                output: output)
            return
        }
        let panelSize = 9 * cin * 16
        // Input pointer of the top-left tap of output pixel (y, x) is input.pixel(y − 1, x − 1).
        if width < Microkernel.rows {
            for x in columns {
                let a = UnsafePointer(input.pixel(y - 1, x - 1))
                for panel in 0..<panels {
                    Microkernel.multiplyAccumulate1x16(
                        a: a, tapOffsets: taps, tapCount: 9, depth: cin, b: weights + panel * panelSize,
                        initial: bias + panel * 16, result: scratch)
                    finish(scratch, stride: 16, rows: 0..<1, y: y, x: x, panel: panel, output: output)
                }
            }
            return
        }
        var x = columns.lowerBound
        while x < columns.upperBound {
            // The last block is shifted left to end at the columns' end (or at the map's start); it
            // recomputes (identically) and skips the pixels an earlier block already stored.
            let start = max(0, min(x, columns.upperBound - Microkernel.rows))
            let skip = x - start
            let end = min(Microkernel.rows, columns.upperBound - start)
            let a = UnsafePointer(input.pixel(y - 1, start - 1))
            for panel in 0..<panels {
                Microkernel.multiplyAccumulate6x16(
                    a: a, rowStride: cin, tapOffsets: taps, tapCount: 9, depth: cin,
                    b: weights + panel * panelSize, initial: bias + panel * 16, initialRowStride: 0,
                    result: scratch, resultRowStride: 16)
                finish(scratch, stride: 16, rows: skip..<end, y: y, x: start, panel: panel, output: output)
            }
            x = start + end
        }
    }

    /// Output pixels `columns` of row `y` of a narrow convolution (≤ 8 outputs): 12-pixel blocks, the last
    /// one shifted left.
    @inline(__always)
    private func convolveNarrowRow(
        _ y: Int, input: FeatureMap, columns: Range<Int>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        taps: UnsafePointer<Int>, scratch: UnsafeMutablePointer<Float>, output: ConvolutionOutput
    ) {
        let cin = inputChannels
        let block = 12
        if input.width < block {
            for x in columns {
                Microkernel.multiplyAccumulate1x8(
                    a: UnsafePointer(input.pixel(y - 1, x - 1)), tapOffsets: taps, tapCount: 9, depth: cin, b: weights,
                    initial: bias, result: scratch)
                finish(scratch, stride: 8, rows: 0..<1, y: y, x: x, panel: 0, output: output)
            }
            return
        }
        var x = columns.lowerBound
        while x < columns.upperBound {
            let start = max(0, min(x, columns.upperBound - block))
            let end = min(block, columns.upperBound - start)
            Microkernel.multiplyAccumulate12x8(
                a: UnsafePointer(input.pixel(y - 1, start - 1)), rowStride: cin, tapOffsets: taps, tapCount: 9,
                depth: cin, b: weights, initial: bias, result: scratch)
            finish(scratch, stride: 8, rows: (x - start)..<end, y: y, x: start, panel: 0, output: output)
            x = start + end
        }
    }

    /// The epilogue of a full 16-column panel (vector loads, stores and SiLU). Kept out of line so that
    /// its vector stores are inlined into it (inside the large row function they were left as calls).
    @inline(never)
    private func finishFullPanel(
        _ block: UnsafeMutablePointer<Float>, rows: Range<Int>, y: Int, x: Int, c0: Int, output: ConvolutionOutput
    ) {
        for row in rows {
            var v0 = Microkernel.load(block + row * 16), v1 = Microkernel.load(block + row * 16 + 8)
            if let raw = output.raw {
                let p = raw.pixel(y, x + row) + c0
                if output.residual {
                    v0 = Microkernel.load(p) + v0
                    v1 = Microkernel.load(p + 8) + v1
                }
                Microkernel.store(v0, p); Microkernel.store(v1, p + 8)
            }
            if let activated = output.activated {
                let q = activated.pixel(y, x + row) + c0
                Microkernel.store(ExactMath.silu(v0), q)
                Microkernel.store(ExactMath.silu(v1), q + 8)
            }
        }
    }

    /// The epilogue: writes rows `rows` of a result block whose rows are `stride` apart (pixels (y, x + row)).
    @inline(__always)
    private func finish(
        _ block: UnsafeMutablePointer<Float>, stride: Int, rows: Range<Int>, y: Int, x: Int, panel: Int,
        output: ConvolutionOutput
    ) {
        let c0 = panel * panelWidth
        let valid = min(panelWidth, outputChannels - c0)
        if valid == 16 {
            finishFullPanel(block, rows: rows, y: y, x: x, c0: c0, output: output)
        } else {
            for row in rows {
                for j in 0..<valid {
                    var v = block[row * stride + j]
                    if let raw = output.raw {
                        let p = raw.pixel(y, x + row) + c0 + j
                        if output.residual { v = p.pointee + v }
                        p.pointee = v
                    }
                    if let activated = output.activated {
                        activated.pixel(y, x + row)[c0 + j] = ExactMath.silu(v)
                    }
                }
            }
        }
    }
}
