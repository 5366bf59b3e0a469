/// Which coder codes a region of a hybrid payload (one bit of the payload's choice map).
public enum RegionChoice: UInt8, Sendable, CustomStringConvertible {
    /// The bits-back chain over the VDM prior, the region as one tile (`TileChainCoder`).
    case bitsBack = 0
    /// The context coder: the region, with the context regions next to it in its row, as one sub-image.
    case context = 1

    public var description: String { self == .bitsBack ? "bits-back" : "context" }
}
