import BitsBack

/// The regions of an image in a hybrid payload: a grid of `side × side` squares (narrower in the last
/// column, lower in the last row), in raster order. Coded in that order and decoded in reverse, so when a
/// region is decoded every region right of it in its row and every row below is known: the context a
/// bits-back region sees (`TileContext`: right of and below the tile) is always decoded already.
struct RegionGrid {
    let width: Int
    let height: Int
    let side: Int

    /// Regions across a row and rows of regions (0 for an empty image).
    var columns: Int { (width + side - 1) / side }
    var rows: Int { (height + side - 1) / side }
    var count: Int { columns * rows }

    /// Region `index` (raster order).
    func region(_ index: Int) -> TileRect {
        let x = index % columns * side, y = index / columns * side
        return TileRect(x: x, y: y, width: min(side, width - x), height: min(side, height - y))
    }

    /// The units the regions are coded as, in coding order: every bits-back region alone, and every run of
    /// consecutive context regions (raster order) as the rectangles of its `ContextRunCut`.
    func units(_ choices: ArraySlice<RegionChoice>) -> [(choice: RegionChoice, rect: TileRect)] {
        var units: [(choice: RegionChoice, rect: TileRect)] = []
        var cut = ContextRunCut(grid: self)
        for index in 0..<count {
            if choices[choices.startIndex + index] == .context {
                cut.append(index)
            } else {
                units += cut.rects.map { (.context, $0) }
                cut = ContextRunCut(grid: self)
                units.append((.bitsBack, region(index)))
            }
        }
        return units + cut.rects.map { (.context, $0) }
    }
}

/// The rectangles a run of consecutive context regions (raster order, within one image) is coded as,
/// each as one sub-image: the run's regions within a row of the grid form one rectangle, and whole rows
/// next to each other form one band. So a run is at most a part of a row, a band, and the start of a
/// row; an image coded by the context coder alone is one rectangle.
struct ContextRunCut {
    let grid: RegionGrid
    private(set) var rects: [TileRect] = []

    init(grid: RegionGrid) { self.grid = grid }

    /// Adds region `index`, the next in raster order after the run's last (or the first of a run).
    /// Returns how many leading rectangles stayed as they were.
    @discardableResult
    mutating func append(_ index: Int) -> Int {
        let region = grid.region(index)
        var kept = rects.count
        if let last = rects.last, last.y == region.y {
            rects[rects.count - 1] = TileRect(x: last.x, y: last.y, width: last.width + region.width, height: last.height)
            kept -= 1
        } else {
            rects.append(region)
        }
        let n = rects.count
        if n >= 2, isWholeRows(rects[n - 1]), isWholeRows(rects[n - 2]) {
            let band = rects[n - 2]
            rects[n - 2] = TileRect(x: 0, y: band.y, width: band.width, height: band.height + rects[n - 1].height)
            rects.removeLast()
            kept = min(kept, n - 2)
        }
        return kept
    }

    private func isWholeRows(_ rect: TileRect) -> Bool { rect.x == 0 && rect.width == grid.width }
}
