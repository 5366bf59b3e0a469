/// The one table of limits that `compress` and `decompress` both check (docs/DESIGN.md §6), so that
/// whatever the encoder writes the decoder accepts at the same settings, and whatever a file claims is
/// bounded before memory or time is spent on it. The command line raises the adjustable ones with
/// `--max-pixels` and `--max-work`; the constants are fixed by this build.
///
/// | limit | default | flag | where checked |
/// |---|---|---|---|
/// | pixels of one image | 2^28 | `--max-pixels` | PNG reader, container parser, compress |
/// | pixels of one archive | 2^30 (at least `maxPixels`) | — | container parser, compress |
/// | decoding work Σ pixels × (T + 1) | 2^20 + 2^9 per payload byte | `--max-work` | container parser, bits-back coder (per tile), compress |
/// | steps T | 4096 | — | `CoderLimits.maxSteps` |
/// | pixels of one tile | 2^20 | — | `CoderLimits.maxTilePixels` (payload parser) |
/// | images of one archive | 2^20 | — | `Container.maxImageCount` |
/// | bytes of a name | 1024, and `EntryName`'s rule | — | `Container.maxNameBytes`, compress and decompress |
/// | kept PNG chunks of one image | 2^26 bytes | — | `Container.maxChunksPlaneBytes`, compress |
/// | bytes of one input file | 2^32 | — | `ImageLimits.maxInputBytes`, the command line's reader |
public struct ImageLimits: Equatable, Sendable {
    /// Largest width · height of one image. Default 2^28 (268 M pixels, e.g. 16384 × 16384).
    public var maxPixels: Int
    /// Largest sum of width · height over all images of one container. Default 2^30.
    public var maxTotalPixels: Int
    /// Decoding work allowed to a payload of no bytes, in pixel-steps (pixels × (T + 1), summed over
    /// tiles with their context margin): default 2^20 (docs/DESIGN.md §6).
    public var maxWork: Int

    /// Pixel-steps each payload byte adds to `maxWork`: the work a file may demand grows with its size,
    /// so a small file cannot demand days. Default 2^9: a Kodak image at T = 64 (about 460 KB, under
    /// 3 · 10^7 pixel-steps) needs about a ninth of what its size allows; a 1 KB file may demand at most
    /// 2^20 + 2^19 ≈ 1.6 · 10^6 pixel-steps (a 1,022-byte legitimate file of 2.7 · 10^6 needed 17.7 s on
    /// a loaded 2-core machine, and is refused at these defaults).
    public var workPerPayloadByte: Int
    /// Largest input file the command line reads (a `.vdmz`, PNG or `.npy` file), in bytes.
    public static let maxInputBytes = 1 << 32

    public init(
        maxPixels: Int = 1 << 28, maxTotalPixels: Int = 1 << 30, maxWork: Int = 1 << 20,
        workPerPayloadByte: Int = 1 << 9
    ) {
        self.maxPixels = max(1, maxPixels)
        self.maxTotalPixels = max(self.maxPixels, maxTotalPixels)
        self.maxWork = max(0, maxWork)
        self.workPerPayloadByte = max(0, workPerPayloadByte)
    }

    /// The default limits.
    public static let standard = ImageLimits()

    /// No limit on size or work (for describing a file, never for decoding it).
    public static let unlimited = ImageLimits(maxPixels: .max, maxTotalPixels: .max, maxWork: .max)

    /// The pixel-steps a payload of `payloadBytes` bytes may demand: `maxWork` plus
    /// `workPerPayloadByte` per byte (saturating).
    public func workAllowance(payloadBytes: Int) -> Int {
        let (extra, overflow) = max(0, payloadBytes).multipliedReportingOverflow(by: workPerPayloadByte)
        let (sum, overflow2) = maxWork.addingReportingOverflow(extra)
        return overflow || overflow2 ? .max : sum
    }
}
