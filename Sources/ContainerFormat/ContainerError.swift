import Bytes
/// Why bytes could not be read as a `.vdmz` container.
public enum ContainerError: Error, Equatable, CustomStringConvertible {
    /// The magic bytes are missing.
    case notAContainer
    /// Written by a newer (or unknown) version of the format.
    case unsupportedVersion(Int)
    /// The data ends before the container does.
    case truncated
    /// The CRC-32 over the container does not match: the file was altered or damaged.
    case checksumMismatch
    /// A field holds an impossible value (the message names it).
    case invalidField(String)
    /// A size exceeds the configured `ImageLimits` (the message names it).
    case limitExceeded(String)
    /// The images demand more decoding work (pixel-steps) than `ImageLimits` allow a payload of this size.
    case workLimitExceeded(work: Int, allowed: Int)
    /// Bytes follow the end of the container.
    case trailingBytes
    /// A side plane's zlib stream is corrupt.
    case corruptSidePlane(String)

    public var description: String {
        switch self {
        case .notAContainer: return "not a .vdmz file (bad magic)"
        case .unsupportedVersion(let version):
            return
                "unsupported .vdmz format version \(version) (this build reads versions \(Container.readableVersions.lowerBound)–\(Container.readableVersions.upperBound))"
        case .truncated: return "truncated .vdmz file"
        case .checksumMismatch: return "corrupted .vdmz file (CRC-32 mismatch)"
        case .invalidField(let message): return "corrupted .vdmz file: \(message)"
        case .limitExceeded(let message): return ".vdmz file exceeds a limit: \(message)"
        case let .workLimitExceeded(work, allowed):
            return "decoding would take \(work) pixel-steps, more than the \(allowed) allowed for a payload of this size"
        case .trailingBytes: return "corrupted .vdmz file: unexpected bytes after the end"
        case .corruptSidePlane(let message): return "corrupted .vdmz file: \(message) side plane does not inflate"
        }
    }

    /// The container's reading of a byte reader's failure.
    init(_ error: ByteReaderError) {
        self = error == .truncated ? .truncated : .invalidField(error.detail)
    }
}
