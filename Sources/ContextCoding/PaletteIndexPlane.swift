/// The plane of palette indices that the few-colour mode (`PaletteStripeCoder`, two rows of context above
/// the stripe) and the indexed mode (`IndexedStripe`, one row) code in place of a stripe's colours.
///
/// Layout: `(rowsAbove + rows) × width` Int32, row-major; row `rowsAbove` is the stripe's first row. Rows
/// above the image hold index 0 (a valid colour, the palette's first), and so do pixels of the rows above
/// whose colour is not in the palette (encoder and decoder alike: both read the rows above from the pixels
/// decoded so far).
enum PaletteIndexPlane {
    /// The index plane of rows `firstRow − rowsAbove ..< firstRow + rows` of the HWC `pixels` under
    /// `palette` (sorted or not; each colour's index is its position).
    static func make(
        _ pixels: [UInt8], width: Int, firstRow: Int, rows: Int, rowsAbove: Int, palette: [UInt32]
    ) -> [Int32] {
        var lookup: [UInt32: Int32] = [:]
        lookup.reserveCapacity(palette.count)
        for (j, colour) in palette.enumerated() { lookup[colour] = Int32(j) }
        var plane = [Int32](repeating: 0, count: (rows + rowsAbove) * width)
        pixels.withUnsafeBufferPointer { src in
            plane.withUnsafeMutableBufferPointer { dst in
                // Runs of one colour are the common case: look each run up once.
                var lastColour: UInt32 = .max
                var lastIndex: Int32 = 0
                for y in max(0, firstRow - rowsAbove)..<(firstRow + rows) {
                    let row = (y - firstRow + rowsAbove) * width
                    for x in 0..<width {
                        let s = (y * width + x) * 3
                        let colour = UInt32(src[s]) << 16 | UInt32(src[s + 1]) << 8 | UInt32(src[s + 2])
                        if colour != lastColour {
                            lastColour = colour
                            lastIndex = lookup[colour] ?? 0
                        }
                        dst[row + x] = lastIndex
                    }
                }
            }
        }
        return plane
    }

    /// Writes the colours of the decoded `plane`'s stripe rows (those after its `rowsAbove` rows) into the
    /// HWC `pixels`.
    /// - Throws: `ContextCodingError.corruptPayload` for an index outside the palette.
    static func paint(
        _ plane: [Int32], rowsAbove: Int, palette: [UInt32], into pixels: inout [UInt8], width: Int, firstRow: Int,
        rows: Int
    ) throws {
        let count = Int32(palette.count)
        try plane.withUnsafeBufferPointer { src in
            try palette.withUnsafeBufferPointer { colours in
                try pixels.withUnsafeMutableBufferPointer { dst in
                    for p in 0..<(rows * width) {
                        let index = src[rowsAbove * width + p]
                        guard index >= 0 && index < count else { throw ContextCodingError.corruptPayload }
                        let colour = colours[Int(index)]
                        let o = (firstRow * width + p) * 3
                        dst[o] = UInt8(colour >> 16)
                        dst[o + 1] = UInt8(colour >> 8 & 255)
                        dst[o + 2] = UInt8(colour & 255)
                    }
                }
            }
        }
    }
}
