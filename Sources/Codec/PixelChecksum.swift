import Crypto

/// SHA-256 of an image's canonical samples (`RasterImage.samples`: unpacked, 16-bit big-endian,
/// palette indices), recorded in the container and checked after decoding.
public enum PixelChecksum {
    public static let byteCount = 32

    public static func of(_ image: RasterImage) -> [UInt8] { sha256(image.samples) }

    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
