import ANS
import Model
import Bytes
import Imaging
import PixelCoding

/// The product's pixel coder: bits-back coding of the VDM latent chain (`BitsBackChain`) for every tile
/// (`TilePlan`) of every image, all on one ANS message, so the initial bits are paid once per payload.
///
/// Payload: the chain parameter block (`ChainParameters.encoded`), the tile list (`TileList`), then the
/// serialized message (docs/FORMAT.md). Decoding reads the parameters from the payload, decodes images
/// and tiles in reverse order, and finally checks that the message is back to its fresh state — a
/// damaged payload fails that check or the container's pixel checksums; it never yields a wrong image
/// silently.
public final class BitsBackCoder: PixelCoder {
    public let kind = PixelCoderKind.bitsBack
    public let modelHash: [UInt8]
    public let prior: DiffusionPrior
    /// Parameters `encode` writes. Decoding never uses them: each payload carries its own.
    public let parameters: ChainParameters
    /// Threads for the network; results do not depend on it.
    public let threads: Int
    public var steps: Int { parameters.steps }
    /// Whether `decode` checks the serialized message's CRC-32. Set it to false only to fuzz the
    /// decoder beyond that CRC: every other check, and the container's pixel checksums, still hold.
    public var verifiesMessageChecksum = true
    /// The limits `decode` and `encode` check the work of a payload against (`ImageLimits.maxWork`):
    /// a payload whose tiles demand more pixel-steps than its size allows is refused before decoding,
    /// and the encoder refuses to write one.
    public var limits: ImageLimits = .standard
    /// Most lanes `encode` gives a payload (nil: `parameters.laneCount`). A dataset's chains (each
    /// shard of a sharded archive is one) use 2: a chain pays about 12 bytes of state per lane (the
    /// fresh heads' random content and the final heads' slack), which matters when a dataset is cut
    /// into many shards, and 2 lanes decoded 64 CIFAR-10 images in the same CPU time as 16
    /// (docs/DISTRIBUTED.md). The payload's parameter block records the lane count it was coded with.
    public var laneCap: Int?
    /// The `laneCap` of a dataset's chains.
    public static let datasetLaneCap = 2
    /// Most pixels of a chain: `encode` cuts a payload of more into several chains (consecutive images;
    /// the first, which lends the others their start, of up to twice this), all but the first starting on
    /// words the first lends them (payload version 5, `ChainGroup`), so that one image comes back by
    /// decoding its chain only. nil: one chain (versions 3 and 4).
    public var chainPixels: Int?
    /// The `chainPixels` of a dataset's payloads: 2^16 pixels, 64 images of 32×32 (a lender of 128), so
    /// that a 2^20-pixel shard of CIFAR-10 is a lender and 14 borrowers (docs/DISTRIBUTED.md).
    public static let datasetChainPixels = 1 << 16
    /// Most streams `encode` cuts a payload's message into (`ChainParameters.splittingIntoStreams`), so
    /// that decoding and encoding run the in-order coding on that many threads; 1 writes no streams. A
    /// payload with a `laneCap` (a dataset's chain: shards are coded in parallel instead) has one stream.
    public var streamCap = defaultStreamCap
    /// The `streamCap` of a new coder.
    public static let defaultStreamCap = 4
    /// Least sub-pixels a stream codes (`ChainParameters.streamMinimumSubpixels`; tests lower it to cut
    /// small images into streams).
    public var streamMinimumSubpixels = ChainParameters.streamMinimumSubpixels
    /// Fewest pixels (of all the images) for which `sizeBound(for:)` estimates its bound
    /// (`BitsBackSizeBound.swift`; tests lower it to bound small images).
    public var boundMinimumPixels = defaultBoundMinimumPixels
    /// The stages of `sizeBound(for:)`, in order (`defaultBoundStages`; tests widen them to see one
    /// stage decide).
    public var boundStages = defaultBoundStages

    /// One stage of the size bound: the ELBO estimated from `points` steps, decided with a relative `margin`.
    public struct BoundStage: Equatable, Sendable {
        public let points: Int
        public let margin: Double
        public init(points: Int, margin: Double) {
            self.points = points
            self.margin = margin
        }
    }

    /// A coder that encodes with `parameters` (and decodes any payload).
    /// - Throws: `BitsBackError.invalidParameters` for out-of-range parameters,
    ///   `.invalidConfiguration` for fewer than one thread.
    public init(prior: DiffusionPrior, parameters: ChainParameters, threads: Int = 1) throws {
        try parameters.validate()
        guard threads >= 1 else { throw BitsBackError.invalidConfiguration("threads must be ≥ 1") }
        self.prior = prior
        self.parameters = parameters
        self.threads = threads
        self.modelHash = Self.hash(of: prior)
    }

    /// The model hash a container records for `prior`: SHA-256 of its checkpoint file's bytes.
    public static func hash(of prior: DiffusionPrior) -> [UInt8] { PixelChecksum.sha256([UInt8](prior.checkpoint.data)) }

    /// A coder with the checkpoint's own step count (`CheckpointMetadata.codingSteps`) and the current
    /// defaults otherwise.
    public convenience init(prior: DiffusionPrior, threads: Int = 1) throws {
        try self.init(prior: prior, parameters: ChainParameters(steps: prior.metadata.codingSteps), threads: threads)
    }

    public func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try encodeMeasuring(images, progress: progress).payload
    }

    /// Encodes, and measures on the message what each image cost.
    public func encodeMeasuring(_ images: [ModelImage], progress: CodingProgress?) throws
        -> (payload: [UInt8], report: CodingReport)
    {
        let areas = images.map { $0.width * $0.height }
        if let chainPixels {
            let chains = ChainGroup.partition(areas, chainPixels: chainPixels)
            if chains.count > 1 { return try encodeGroup(images, proposed: chains, progress: progress) }
        }
        return try encodeOneChain(images, progress: progress)
    }

    /// Encodes `images` on one chain (payload version 3, or 4 with streams).
    func encodeOneChain(_ images: [ModelImage], progress: CodingProgress?) throws -> (payload: [UInt8], report: CodingReport) {
        let areas = images.map { $0.width * $0.height }
        let parameters =
            laneCap.map { self.parameters.cappingLanes(at: $0, forImageAreas: areas) }
            ?? self.parameters.splittingIntoStreams(
                forImageAreas: areas, atMost: streamCap, minimumSubpixels: streamMinimumSubpixels)
        let tileCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: threads)
        var message = try Message(
            laneCount: parameters.lanesPerStream(forImageAreas: areas), seed: 0, streamCount: parameters.streamCount)
        let totalWork = Double(areas.reduce(0, +)) * Double(parameters.steps + 1)
        let chain = try encodeChain(images[...], tileCoder: tileCoder, onto: &message, needPerPixel: nil) {
            progress?($0 / totalWork)
        }
        var header = ByteWriter()
        header.append(parameters.encoded)
        TileList.write(chain.targets, areas: areas, runLength: parameters.profile.runLengthTileList, to: &header)
        message.serializeStreams(into: &header)
        let payload = header.bytes
        try checkWork(of: chain.tiles, steps: parameters.steps, payloadBytes: payload.count)
        return (
            payload, CodingReport(imageBits: chain.imageBits, initialBits: message.initialBitsDrawn, payloadBytes: payload.count)
        )
    }

    /// What coding one chain's images onto a message gave.
    struct ChainRecord {
        /// Per image, the tile targets the encoder asked for (the payload's tile list).
        var targets: [[Int]] = []
        /// Per image, the net bits it added to the message.
        var imageBits: [Double] = []
        /// Every tile coded, in order.
        var tiles: [TileRect] = []
        /// Per image, the least word count of the message while it was coded (`Message.lowestWordCount`).
        var lowestWords: [Int] = []
        /// Per image, how far below its starting word count the message went while it was coded.
        var depths: [Int] = []
        /// The most bits per pixel a tile needed on the stack before it started, over the tiles after the
        /// first image coded (nil for one image).
        var largestNeedPerPixel: Double?
        /// What the next tile is sized by: the need per pixel the last tile measured.
        var needPerPixel: Double?

        /// This record followed by `next`, the chain's next images coded on from where this one ended
        /// (its `largestNeedPerPixel` stays this one's).
        mutating func append(_ next: ChainRecord) {
            targets += next.targets
            imageBits += next.imageBits
            tiles += next.tiles
            lowestWords += next.lowestWords
            depths += next.depths
            needPerPixel = next.needPerPixel
        }
    }

    /// Codes `images` onto `message`, cutting each into tiles as large as the bits already on the stack
    /// allow. `needPerPixel` is what the first tile is sized by (nil: the smallest tile, for a message that
    /// starts empty). `progress` gets the pixel-steps done.
    func encodeChain(
        _ images: ArraySlice<ModelImage>, tileCoder: TileChainCoder, onto message: inout Message,
        needPerPixel start: Double?, progress: (Double) -> Void
    ) throws -> ChainRecord {
        let parameters = tileCoder.parameters
        var record = ChainRecord()
        // Bits per pixel a tile needs on the stack before it starts (measured on the previous tile).
        var needPerPixel = start
        var done = 0.0
        for (index, image) in images.enumerated() {
            let before = message.contentBits
            let wordsBefore = message.wordCount
            message.resetLowestWordCount()
            var cursor = TileCursor(
                plan: parameters.plan, width: image.width, height: image.height,
                squareBands: parameters.profile.squareBands)
            var imageTargets: [Int] = []
            while true {
                // As large as the bits already on the stack allow (10 % margin), so that only the very first
                // tile draws initial bits; the decoder reads the targets from the payload.
                let available = message.contentBits + Double(message.initialBitsDrawn)
                let target = needPerPixel.map { Int(min(Double(Int32.max), max(0, available) / ($0 * 1.1))) } ?? 0
                guard let tile = cursor.next(target: target) else { break }
                imageTargets.append(target)
                record.tiles.append(tile)
                let need = try tileCoder.encode(tile, of: image, onto: &message) { stepsDone in
                    progress(done + Double(tile.area) * Double(stepsDone + 1))
                }
                let measured = max(need / Double(tile.area), 1)
                needPerPixel = measured
                if index > 0 { record.largestNeedPerPixel = max(record.largestNeedPerPixel ?? 0, measured) }
                done += Double(tile.area) * Double(parameters.steps + 1)
            }
            record.targets.append(imageTargets)
            record.imageBits.append(message.contentBits - before)
            record.lowestWords.append(message.lowestWordCount)
            record.depths.append(wordsBefore - message.lowestWordCount)
        }
        record.needPerPixel = needPerPixel
        return record
    }

    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        try decode(payload, shapes: shapes, wanted: Set(shapes.indices), progress: progress).map { $0! }
    }

    /// Decodes the images `wanted` and what lies above them on their chains: a chain gives its images back
    /// last to first, so its decoding stops after the first image wanted from it (on average half the
    /// chain for one image of a dataset); a chain stopped early skips the check that its message is back
    /// to its fresh state. With every image wanted, every check is made.
    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], wanted: Set<Int>, progress: CodingProgress?) throws
        -> [ModelImage?]
    {
        guard !wanted.isEmpty, wanted.allSatisfy({ (0..<max(1, shapes.count)).contains($0) }) else {
            throw BitsBackError.corruptPayload("the images wanted are not among the \(shapes.count)")
        }
        var reader = ByteReader(payload)
        let parameters = try ChainParameters.decode(from: &reader)
        for shape in shapes where shape.steps != parameters.steps {
            throw BitsBackError.corruptPayload("the container lists \(shape.steps) steps, the payload \(parameters.steps)")
        }
        if parameters.profile.borrowingChains {
            return try decodeGroup(
                reader, parameters: parameters, payloadBytes: payload.count, shapes: shapes,
                wanted: wanted, progress: progress)
        }
        let areas = shapes.map { $0.width * $0.height }
        let tilesOfImage = try Self.tiles(
            of: shapes, parameters: parameters,
            targets: TileList.read(&reader, areas: areas, runLength: parameters.profile.runLengthTileList))
        try checkWork(of: tilesOfImage.flatMap { $0 }, steps: parameters.steps, payloadBytes: payload.count)
        let tileCoder = try TileChainCoder(prior: prior, parameters: parameters, threads: threads)
        var message: Message
        do {
            message = try Message(
                serializedStreams: reader.readBytes(reader.remaining), streamCount: parameters.streamCount,
                verifyingChecksum: verifiesMessageChecksum)
        } catch {
            throw BitsBackError.corruptPayload("\(error)")
        }
        Self.boundInitialDrawing(of: &message)
        let lanes = parameters.lanesPerStream(forImageAreas: areas)
        let fresh = try Message(laneCount: lanes, seed: 0, streamCount: parameters.streamCount)
        guard zip(message.separateStreams, fresh.separateStreams).allSatisfy({ $0.laneCount == lanes && $0.seed == $1.seed })
        else {
            throw BitsBackError.corruptPayload("unexpected lane count or seed")
        }
        let first = wanted.min()!
        let totalWork = Double(areas[first...].reduce(0, +)) * Double(parameters.steps + 1)
        let images = try decodeChain(
            shapes[...], tiles: tilesOfImage[...], from: first, tileCoder: tileCoder, message: &message
        ) { progress?($0 / totalWork) }
        guard first > 0 || message == fresh else {
            throw BitsBackError.corruptPayload("the message did not return to its initial state")
        }
        return [ModelImage?](repeating: nil, count: first) + images
    }

    /// The tiles of images of `shapes` cut by the payload's `targets`.
    static func tiles(of shapes: [ModelImageShape], parameters: ChainParameters, targets targetsOfImage: [[Int]]) throws
        -> [[TileRect]]
    {
        var tilesOfImage: [[TileRect]] = []
        for (shape, targets) in zip(shapes, targetsOfImage) {
            var cursor = TileCursor(
                plan: parameters.plan, width: shape.width, height: shape.height,
                squareBands: parameters.profile.squareBands)
            var tiles: [TileRect] = []
            for target in targets {
                guard let tile = cursor.next(target: target) else {
                    throw BitsBackError.corruptPayload("more tile targets than the image has tiles")
                }
                tiles.append(tile)
            }
            guard cursor.next(target: 0) == nil else { throw BitsBackError.corruptPayload("too few tile targets") }
            tilesOfImage.append(tiles)
        }
        return tilesOfImage
    }

    /// Decodes the images `first…` of a chain of `shapes` (cut into `tiles`) from `message`, last to first;
    /// returns them in order. `progress` gets the pixel-steps done.
    func decodeChain(
        _ shapes: ArraySlice<ModelImageShape>, tiles tilesOfImage: ArraySlice<[TileRect]>, from first: Int,
        tileCoder: TileChainCoder, message: inout Message, progress: (Double) -> Void
    ) throws -> [ModelImage] {
        let steps = Double(tileCoder.parameters.steps + 1)
        var done = 0.0
        var images: [ModelImage] = []
        for (shape, tiles) in zip(shapes, tilesOfImage).dropFirst(first).reversed() {
            var pixels = [UInt8](repeating: 0, count: shape.width * shape.height * 3)
            for tile in tiles.reversed() {
                try tileCoder.decode(tile, into: &pixels, width: shape.width, height: shape.height, from: &message) {
                    stepsDone in progress(done + Double(tile.area) * Double(stepsDone + 1))
                }
                done += Double(tile.area) * steps
            }
            images.append(try ModelImage(width: shape.width, height: shape.height, pixels: pixels))
        }
        return images.reversed()
    }

    /// Initial words a decoder may draw beyond what the encoder recorded before it stops.
    public static let initialWordsMargin: UInt64 = 64

    /// Sets `message.initialWordsLimit` for decoding a just-read message: decoding replays the encoder's
    /// states in reverse, so it never needs more initial words than the encoder ended with, plus a small
    /// margin for words the encoder gave back (`LaneCoder.pushWord`).
    public static func boundInitialDrawing(of message: inout Message) {
        message.limitInitialDrawing(toDrawnPlus: initialWordsMargin)
    }

    /// The decoding work of `tiles` at `steps` steps, in pixel-steps: every tile's area with its context
    /// margin to the right and below (what the network evaluates), times T + 1.
    public func work(of tiles: [TileRect], steps: Int) -> Int {
        TileChainCoder.work(of: tiles, steps: steps, margin: contextMargin)
    }

    /// Throws `BitsBackError.workLimitExceeded` when `tiles` demand more than `limits` allow a payload
    /// of `payloadBytes` bytes.
    func checkWork(of tiles: [TileRect], steps: Int, payloadBytes: Int) throws {
        let work = self.work(of: tiles, steps: steps)
        let allowed = limits.workAllowance(payloadBytes: payloadBytes)
        guard work <= allowed else { throw BitsBackError.workLimitExceeded(work: work, allowed: allowed) }
    }

    /// Known pixels each tile sees to its right and below: the network's receptive radius.
    var contextMargin: Int { prior.metadata.receptiveRadius }
}
