import Crypto

/// SHA-256 of an image's canonical samples (`RasterImage.samples`: unpacked, 16-bit big-endian,
/// palette indices), and the archive's pixel digest made of them; checked after decoding.
public enum PixelChecksum {
    public static let byteCount = 32

    /// The checksum of one image.
    public static func of(_ image: RasterImage) -> [UInt8] { sha256(image.samples) }

    /// The pixel digest of an archive (`Container.pixelDigest`): SHA-256 of the concatenation of its
    /// images' checksums, in image order.
    public static func digest(of checksums: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256()
        for checksum in checksums { hasher.update(data: checksum) }
        return Array(hasher.finalize())
    }

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
