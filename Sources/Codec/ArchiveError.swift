import PixelCoding
/// Why images could not be coded into, or restored from, a container.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// The decoded pixels do not match the checksum recorded for this image (version-1 files).
    case pixelChecksumMismatch(name: String)
    /// The decoded pixels of all images do not match the container's pixel digest.
    case pixelDigestMismatch
    /// The container was written with another checkpoint.
    case modelMismatch(expected: String, found: String)
    /// The coder given to `decompress` is not the one that wrote the container.
    case coderMismatch(container: PixelCoderKind, given: PixelCoderKind)
    /// The coder returned images of other shapes than recorded.
    case decodedShapeMismatch
    /// Nothing to compress.
    case noImages

    public var description: String {
        switch self {
        case .pixelChecksumMismatch(let name):
            return "decoded pixels of \(name.isEmpty ? "the image" : name) do not match the stored checksum"
        case .pixelDigestMismatch:
            return "decoded pixels do not match the archive's pixel digest: the file is damaged"
        case let .modelMismatch(expected, found):
            return
                "model mismatch: the file was written with checkpoint \(expected.prefix(16))…, this checkpoint is \(found.prefix(16))…"
        case let .coderMismatch(container, given): return "the file was written by the \(container) coder, not \(given)"
        case .decodedShapeMismatch: return "the pixel coder returned images of the wrong shape"
        case .noImages: return "no images to compress"
        }
    }
}
