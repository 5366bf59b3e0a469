/// The few-colour mode of the context coder (docs/FORMAT.md §2.4): a stripe with at most
/// `maxColours` distinct colours is coded as its palette and then one palette index per pixel, in raster
/// order, each under a context of the indices around it:
///
/// - 2 colours: a 10-pixel template (JBIG's three-line template: NNW, NN, NNE; WW, NW... see `context`);
/// - 3–4 colours: W, N, NW, NE and whether WW = W and NN = N;
/// - 5–32 colours: W, N and whether NW = N and NE = N.
///
/// The palette is coded first, as raw bits: K − 1 in 5 bits, then each colour's R, G, B in 8 bits, in
/// ascending order of R·2^16 + G·2^8 + B. Positions outside the image read index 0; pixels of the row above
/// the stripe whose colour is not in the palette read index 0 too.
struct PaletteStripeCoder {
    static let maxColours = 32

    let width: Int
    let rows: Int
    let hasRowAbove: Bool

    /// Number of contexts for a palette of `k` colours.
    static func contextCount(colours k: Int) -> Int { k <= 2 ? 1024 : k <= 4 ? 1024 : 4096 }

    /// Codes or decodes the palette (encoder: given, sorted; decoder: filled), before the indices.
    static func codePalette<S: SymbolStream>(_ stream: inout S, _ palette: inout [UInt32]) throws {
        var count = palette.count - 1
        stream.codeRaw(&count, bits: 5)
        if S.isDecoding { palette = [UInt32](repeating: 0, count: count + 1) }
        for j in 0...count {
            var channels = [Int(palette[j] >> 16), Int(palette[j] >> 8 & 255), Int(palette[j] & 255)]
            for c in 0..<3 { stream.codeRaw(&channels[c], bits: 8) }
            palette[j] = UInt32(channels[0] << 16 | channels[1] << 8 | channels[2])
        }
        if S.isDecoding {
            for j in 1..<palette.count where palette[j] <= palette[j - 1] { throw ContextCodingError.corruptPayload }
        }
    }

    /// Codes or decodes the indices of the stripe. `indices` holds (rows + 2) × width indices, two rows on
    /// top for the rows above the stripe (0 where absent).
    /// With `copies` (mode bit 6), the copy layer codes its part of every pixel first.
    func run<S: SymbolStream>(
        _ stream: inout S, indices: UnsafeMutablePointer<Int32>, colours k: Int, copies: CopyCoder? = nil
    ) throws {
        var copies = copies
        var model = AdaptiveDistributions(contexts: Self.contextCount(colours: k), alphabet: max(2, k))
        let w = width
        for r in 0..<rows {
            let hasN = r > 0 || hasRowAbove
            let hasNN = r > 1 || (r == 1 && hasRowAbove)
            for x in 0..<w {
                let i = (r + 2) * w + x
                stream.markPixel()
                if copies != nil,
                    try copies!.code(
                        &stream, planes: indices, planeCount: 1, planeStride: 0, index: i, pixel: r * w + x, x: x)
                {
                    continue
                }
                @inline(__always) func at(_ dx: Int, _ dy: Int) -> Int {
                    let xx = x + dx
                    if xx < 0 || xx >= w { return 0 }
                    if dy == 1 && !hasN { return 0 }
                    if dy == 2 && !hasNN { return 0 }
                    return Int(indices[i - dy * w + dx])
                }
                let west = at(-1, 0), north = at(0, 1), northWest = at(-1, 1), northEast = at(1, 1)
                let context: Int
                if k <= 2 {
                    context =
                        west | at(-2, 0) << 1 | northWest << 2 | north << 3 | northEast << 4 | at(-2, 1) << 5
                        | at(2, 1) << 6 | at(-1, 2) << 7 | at(0, 2) << 8 | at(1, 2) << 9
                } else if k <= 4 {
                    context =
                        west | north << 2 | northWest << 4 | northEast << 6
                        | (at(-2, 0) == west ? 256 : 0) | (at(0, 2) == north ? 512 : 0)
                } else {
                    context = west | north << 5 | (northWest == north ? 1024 : 0) | (northEast == north ? 2048 : 0)
                }
                var symbol = S.isDecoding ? 0 : Int(indices[i])
                stream.code(&symbol, model, context: context)
                model.update(context, with: symbol)
                if S.isDecoding {
                    guard symbol < k else { throw ContextCodingError.corruptPayload }
                    indices[i] = Int32(symbol)
                }
            }
        }
    }
}
