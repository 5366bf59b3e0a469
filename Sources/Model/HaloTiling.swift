/// Equal tiles, no larger than `tileSize` per side, over the rectangle `columns × rows` of a
/// `width × height` image, each with its receptive-field halo of `radius` pixels clipped to the image:
/// the network evaluated on a tile's region gives, on the tile's interior, exactly the whole-image output.
///
/// Invariants: the interiors partition the rectangle, in row-major order; every region contains its
/// interior and lies inside the image. Fewest tiles of equal size means the least halo overhead.
struct HaloTiling {
    /// One tile: its interior (the pixels it produces) and its region (interior plus halo).
    struct Tile {
        let interiorX: Range<Int>
        let interiorY: Range<Int>
        let regionX: Range<Int>
        let regionY: Range<Int>

        /// The interior in the region's coordinates.
        var interiorInRegionX: Range<Int> {
            (interiorX.lowerBound - regionX.lowerBound)..<(interiorX.upperBound - regionX.lowerBound)
        }
        var interiorInRegionY: Range<Int> {
            (interiorY.lowerBound - regionY.lowerBound)..<(interiorY.upperBound - regionY.lowerBound)
        }
    }

    let tiles: [Tile]
    /// The largest interior side in each direction.
    let tileWidth: Int
    let tileHeight: Int

    /// Precondition: the rectangle is non-empty and inside the image; `tileSize ≥ 1`, `radius ≥ 0`.
    init(columns: Range<Int>, rows: Range<Int>, width: Int, height: Int, radius: Int, tileSize: Int) {
        let tilesAcross = (columns.count + tileSize - 1) / tileSize, tilesDown = (rows.count + tileSize - 1) / tileSize
        tileWidth = (columns.count + tilesAcross - 1) / tilesAcross
        tileHeight = (rows.count + tilesDown - 1) / tilesDown
        var tiles: [Tile] = []
        for tileY in stride(from: rows.lowerBound, to: rows.upperBound, by: tileHeight) {
            for tileX in stride(from: columns.lowerBound, to: columns.upperBound, by: tileWidth) {
                let interiorX = tileX..<min(columns.upperBound, tileX + tileWidth)
                let interiorY = tileY..<min(rows.upperBound, tileY + tileHeight)
                tiles.append(
                    Tile(
                        interiorX: interiorX, interiorY: interiorY,
                        regionX: max(0, interiorX.lowerBound - radius)..<min(width, interiorX.upperBound + radius),
                        regionY: max(0, interiorY.lowerBound - radius)..<min(height, interiorY.upperBound + radius)))
            }
        }
        self.tiles = tiles
    }
}
