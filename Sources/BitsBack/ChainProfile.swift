import ANS
/// What a chain payload version changes, derived once from the version number (`ChainParameters.profile`),
/// so that the coder asks what to do instead of comparing version numbers.
public struct ChainProfile: Equatable, Sendable {
    /// Where each discretized Gaussian keeps its escape interval: at the top in version 1; in the middle
    /// from version 2, because a pushed escape at the top made every next pop escape (an endless cascade).
    public let escapePlacement: DiscretizedGaussian.EscapePlacement
    /// Whether a band of tiles is at least √target rows high (version 2) or target/width rows (version 1).
    public let squareBands: Bool
    /// Whether the tile list codes runs of single-tile images (version 2) or a count per image (version 1).
    public let runLengthTileList: Bool
    /// How the posteriors q pop their samples (version 3: `.scrambled`, so that a sample's quantile does not
    /// follow the quantile of the value the previous step pushed; `SlotOrder`). The likelihoods p, the prior
    /// and the pixels always read slots as they are.
    public let posteriorSlotOrder: SlotOrder

    /// Whether the payload holds several chains, all but the first starting on words lent by the first
    /// (version 5, `ChainGroup`), instead of one chain.
    public let borrowingChains: Bool
    public init(version: UInt8) {
        let modern = version >= 2
        escapePlacement = modern ? .center : .top
        squareBands = modern
        runLengthTileList = modern
        posteriorSlotOrder = version >= 3 ? .scrambled : .natural
        borrowingChains = version == ChainParameters.groupVersion
    }
}
