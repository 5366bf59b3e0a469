import ANS
import Imaging
import Model

/// The bits-back chain of one tile on a caller's message: what `BitsBackCoder` does for each of its tiles,
/// without the tile plan and the payload, so that a coder can mix bits-back tiles with tiles of another
/// coder on one stack (`HybridCoder`, docs/DESIGN.md §2.13).
///
/// Invariant (as for `BitsBackCoder`): tiles are encoded in some order and decoded in the reverse order,
/// and every tile's context (`TileContext`: the margin to its right and below) must already be known to
/// the decoder — i.e. lie in tiles coded after it.
public struct TileChainCoder {
    /// The chain parameters every tile is coded with.
    public let parameters: ChainParameters
    /// Known pixels each tile sees to its right and below: the network's receptive radius.
    public let contextMargin: Int
    let chain: BitsBackChain

    /// - Throws: `BitsBackError` for parameters out of range or a schedule the model cannot give.
    public init(prior: DiffusionPrior, parameters: ChainParameters, threads: Int) throws {
        try parameters.validate()
        let schedule = try LatentSchedule(prior: prior, parameters: parameters)
        self.parameters = parameters
        self.contextMargin = prior.metadata.receptiveRadius
        self.chain = BitsBackChain(prior: prior, schedule: schedule, parameters: parameters, threads: threads)
    }

    /// Codes the pixels of `tile` of `image` onto `message`, with the pixels of `image` right of and
    /// below it as context. `progress` gets the steps done (0…T).
    /// Returns the bits the tile needed on the stack before it started (see `BitsBackChain.encode`).
    @discardableResult
    public func encode(_ tile: TileRect, of image: ModelImage, onto message: inout Message, progress: (Int) -> Void)
        throws -> Double
    {
        let context = TileContext(
            tile: tile, imageWidth: image.width, imageHeight: image.height, pixels: image.pixels, margin: contextMargin)
        return try chain.encode(PlanarTile.pixels(of: tile, in: image), context: context, onto: &message, progress: progress)
    }

    /// Decodes `tile` from `message` into the HWC `pixels` of an image of `width × height`, whose pixels
    /// right of and below the tile are already decoded there (the mirror of `encode`).
    public func decode(
        _ tile: TileRect, into pixels: inout [UInt8], width: Int, height: Int, from message: inout Message,
        progress: (Int) -> Void
    ) throws {
        let context = TileContext(tile: tile, imageWidth: width, imageHeight: height, pixels: pixels, margin: contextMargin)
        let planar = try chain.decode(context: context, from: &message, progress: progress)
        PlanarTile.store(planar, tile, into: &pixels, imageWidth: width)
    }

    /// The decoding work of `tiles` at `steps` steps, in pixel-steps: every tile's area with its context
    /// margin to the right and below (what the network evaluates), times T + 1.
    public static func work(of tiles: [TileRect], steps: Int, margin: Int) -> Int {
        tiles.reduce(0) { $0 + ($1.width + margin) * ($1.height + margin) } * (steps + 1)
    }
}
