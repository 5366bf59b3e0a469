import Imaging

/// Conversion between the interleaved RGB pixels of a `ModelImage` (HWC) and the planar tiles
/// (`[3][height][width]`) that the network and the chain work on.
enum PlanarTile {
    /// The tile's pixels of an HWC image, planar.
    static func pixels(of tile: TileRect, in image: ModelImage) -> [UInt8] {
        var planar = [UInt8](repeating: 0, count: 3 * tile.area)
        let plane = tile.area
        for y in 0..<tile.height {
            let row = ((tile.y + y) * image.width + tile.x) * 3
            for x in 0..<tile.width {
                for c in 0..<3 { planar[c * plane + y * tile.width + x] = image.pixels[row + 3 * x + c] }
            }
        }
        return planar
    }

    /// Writes a planar tile back into an HWC pixel buffer of `imageWidth` pixels a row.
    static func store(_ planar: [UInt8], _ tile: TileRect, into pixels: inout [UInt8], imageWidth: Int) {
        let plane = tile.area
        for y in 0..<tile.height {
            let row = ((tile.y + y) * imageWidth + tile.x) * 3
            for x in 0..<tile.width {
                for c in 0..<3 { pixels[row + 3 * x + c] = planar[c * plane + y * tile.width + x] }
            }
        }
    }
}
