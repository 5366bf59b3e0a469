/// The indexed mode of the context coder (payload version 5, docs/FORMAT.md §2.4, mode byte 9 with the
/// predictive bits): a stripe of at most `maxColours` distinct colours is coded as its palette and then
/// the plane of its palette indices (`PaletteIndexPlane`, one row above), which the predictive models
/// (`StripeCoder`, `WeightedStripeCoder`, with the mode's neighbour matching, bias cancellation and
/// copies) code as one gray plane.
///
/// This is how PNG, WebP and JPEG XL code quantized images (a GIF, a pngquant file, a dithered
/// screenshot): their colours are few, but scattered over the RGB cube, so a colour transform predicts
/// them badly, while neighbouring indices of a sorted palette are close. The few-colour mode
/// (`PaletteStripeCoder`, up to 32 colours, indices under a context of their neighbours) stays beside it.
///
/// Invariants: the palette is sorted by R·2^16 + G·2^8 + B, strictly ascending (the decoder rejects any
/// other order, so a stripe has one encoding); every index is below the palette's size; pixels of the row
/// above the stripe whose colour is not in the palette read index 0 (encoder and decoder alike).
enum IndexedStripe {
    /// Colours a stripe may have for the indexed mode.
    static let maxColours = 256

    /// Whether the indexed mode is worth trying on a stripe of `palette` (sorted): any colour stripe of
    /// 2…256 colours, and a gray one whose levels leave gaps (with contiguous levels the indices are the
    /// gray values shifted, which the gray mode already codes alike).
    static func isWorthTrying(_ palette: [UInt32], isGray: Bool) -> Bool {
        guard palette.count >= 2 else { return false }
        guard isGray else { return true }
        return Int(palette.last! & 255) - Int(palette.first! & 255) + 1 > palette.count
    }

    /// Codes or decodes the palette (encoder: given, sorted, 2…256 colours; decoder: filled), before the
    /// indices: K − 1 in 8 raw bits (K = 1 is refused: the encoder never writes it), then per colour and
    /// channel its difference (mod 256) from the previous colour's (the first from 0) under an adaptive
    /// distribution whose context is the channel and, for G and B, whether the channels before it repeated
    /// the previous colour's (then the difference is small).
    static func codePalette<S: SymbolStream>(_ stream: inout S, _ palette: inout [UInt32]) throws {
        var count = palette.count - 1
        stream.codeRaw(&count, bits: 8)
        if S.isDecoding {
            guard count >= 1 else { throw ContextCodingError.corruptPayload }
            palette = [UInt32](repeating: 0, count: count + 1)
        }
        var model = AdaptiveDistributions(contexts: 5, alphabet: 256)
        var previous = [0, 0, 0]
        for j in 0...count {
            var channels = [Int(palette[j] >> 16), Int(palette[j] >> 8 & 255), Int(palette[j] & 255)]
            var same = true
            for c in 0..<3 {
                let context = c == 0 ? 0 : 2 * c - 1 + (same ? 1 : 0)
                var difference = (channels[c] - previous[c]) & 255
                stream.code(&difference, model, context: context)
                model.update(context, with: difference)
                if S.isDecoding { channels[c] = (previous[c] + difference) & 255 }
                same = same && difference == 0
            }
            previous = channels
            palette[j] = UInt32(channels[0] << 16 | channels[1] << 8 | channels[2])
        }
        if S.isDecoding {
            for j in 1..<palette.count where palette[j] <= palette[j - 1] { throw ContextCodingError.corruptPayload }
        }
    }
}
