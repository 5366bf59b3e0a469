/// Which coder produced a container's payload (a byte in the container header).
public enum PixelCoderKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Placeholder, NOT the diffusion codec: the model planes stored with zlib.
    case stored = 0
    /// The bits-back chain over the VDM prior (DESIGN §2).
    case bitsBackVDM = 1

    /// Whether decoding needs the checkpoint whose hash the container records.
    public var requiresModel: Bool { self == .bitsBackVDM }

    public var description: String {
        switch self {
        case .stored: return "stored (zlib; no diffusion model)"
        case .bitsBackVDM: return "bits-back VDM"
        }
    }
}
