import ExactMath
import Foundation
import Parallelism

/// The network's output for one image: planar `[3][height][width]` buffers.
public struct DenoiserOutput {
    /// ε̂, the predicted noise.
    public var epsilon: [Float]
    /// v, the learned-variance interpolation output (nil for a checkpoint without learned variance).
    public var v: [Float]?
}

/// The denoiser ε̂_θ(z, γ) of architecture `vdmz-resnet-1` (training/NETWORK.md), on the project's own
/// deterministic kernels.
///
/// Layouts: inputs and outputs are planar float32 `[3][height][width]` (PyTorch's NCHW for one image);
/// inside, activations are channels-last.
///
/// Determinism (docs/DESIGN.md §3): the output bits depend only on the checkpoint, z and γ — not on the thread
/// count, not on the tile size (tiles carry a halo of 2B + 2 pixels, the receptive radius, so their
/// interior equals the whole-image result bit for bit), and not on the machine as long as it has IEEE-754
/// float32/float64 with FMA: every convolution output has a fixed summation order with explicit FMA,
/// activations and Fourier features use `ExactMath`, and no platform library computes anything.
///
/// Memory: besides the caller's input and output (planar z, ε̂ and v: 4 bytes per sub-pixel each), one
/// evaluation holds one tile's activations, at most (t + 4B + 6)² pixels × (3C + 3(1+2k) + outC) floats
/// for tile side t — ≈ 134 MB for C = 32, B = 4, t = 512 — whatever the image size (measured: a
/// 6000 × 4000 forward pass peaks at 76 MB above its 576 MB of z and ε̂ with t = 384).
///
/// Thread safety: concurrent `evaluate` calls are safe; between calls the denoiser keeps at most one spare
/// tile workspace (its memory, up to the bound above) for reuse.
public final class Denoiser {
    /// The checkpoint's architecture.
    public let metadata: CheckpointMetadata
    /// Default largest interior side of a tile; images are split into equal tiles no larger than this.
    public static let defaultTileSize = 512

    let fourier: FourierFeatures
    let timeEmbedding: TimeEmbedding
    let inputConvolution: Convolution3x3
    let blockConvolutions: [(first: Convolution3x3, second: Convolution3x3)]
    let blockEmbeddings: [LinearLayer]
    let outputConvolution: Convolution3x3
    /// One spare workspace kept between calls (allocating and first touching up to ~134 MB per call
    /// costs a few percent on large images); guarded by `workspaceLock` for concurrent callers.
    private var spareWorkspace: TileWorkspace?
    private let workspaceLock = NSLock()

    /// Builds the network from `checkpoint` (shapes were validated when it was loaded).
    public init(checkpoint: Checkpoint) throws {
        let m = checkpoint.metadata
        metadata = m
        let c = m.channels
        fourier = FourierFeatures(exponents: m.fourierExponents)
        timeEmbedding = try TimeEmbedding(checkpoint: checkpoint, channels: c)
        func convolution(_ name: String, _ cin: Int, _ cout: Int) throws -> Convolution3x3 {
            Convolution3x3(
                weight: try checkpoint.tensor(name + ".weight"), bias: try checkpoint.tensor(name + ".bias"),
                inputChannels: cin, outputChannels: cout)
        }
        inputConvolution = try convolution("conv_in", m.inputChannels, c)
        blockConvolutions = try (0..<m.blocks).map { b in
            (try convolution("blocks.\(b).conv1", c, c), try convolution("blocks.\(b).conv2", c, c))
        }
        blockEmbeddings = try (0..<m.blocks).map { b in
            try LinearLayer(checkpoint: checkpoint, name: "blocks.\(b).temb", inputs: 4 * c, outputs: c)
        }
        outputConvolution = try convolution("conv_out", c, m.outputChannels)
    }

    /// Nominal FLOPs of one evaluation on a width × height image (multiply and add counted as 2; the
    /// convolutions only, without tile halos): 2·9·(inC·C + 2B·C² + C·outC)·W·H.
    public func flops(width: Int, height: Int) -> Double {
        let m = metadata
        let perPixel =
            2 * 9
            * (m.inputChannels * m.channels + 2 * m.blocks * m.channels * m.channels
                + m.channels * m.outputChannels)
        return Double(perPixel) * Double(width) * Double(height)
    }

    /// Evaluates ε̂_θ(z, γ) (and v with learned variance) on the whole image.
    /// - Parameters:
    ///   - z: planar `[3][height][width]` latent.
    ///   - gamma: γ_t as float32 (from `NoiseSchedule.gammas`).
    ///   - threads: worker threads (≥ 1); the result does not depend on it.
    ///   - tileSize: largest interior tile side; the result does not depend on it.
    /// - Throws: `ModelError.invalidArgument` for an empty image, a z of the wrong size, a non-finite γ,
    ///   or non-positive thread count or tile size.
    public func evaluate(
        z: [Float], width: Int, height: Int, gamma: Float, threads: Int = 1, tileSize: Int = defaultTileSize
    ) throws -> DenoiserOutput {
        try evaluate(
            z: z, width: width, height: height, columns: 0..<width, rows: 0..<height, gamma: gamma, threads: threads,
            tileSize: tileSize)
    }

    /// Evaluates the network on the rectangle `columns × rows` of a larger image only (for a codec that
    /// works tile by tile): the output equals, bit for bit, that rectangle of the whole-image result — the
    /// rectangle is computed with its receptive-field halo from `z`, and zero padding only at the image's
    /// own borders.
    /// - Returns: planar `[3][rows.count][columns.count]` buffers.
    /// - Throws: as `evaluate(z:width:height:gamma:threads:tileSize:)`, and for an empty rectangle or one
    ///   outside the image.
    public func evaluate(
        z: [Float], width: Int, height: Int, columns: Range<Int>, rows: Range<Int>, gamma: Float, threads: Int = 1,
        tileSize: Int = defaultTileSize
    ) throws -> DenoiserOutput {
        guard width >= 1, height >= 1, width <= 1 << 16, height <= 1 << 16 else {
            throw ModelError.invalidArgument("image size \(width)×\(height) is outside 1…65536 per side")
        }
        guard z.count == 3 * width * height else {
            throw ModelError.invalidArgument("z has \(z.count) values, expected 3·\(width)·\(height)")
        }
        guard !columns.isEmpty, !rows.isEmpty, columns.lowerBound >= 0, rows.lowerBound >= 0,
            columns.upperBound <= width, rows.upperBound <= height
        else {
            throw ModelError.invalidArgument("rectangle \(columns) × \(rows) is empty or outside the \(width)×\(height) image")
        }
        guard threads >= 1, tileSize >= 1 else {
            throw ModelError.invalidArgument("threads and tile size must be positive")
        }
        guard gamma.isFinite else { throw ModelError.invalidArgument("γ must be finite, got \(gamma)") }
        let m = metadata
        let temb = timeEmbedding(gamma: gamma)
        let blockBiases = blockEmbeddings.map { $0.apply(temb) }
        let radius = m.receptiveRadius
        let outWidth = columns.count, outHeight = rows.count
        let tiling = HaloTiling(columns: columns, rows: rows, width: width, height: height, radius: radius, tileSize: tileSize)
        let capacity = (min(width, tiling.tileWidth + 2 * radius) + 2) * (min(height, tiling.tileHeight + 2 * radius) + 2)
        let workspace = takeWorkspace(capacityPixels: capacity)
        defer { returnWorkspace(workspace) }
        let plane = outWidth * outHeight
        // Every element is written below (the tiles' interiors partition the rectangle).
        var epsilon = [Float](unsafeUninitializedCapacity: 3 * plane) { $1 = $0.count }
        var variance = [Float](unsafeUninitializedCapacity: m.learnedVariance ? 3 * plane : 0) { $1 = $0.count }
        z.withUnsafeBufferPointer { zBuffer in
            for tile in tiling.tiles {
                workspace.reshape(width: tile.regionX.count, height: tile.regionY.count)
                run(
                    workspace, z: zBuffer.baseAddress!, width: width, height: height, originX: tile.regionX.lowerBound,
                    originY: tile.regionY.lowerBound,
                    interiorX: tile.interiorInRegionX, interiorY: tile.interiorInRegionY,
                    blockBiases: blockBiases, threads: threads)
                let output = workspace.output
                epsilon.withUnsafeMutableBufferPointer { epsilon in
                    variance.withUnsafeMutableBufferPointer { variance in
                        let withVariance = variance.count > 0
                        ParallelLoop.forEachChunk(
                            count: tile.interiorY.count,
                            threads: tile.interiorX.count * tile.interiorY.count < 16384 ? 1 : threads
                        ) { chunk in
                            for y in chunk.lowerBound + tile.interiorY.lowerBound..<chunk.upperBound + tile.interiorY.lowerBound {
                                for x in tile.interiorX {
                                    let p = output.pixel(y - tile.regionY.lowerBound, x - tile.regionX.lowerBound)
                                    let index = (y - rows.lowerBound) * outWidth + (x - columns.lowerBound)
                                    for c in 0..<3 { epsilon[c * plane + index] = p[c] }
                                    if withVariance { for c in 0..<3 { variance[c * plane + index] = p[3 + c] } }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DenoiserOutput(epsilon: epsilon, v: m.learnedVariance ? variance : nil)
    }

    /// The tile size that evaluates a `width × height` input as one tile when that tile's workspace is no
    /// larger than the workspace of one `defaultTileSize` tile with its halo (so the memory bound above
    /// holds), else `defaultTileSize`. The tile size never changes an output value, only the halo work:
    /// a coder's 768 × 351 region is one tile instead of two with 10-pixel halos (−5 % of its FLOPs).
    public func tileSize(coveringWhole width: Int, height: Int) -> Int {
        let side = Self.defaultTileSize + 2 * metadata.receptiveRadius + 2
        return (width + 2) * (height + 2) <= side * side ? max(width, height, 1) : Self.defaultTileSize
    }

    private func takeWorkspace(capacityPixels: Int) -> TileWorkspace {
        workspaceLock.lock()
        let spare = spareWorkspace
        if let spare, spare.capacityPixels >= capacityPixels { spareWorkspace = nil }
        workspaceLock.unlock()
        if let spare, spare.capacityPixels >= capacityPixels { return spare }
        return TileWorkspace(metadata: metadata, capacityPixels: capacityPixels)
    }

    private func returnWorkspace(_ workspace: TileWorkspace) {
        workspaceLock.lock()
        if (spareWorkspace?.capacityPixels ?? -1) < workspace.capacityPixels { spareWorkspace = workspace }
        workspaceLock.unlock()
    }

    /// The whole network on one region (workspace already shaped to it), for the output pixels
    /// `interiorX × interiorY` (region coordinates). Layer l of the L = 2B + 2 convolutions is computed
    /// only where layer L needs it: the interior widened by L − l pixels (clipped to the region), so a
    /// region's halo costs a shrinking band per layer instead of the whole halo at every layer. The
    /// values there are those of the whole region: each output value's summation order does not depend
    /// on which pixels are computed, and every value a needed pixel reads lies in the previous layer's
    /// rectangle or in the zero border.
    private func run(
        _ w: TileWorkspace, z: UnsafePointer<Float>, width: Int, height: Int, originX: Int, originY: Int,
        interiorX: Range<Int>, interiorY: Range<Int>, blockBiases: [[Float]], threads: Int
    ) {
        let fourier = self.fourier
        let layers = 2 * blockConvolutions.count + 2
        func rectangle(layer: Int) -> (rows: Range<Int>, columns: Range<Int>) {
            let widen = layers - layer
            return (
                max(0, interiorY.lowerBound - widen)..<min(w.input.height, interiorY.upperBound + widen),
                max(0, interiorX.lowerBound - widen)..<min(w.input.width, interiorX.upperBound + widen)
            )
        }
        ParallelLoop.forEachChunk(count: w.input.height, threads: threads) { rows in
            fourier.fill(w.input, rows: rows, z: z, imageWidth: width, imageHeight: height, originX: originX, originY: originY)
        }
        var r = rectangle(layer: 1)
        inputConvolution.apply(
            to: w.input, output: ConvolutionOutput(raw: w.stream, activated: w.activated), rows: r.rows,
            columns: r.columns, threads: threads)
        for (b, block) in blockConvolutions.enumerated() {
            r = rectangle(layer: 2 + 2 * b)
            block.first.apply(
                to: w.activated, extraBias: blockBiases[b], output: ConvolutionOutput(activated: w.hidden), rows: r.rows,
                columns: r.columns, threads: threads)
            r = rectangle(layer: 3 + 2 * b)
            block.second.apply(
                to: w.hidden, output: ConvolutionOutput(raw: w.stream, residual: true, activated: w.activated),
                rows: r.rows, columns: r.columns, threads: threads)
        }
        r = rectangle(layer: layers)
        outputConvolution.apply(
            to: w.activated, output: ConvolutionOutput(raw: w.output), rows: r.rows, columns: r.columns, threads: threads)
    }
}
