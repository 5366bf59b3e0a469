import Imaging
/// One image's record in a container: everything but its model planes (which live in the coder's
/// shared payload).
public struct ContainerImage: Equatable, Sendable {
    /// The file name the image is restored under in dataset mode (at most `Container.maxNameBytes`
    /// bytes of UTF-8). Informational for single-image containers.
    public let name: String
    public let header: ImageHeader
    /// Diffusion steps T the coder used (0 for the stored coder).
    public let steps: Int
    /// SHA-256 of the canonical samples (`PixelChecksum`), 32 bytes, for an image read from a
    /// version-1 file; nil otherwise (version 2 records one `Container.pixelDigest` for all images).
    public let pixelChecksum: [UInt8]?
    /// Side planes, uncompressed.
    public let sidePlanes: [SidePlane]
    /// zlib-compressed size of the side planes in the file, with their 9-byte descriptors in version 1
    /// (set when parsed, 0 otherwise).
    public let storedSidePlaneBytes: Int

    public init(
        name: String, header: ImageHeader, steps: Int, pixelChecksum: [UInt8]? = nil, sidePlanes: [SidePlane],
        storedSidePlaneBytes: Int = 0
    ) {
        self.name = name
        self.header = header
        self.steps = steps
        self.pixelChecksum = pixelChecksum
        self.sidePlanes = sidePlanes
        self.storedSidePlaneBytes = storedSidePlaneBytes
    }

    /// The shape the pixel coder decodes.
    public var shape: ModelImageShape { ModelImageShape(width: header.width, height: header.height, steps: steps) }
}
