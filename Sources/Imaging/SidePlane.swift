/// Data of an image that the diffusion model does not code: alpha, low bytes of 16-bit samples,
/// palette information, kept PNG chunks. Stored zlib-compressed in the container.
public struct SidePlane: Equatable, Sendable {
    /// What a side plane holds. The raw value is the tag written in the container.
    public enum Kind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// Alpha, one byte per pixel: the 8-bit alpha, or the high byte of a 16-bit alpha.
        case alpha = 1
        /// 16-bit alpha only: per pixel, (low byte − high byte) mod 256.
        case alphaLow = 2
        /// 16-bit gray/RGB only: per colour sample (HWC order), (low byte − high byte) mod 256. Zero
        /// for 8-bit values scaled to 16 bits by ·257, so such images cost next to nothing here.
        case colorLow = 3
        /// Palette images: the PLTE entries, RGB triples.
        case palette = 4
        /// The tRNS chunk content, as in `RasterImage.transparency`.
        case transparency = 5
        /// Palette images whose palette repeats a colour: for each pixel (in raster order) whose
        /// colour belongs to several palette entries, the rank of its index among those entries.
        case paletteRank = 6
        /// Palette images with an index beyond the palette: the indices themselves, one per pixel.
        case paletteIndices = 7
        /// Kept ancillary PNG chunks, serialized (see `ImageLayout`).
        case chunks = 8
        /// The alpha plane (kind 1) as a context-coder payload of a gray image (docs/FORMAT.md §1.4): the
        /// container's form of it where that is smaller; `ImageLayout` sees only kind 1 (the Codec target
        /// converts, `AlphaPlaneCoding`).
        case alphaModelled = 9

        public var description: String {
            switch self {
            case .alpha: return "alpha"
            case .alphaLow: return "alpha low bytes"
            case .colorLow: return "colour low bytes"
            case .palette: return "palette"
            case .transparency: return "tRNS"
            case .paletteRank: return "palette ranks"
            case .paletteIndices: return "palette indices"
            case .chunks: return "PNG chunks"
            case .alphaModelled: return "alpha (context-coded)"
            }
        }
    }

    public let kind: Kind
    /// The uncompressed bytes.
    public let bytes: [UInt8]

    public init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }
}
