/// Size limits checked before any pixel memory is allocated, for PNG input and for containers.
public struct ImageLimits: Equatable, Sendable {
    /// Largest width · height of one image. Default 2^28 (268 M pixels, e.g. 16384 × 16384).
    public var maxPixels: Int
    /// Largest sum of width · height over all images of one container. Default 2^30.
    public var maxTotalPixels: Int

    public init(maxPixels: Int = 1 << 28, maxTotalPixels: Int = 1 << 30) {
        self.maxPixels = max(1, maxPixels)
        self.maxTotalPixels = max(self.maxPixels, maxTotalPixels)
    }

    /// The default limits.
    public static let standard = ImageLimits()
}
