/// The raw mode (context payload version 4, mode byte 128 | transform): every sample of the stripe's
/// planes as 8 plain bits: pixel by pixel in raster order, each pixel's planes in order. It is the floor
/// for pixels that no model predicts (uniform noise), where the adaptive distributions of the other modes
/// spend more than 8 bits a sample (8.6 bits a pixel on 64×64 gray noise); the encoder keeps it only where
/// it is strictly smaller.
///
/// Invariant: only the transforms whose samples lie in 0…255 (`gray`: one plane, `rgb`: three) take the
/// raw mode, so every sample fits its 8 bits exactly.
struct RawStripeCoder {
    let width: Int
    let rows: Int
    let planeCount: Int

    /// Whether `transform`'s samples fit 8 bits (the raw mode's invariant).
    static func accepts(_ transform: ColourTransform) -> Bool {
        (0..<transform.planeCount).allSatisfy { transform.range(ofPlane: $0) == 0...255 }
    }

    /// Codes the samples of `planes` (the layout of `ContextPixelCoder.transformedPlanes`: per plane
    /// `rows + 1` rows, the first the row above the stripe) as 8 raw bits each; the decoder fills them in.
    func run<S: SymbolStream>(_ stream: inout S, planes: UnsafeMutablePointer<Int32>) throws {
        let planeStride = (rows + 1) * width
        for row in 1...rows {
            for x in 0..<width {
                stream.markPixel()
                for plane in 0..<planeCount {
                    let d = plane * planeStride + row * width + x
                    var value = Int(planes[d])
                    stream.codeRaw(&value, bits: 8)
                    planes[d] = Int32(value)
                }
            }
        }
    }
}
