/// The one table of limits that `compress` and `decompress` both check (docs/DESIGN.md §6), so that
/// whatever the encoder writes the decoder accepts at the same settings, and whatever a file claims is
/// bounded before memory or time is spent on it. The command line raises the adjustable ones with
/// `--max-pixels` and `--max-work`; the constants are fixed by this build.
///
/// | limit | default | flag | where checked |
/// |---|---|---|---|
/// | pixels of one image | 2^28 | `--max-pixels` | PNG reader, container parser, compress |
/// | pixels of one archive | 2^30 (at least `maxPixels`) | — | container parser, compress |
/// | decoding work Σ pixels × (T + 1) | 2^21 + 2^10 per payload byte | `--max-work` | container parser, bits-back coder (per tile), compress |
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
    /// tiles with their context margin): default 2^21, about 10 s on one 2-core machine (docs/DESIGN.md §6).
    public var maxWork: Int

    /// Pixel-steps each payload byte adds to `maxWork`: the work a file may demand grows with its size,
    /// so a small file cannot demand days. 2^10: a Kodak image at T = 64 (about 460 KB, 2.6 · 10^7
    /// pixel-steps) needs a twentieth of what its size allows; a 1 KB file may demand at most
    /// 2^21 + 2^20 ≈ 3.1 · 10^6 pixel-steps.
    public var workPerPayloadByte: Int
    /// Largest input file the command line reads (a `.vdmz`, PNG or `.npy` file), in bytes.
    public static let maxInputBytes = 1 << 32

    public init(maxPixels: Int = 1 << 28, maxTotalPixels: Int = 1 << 30, maxWork: Int = 1 << 21,
                workPerPayloadByte: Int = 1 << 10) {
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
