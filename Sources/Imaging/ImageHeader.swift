/// What the container records about an image's PNG kind and size (besides its planes).
public struct ImageHeader: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let colorType: PNGColorType
    public let bitDepth: Int
    public let isInterlaced: Bool

    public init(width: Int, height: Int, colorType: PNGColorType, bitDepth: Int, isInterlaced: Bool) {
        self.width = width
        self.height = height
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.isInterlaced = isInterlaced
    }

    /// The header of `image`.
    public init(_ image: RasterImage) {
        self.init(
            width: image.width, height: image.height, colorType: image.colorType,
            bitDepth: image.bitDepth, isInterlaced: image.isInterlaced)
    }

    /// A short description of the PNG kind, e.g. "RGBA 16-bit".
    public var kindDescription: String { "\(colorType) \(bitDepth)-bit" + (isInterlaced ? " interlaced" : "") }
}

/// An image split into the 8-bit RGB planes the model codes and the side planes it does not.
public struct DecomposedImage: Equatable, Sendable {
    public let header: ImageHeader
    public let model: ModelImage
    /// At most one plane of each kind, in ascending kind order.
    public let sidePlanes: [SidePlane]

    public init(header: ImageHeader, model: ModelImage, sidePlanes: [SidePlane]) {
        self.header = header
        self.model = model
        self.sidePlanes = sidePlanes
    }
}
