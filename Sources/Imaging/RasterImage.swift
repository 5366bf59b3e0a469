/// A PNG image exactly as stored: its colour type, bit depth, samples, palette, transparency and the
/// kept ancillary chunks. Reading a PNG and writing a `RasterImage` back gives the same pixels, the
/// same colour type and bit depth, the same palette and tRNS, and the same kept chunks.
///
/// Invariants (checked by the initializer):
/// - `width ≥ 1`, `height ≥ 1`, and `bitDepth` is allowed for `colorType`;
/// - `samples` holds `height` rows of `width · colorType.channelCount` samples, channels interleaved,
///   one byte per sample for bit depths 1…8 (unpacked, each value `< 2^bitDepth`; a palette image holds
///   indices) and two bytes per sample, big-endian, for bit depth 16 — this is the canonical form that
///   the pixel checksum hashes;
/// - `palette` holds RGB triples: 1…min(256, 2^bitDepth) entries for palette images, at most 256
///   (a suggested palette) for RGB/RGBA, none for gray;
/// - `chunks` keep their order; without a palette, a chunk's location `.beforeImageData` is stored as
///   the equivalent `.beforePalette`;
/// - `transparency` is the tRNS chunk content: for palette images at most one alpha byte per palette
///   entry, for gray 2 bytes and for RGB 6 bytes (big-endian colour key), empty otherwise.
public struct RasterImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let colorType: PNGColorType
    public let bitDepth: Int
    /// Whether the PNG is Adam7-interlaced (pixels are always stored de-interlaced here).
    public let isInterlaced: Bool
    public let samples: [UInt8]
    public let palette: [UInt8]
    public let transparency: [UInt8]
    public let chunks: [PNGChunk]

    public init(
        width: Int, height: Int, colorType: PNGColorType, bitDepth: Int, samples: [UInt8],
        palette: [UInt8] = [], transparency: [UInt8] = [], chunks: [PNGChunk] = [],
        isInterlaced: Bool = false
    ) throws {
        guard width >= 1, height >= 1, width <= Int(UInt32.max >> 1), height <= Int(UInt32.max >> 1) else {
            throw PNGError.invalidImage("dimensions \(width)×\(height) are outside 1…2^31−1")
        }
        guard colorType.allowedBitDepths.contains(bitDepth) else {
            throw PNGError.invalidImage("bit depth \(bitDepth) is not allowed for \(colorType) images")
        }
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        let bytesPerSample = bitDepth == 16 ? 2 : 1
        guard !overflow, count <= Int.max / (4 * bytesPerSample),
            samples.count == count * colorType.channelCount * bytesPerSample
        else {
            throw PNGError.invalidImage("expected \(width)×\(height)×\(colorType.channelCount) samples of \(bitDepth) bits")
        }
        if bitDepth < 8 {
            let limit = UInt8(1 << bitDepth)
            let ok = samples.withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0 < limit } }
            guard ok else { throw PNGError.invalidImage("a sample exceeds \(bitDepth) bits") }
        }
        guard palette.count % 3 == 0 else { throw PNGError.invalidImage("palette is not made of RGB triples") }
        let entries = palette.count / 3
        switch colorType {
        case .palette:
            guard entries >= 1, entries <= min(256, 1 << bitDepth) else {
                throw PNGError.invalidImage("palette of \(entries) entries for a \(bitDepth)-bit palette image")
            }
            guard transparency.count <= entries else {
                throw PNGError.invalidImage("tRNS has more entries than the palette")
            }
        case .rgb, .rgba:
            guard entries <= 256 else { throw PNGError.invalidImage("suggested palette exceeds 256 entries") }
            guard transparency.isEmpty || (colorType == .rgb && transparency.count == 6) else {
                throw PNGError.invalidImage("tRNS must be 6 bytes for RGB and absent for RGBA")
            }
        case .gray, .grayAlpha:
            guard entries == 0 else { throw PNGError.invalidImage("gray images have no palette") }
            guard transparency.isEmpty || (colorType == .gray && transparency.count == 2) else {
                throw PNGError.invalidImage("tRNS must be 2 bytes for gray and absent for gray+alpha")
            }
        }
        self.width = width
        self.height = height
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.isInterlaced = isInterlaced
        self.samples = samples
        self.palette = palette
        self.transparency = transparency
        // Without PLTE, "before PLTE" and "before IDAT" are the same place (libpng reads it as the former).
        self.chunks =
            palette.isEmpty
            ? chunks.map { $0.location == .beforeImageData ? $0.moved(to: .beforePalette) : $0 } : chunks
    }

    /// Number of pixels, `width · height`.
    public var pixelCount: Int { width * height }

    /// Bytes per sample in `samples`: 2 for 16-bit images, otherwise 1.
    public var bytesPerSample: Int { bitDepth == 16 ? 2 : 1 }

    /// A short description of the PNG kind, e.g. "RGBA 16-bit" or "palette 4-bit".
    public var kindDescription: String { "\(colorType) \(bitDepth)-bit" + (isInterlaced ? " interlaced" : "") }
}
