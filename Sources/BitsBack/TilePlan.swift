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

/// How images are cut into tiles that are coded one after another on one ANS stack.
///
/// Why tiles (docs/DESIGN.md §2): the first operation of a bits-back chain is a pop of z_0 ~ q(z_0 | x), which
/// needs about log2(σ/δ) + 2 bits per sub-pixel already on the stack. A whole large image would draw all
/// of them from the initial bits, more than the image's own code length. The encoder therefore starts
/// with a small tile and makes every later tile as large as the bits already on the stack allow
/// (`BitsBackCoder`), so only the first tile draws initial bits. The tiles themselves are cut by
/// `TileCursor` from the sequence of target areas, which the payload records.
public struct TilePlan: Equatable, Sendable {
    /// Side of the smallest tile (the first one), and the least height of a band, in pixels.
    public let blockSize: Int
    /// Largest tile area in pixels (bounds the latents held in memory while coding one tile).
    public let maxTilePixels: Int

    /// The default plan: 4-pixel smallest tile, at most 2^18 pixels a tile.
    ///
    /// Block size measured at T = 64 with the default model (`vdmz-bench chain … --block B`, coded file
    /// over the one-sample ELBO), for B = 16 / 8 / 4 / 2: cifar-500 as one dataset +0.23 / +0.12 / +0.09 % / –;
    /// Kodak kodim23 alone +1.12 / +0.79 / +0.77 / +0.77 %; twenty 32×32 images each alone
    /// +81 / +24 / +12.5 / +11.0 %. The first tile's initial bits shrink with its area, while the extra
    /// small tiles of the ramp cost little; 2 gained within the coder's own sampling noise, so 4. (Measured
    /// with thin bands; square bands then took kodim20 from +1.32 to +0.53 % and kodim23 from +0.77 to +0.46 %.)
    public static let standard = TilePlan(blockSize: 4, maxTilePixels: 1 << 18)

    public init(blockSize: Int, maxTilePixels: Int) {
        self.blockSize = max(1, blockSize)
        self.maxTilePixels = max(self.blockSize * self.blockSize, maxTilePixels)
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
    /// Whether a band is at least √target rows high (chain payload version 2), so that the small tiles of
    /// the ramp are about square; otherwise (version 1) a band is target/width rows high, at least
    /// `blockSize`, and the ramp is a stack of thin full-width bands, each with a long border that the
    /// tile below it codes without context.
    public let squareBands: Bool
    private var y = 0, x = 0, bandHeight = 0

    public init(plan: TilePlan, width: Int, height: Int, squareBands: Bool = true) {
        self.plan = plan
        self.width = max(0, width)
        self.height = max(0, height)
        self.squareBands = squareBands
    }

    /// The next tile, about `target` pixels (clamped to at least `blockSize²`), or nil when the image is done.
    public mutating func next(target requested: Int) -> TileRect? {
        guard width >= 1, height >= 1, y < height else { return nil }
        let b = plan.blockSize
        let target = min(plan.maxTilePixels, max(b * b, requested))
        if x == 0 {
            let maxRows = max(1, plan.maxTilePixels / width)
            var rows = target / width
            if squareBands { rows = max(rows, Int(Double(target).squareRoot())) }
            var h = min(height - y, max(min(b, maxRows), min(maxRows, rows)))
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
