/// An ancillary PNG chunk that vdmz keeps byte for byte: the colour-management chunks (gAMA, cHRM,
/// sRGB, iCCP, cICP), sBIT, pHYs and bKGD. Other ancillary chunks (text, time, EXIF) are dropped.
public struct PNGChunk: Equatable, Sendable {
    /// Where the chunk sits relative to the critical chunks (libpng's location codes).
    public enum Location: UInt8, Sendable {
        case beforePalette = 1
        case beforeImageData = 2
        case afterImageData = 8
    }

    /// The names of the chunks that are kept, in no particular order.
    public static let keptNames: Set<String> = ["gAMA", "cHRM", "sRGB", "iCCP", "cICP", "sBIT", "pHYs", "bKGD"]

    /// Four ASCII letters, one of `keptNames`.
    public let name: String
    public private(set) var location: Location
    /// The chunk's data field exactly as in the file (for iCCP: still zlib-compressed).
    public let data: [UInt8]

    /// Fails with `PNGError.invalidImage` unless `name` is one of `keptNames`.
    public init(name: String, location: Location, data: [UInt8]) throws {
        guard PNGChunk.keptNames.contains(name) else {
            throw PNGError.invalidImage("chunk \(name) is not one of the kept ancillary chunks")
        }
        guard data.count < 1 << 31 else { throw PNGError.invalidImage("chunk \(name) is too large") }
        self.name = name
        self.location = location
        self.data = data
    }

    /// The same chunk at another location.
    func moved(to location: Location) -> PNGChunk {
        var chunk = self
        chunk.location = location
        return chunk
    }
}
