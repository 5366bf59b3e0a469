/// Which coder produced a container's payload (a byte in the container header).
public enum PixelCoderKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Placeholder, NOT the diffusion codec: the model planes stored with zlib.
    case stored = 0
    /// The bits-back chain over the VDM prior (`BitsBackCoder`, docs/DESIGN.md §2).
    case bitsBack = 1
    /// The classical context-modelling coder (`ContextPixelCoder`, docs/DESIGN.md §2.12): no model.
    case context = 2
    /// Bits-back and the context coder per region of the image on one stack (`HybridCoder`,
    /// docs/DESIGN.md §2.13): needs the model of its bits-back regions.
    case hybrid = 3

    /// Whether decoding needs the checkpoint whose hash the container records.
    public var requiresModel: Bool { self == .bitsBack || self == .hybrid }

    public var description: String {
        switch self {
        case .stored: return "stored (zlib; no diffusion model)"
        case .bitsBack: return "bits-back VDM"
        case .context: return "context (classical; no diffusion model)"
        case .hybrid: return "hybrid (bits-back VDM or context, chosen per region)"
        }
    }
}
