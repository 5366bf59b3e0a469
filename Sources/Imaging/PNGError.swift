/// Why a PNG could not be read or written.
public enum PNGError: Error, Equatable, CustomStringConvertible {
    /// The data does not start with the PNG signature.
    case notPNG
    /// The data ends before the image does.
    case truncated
    /// libpng rejected the data; the message is libpng's (e.g. "IDAT: CRC error").
    case corrupt(String)
    /// width · height exceeds the configured limit (`ImageLimits.maxPixels`); nothing was allocated.
    case tooLarge(width: Int, height: Int, limit: Int)
    case outOfMemory
    /// An animated PNG (APNG): vdmz codes still images only, and would keep only the first frame.
    case animated
    /// The image cannot be represented as a PNG (wrong sample count, bit depth, palette, …).
    case invalidImage(String)

    public var description: String {
        switch self {
        case .notPNG: return "not a PNG file"
        case .truncated: return "truncated PNG file"
        case .corrupt(let message): return "corrupt PNG file: \(message)"
        case let .tooLarge(width, height, limit):
            return "image of \(width)×\(height) pixels exceeds the limit of \(limit) pixels"
        case .outOfMemory: return "out of memory"
        case .animated: return "animated PNG (APNG) not supported: only still images are coded, the other frames would be lost"
        case .invalidImage(let message): return "invalid image: \(message)"
        }
    }
}
