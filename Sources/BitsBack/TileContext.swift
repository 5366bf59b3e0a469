import Model
import Parallelism

/// The context a tile is coded with: the network sees the tile together with a margin of pixels that
/// the decoder already knows when it decodes this tile, so that tile borders cost (almost) nothing.
///
/// Tiles are coded in raster order of bands (`TilePlan`) and decoded in reverse, so when tile j is
/// decoded every tile to its right in the same band and every band below are known. The network region
/// is the tile extended by `margin` pixels to the right and downwards (clipped to the image); it never
/// reaches tiles above or to the left, which the decoder does not know yet.
///
/// At step i the known pixels enter the network as latents z = α_{t_i}·f(x) + σ_{t_i}·ε, with ε from a
/// seeded generator keyed by the tile and the step — exactly the marginal q(z_{t_i} | x) the network was
/// trained on, and the same numbers on both sides. Only the tile's own latents are coded; the context
/// only conditions the model. Invariant: `regionLatents` depends only on the known pixels, the tile's
/// latents and the step, never on pixels the decoder lacks.
struct TileContext {
    let tile: TileRect
    /// The network's region (tile + known margin), in image coordinates.
    let region: TileRect
    /// Planar `[3][region.height][region.width]` scaled values f(x) of the known pixels (0 inside the tile).
    private let scaled: [Double]

    /// - Parameters:
    ///   - pixels: the image's HWC pixels; only those outside the tile, right of or below it, are read.
    init(tile: TileRect, imageWidth: Int, imageHeight: Int, pixels: [UInt8], margin: Int) {
        self.tile = tile
        let right = min(imageWidth, tile.x + tile.width + margin)
        let bottom = min(imageHeight, tile.y + tile.height + margin)
        region = TileRect(x: tile.x, y: tile.y, width: right - tile.x, height: bottom - tile.y)
        var scaled = [Double](repeating: 0, count: 3 * region.area)
        if region != tile {
            for y in 0..<region.height {
                for x in 0..<region.width where !Self.contains(tile, x: region.x + x, y: region.y + y) {
                    let source = ((region.y + y) * imageWidth + region.x + x) * 3
                    for c in 0..<3 {
                        scaled[(c * region.height + y) * region.width + x] = DiscretizedDecoder.scaled(Int(pixels[source + c]))
                    }
                }
            }
        }
        self.scaled = scaled
    }

    private static func contains(_ r: TileRect, x: Int, y: Int) -> Bool {
        x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
    }

    /// The network input for the region at step i: the tile's latents `tileValues` (planar over the
    /// tile) with the context latents around them. Rows are filled on up to `threads` threads; every value
    /// is computed by the same operations on any thread.
    func regionLatents(tileValues: [Float], level: NoiseLevel, step: Int, threads: Int = 1) -> [Float] {
        if region == tile { return tileValues }
        var noise = GaussianNoise(
            seed: UInt64(truncatingIfNeeded: tile.x) &* 0x9E37_79B9_7F4A_7C15
                ^ UInt64(truncatingIfNeeded: tile.y) &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(truncatingIfNeeded: step)
                &* 0x1656_67B1_9E37_79F9)
        let contextPerChannel = region.area - tile.area
        let epsilon = noise.next(count: 3 * contextPerChannel, threads: threads)
        let rw = region.width, rh = region.height, tw = tile.width, th = tile.height
        var z = [Float](repeating: 0, count: 3 * region.area)
        z.withUnsafeMutableBufferPointer { out in
            tileValues.withUnsafeBufferPointer { tileValues in
                scaled.withUnsafeBufferPointer { scaled in
                    epsilon.withUnsafeBufferPointer { epsilon in
                        ParallelLoop.forEachChunk(count: 3 * rh, threads: region.area < 4096 ? 1 : threads) { rows in
                            for row in rows {
                                let c = row / rh, y = row % rh
                                // The context values come in channel, row, column order: the row's first index.
                                var e = c * contextPerChannel + (y < th ? y * (rw - tw) : th * (rw - tw) + (y - th) * rw)
                                for x in 0..<rw {
                                    let r = (c * rh + y) * rw + x
                                    if y < th && x < tw {
                                        out[r] = tileValues[(c * th + y) * tw + x]
                                    } else {
                                        out[r] = Float(level.alpha * scaled[r] + level.sigma * Double(epsilon[e]))
                                        e += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return z
    }

    /// The tile's columns and rows in region coordinates (the tile is the region's top-left corner).
    var tileColumns: Range<Int> { 0..<tile.width }
    var tileRows: Range<Int> { 0..<tile.height }
}
