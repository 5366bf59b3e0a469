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

    /// The tiles of a `width` × `height` image in coding order when every tile's target area follows the
    /// fixed growth (the encoder instead picks targets from the stack, see `TileCursor`).
    public func tiles(width: Int, height: Int) -> [TileRect] {
        var cursor = TileCursor(plan: self, width: width, height: height)
        var tiles: [TileRect] = []
        var target = blockSize * blockSize
        while let tile = cursor.next(target: target) {
            tiles.append(tile)
            target = min(maxTilePixels, max(target + 1, target / growthDenominator * growthNumerator))
        }
        return tiles
    }
}

/// Cuts an image into tiles one at a time, each close to a target area given when it is cut.
///
/// The image is cut into bands of rows (each as high as the target then allows, at least `blockSize`) and
/// each band into tiles of about the target area, left to right. The result depends only
/// on the image size, the plan and the sequence of targets, so a decoder that knows the targets derives
/// the same tiles. Invariants: the tiles partition the image; a tile exceeds `maxTilePixels` only where a
/// band left no room to avoid a sliver of fewer than `blockSize / 2` rows.
public struct TileCursor {
    public let plan: TilePlan
    public let width: Int
    public let height: Int
    private var y = 0, x = 0, bandHeight = 0

    public init(plan: TilePlan, width: Int, height: Int) {
        self.plan = plan
        self.width = max(0, width)
        self.height = max(0, height)
    }

    /// The next tile, about `target` pixels (clamped to at least `blockSize²`), or nil when the image is done.
    public mutating func next(target requested: Int) -> TileRect? {
        guard width >= 1, height >= 1, y < height else { return nil }
        let b = plan.blockSize
        let target = min(plan.maxTilePixels, max(b * b, requested))
        if x == 0 {
            let maxRows = max(1, plan.maxTilePixels / width)
            var h = min(height - y, max(min(b, maxRows), min(maxRows, target / width)))
            if height - (y + h) < b / 2 { h = height - y }  // no sliver at the bottom
            bandHeight = h
        }
        let maxColumns = max(1, plan.maxTilePixels / bandHeight)
        var w = min(width - x, maxColumns, max(b, target / bandHeight))
        if width - (x + w) < b / 2, width - x <= maxColumns { w = width - x }  // no sliver at the right
        let tile = TileRect(x: x, y: y, width: w, height: bandHeight)
        x += w
        if x >= width {
            x = 0
            y += bandHeight
        }
        return tile
    }
}
