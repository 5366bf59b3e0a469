/// A rectangle of an image, in pixels.
public struct TileRect: Equatable, Sendable {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Pixels in the rectangle.
    public var area: Int { width * height }
}

/// How one image is cut into tiles that are coded one after another on one ANS stack.
///
/// Why tiles (DESIGN §2): the first operation of a bits-back chain is a pop of z_0 ~ q(z_0 | x), which
/// needs about log2(σ/δ) + 2 bits per sub-pixel already on the stack. A whole large image would draw
/// all of them from the initial bits, more than the image's own code length. Coded as tiles whose areas
/// grow geometrically from a small first tile, every later tile finds enough bits left on the stack by
/// the tiles coded before it, and only the first tile draws initial bits.
///
/// The plan depends only on the image size and the plan's parameters (integers), so encoder and decoder
/// derive the same tiles. Invariants of `tiles(width:height:)`: the tiles partition the image exactly,
/// each has a positive area, and a tile exceeds `maxTilePixels` only where a band left no room to avoid
/// a sliver of fewer than `blockSize / 2` rows (then by less than that sliver).
public struct TilePlan: Equatable, Sendable {
    /// Side of the first tile and the height of the first band of tiles, in pixels.
    public let blockSize: Int
    /// Each tile's target area is the previous one's times `growthNumerator / growthDenominator`.
    public let growthNumerator: Int
    public let growthDenominator: Int
    /// Largest tile area in pixels (bounds the latents held in memory while coding one tile).
    public let maxTilePixels: Int

    /// The default plan: 16-pixel first tile, areas growing by 5/4 per tile, at most 2^18 pixels a tile.
    public static let standard = TilePlan(blockSize: 16, growthNumerator: 5, growthDenominator: 4, maxTilePixels: 1 << 18)

    public init(blockSize: Int, growthNumerator: Int, growthDenominator: Int, maxTilePixels: Int) {
        self.blockSize = max(1, blockSize)
        self.growthDenominator = max(1, growthDenominator)
        self.growthNumerator = max(self.growthDenominator, growthNumerator)
        self.maxTilePixels = max(self.blockSize * self.blockSize, maxTilePixels)
    }

    /// The tiles of a `width` × `height` image in coding order (the encoder's order; the decoder
    /// decodes them in reverse). Both sides must be ≥ 1.
    ///
    /// The image is cut into bands of rows (the first `blockSize` high, later ones as high as the target
    /// area allows), and each band into tiles whose area follows the growing target.
    public func tiles(width: Int, height: Int) -> [TileRect] {
        guard width >= 1, height >= 1 else { return [] }
        var tiles: [TileRect] = []
        var target = blockSize * blockSize
        var y = 0
        while y < height {
            let maxRows = max(1, maxTilePixels / width)
            var h = min(height - y, y == 0 ? blockSize : max(min(blockSize, maxRows), min(maxRows, target / width)))
            if height - (y + h) < blockSize / 2 { h = height - y }  // no sliver at the bottom
            let maxColumns = max(1, maxTilePixels / h)
            var x = 0
            while x < width {
                var w = min(width - x, maxColumns, max(blockSize, target / h))
                if width - (x + w) < blockSize / 2, width - x <= maxColumns { w = width - x }  // no sliver at the right
                tiles.append(TileRect(x: x, y: y, width: w, height: h))
                x += w
                target = min(maxTilePixels, max(target + 1, target / growthDenominator * growthNumerator))
            }
            y += h
        }
        return tiles
    }
}
