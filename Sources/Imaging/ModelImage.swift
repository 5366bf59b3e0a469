/// An 8-bit RGB image in the form the diffusion model codes: `pixels` holds `height` rows of `width`
/// pixels, 3 bytes each (R, G, B), row-major — HWC layout. Invariant: `pixels.count == width·height·3`.
public struct ModelImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    /// - Throws: `LayoutError.invalidModelImage` if the pixel count does not match the shape.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 1, height >= 1, width <= Int(UInt32.max), height <= Int(UInt32.max),
            pixels.count / 3 / width == height, pixels.count == width * height * 3
        else {
            throw LayoutError.invalidModelImage("expected \(width)×\(height)×3 bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// For callers that already guarantee the invariant.
    init(validWidth width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The shape of this image with a step count, as recorded in the container.
    public func shape(steps: Int) -> ModelImageShape { ModelImageShape(width: width, height: height, steps: steps) }
}

/// The shape of a model image and the number of diffusion steps T it was coded with (0 for coders
/// without a diffusion chain). This is what a `PixelCoder` needs besides the payload to decode.
public struct ModelImageShape: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let steps: Int

    public init(width: Int, height: Int, steps: Int) {
        self.width = width
        self.height = height
        self.steps = steps
    }

    /// Sub-pixels of the image, `width · height · 3`, or nil when that overflows or a side is below 1.
    public var subpixelCount: Int? {
        guard width >= 1, height >= 1 else { return nil }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        let (subpixels, overflow3) = pixels.multipliedReportingOverflow(by: 3)
        return overflow || overflow3 ? nil : subpixels
    }
}
