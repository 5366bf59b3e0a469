import ANS
import BitsBack
import Bytes
import Imaging
import Model
import PixelCoding

/// The hybrid coder (tag 3, docs/DESIGN.md §2.13): every image is cut into a grid of square regions
/// (`RegionGrid`), and each region is coded by whichever of the bits-back chain (`TileChainCoder`, the
/// region as one tile) and the context coder (`ContextRun`) makes the payload smaller, all on one ANS
/// message, so bits-back keeps taking its bits from whatever lies on the stack — including the bytes of
/// context-coded regions. A screenshot with an embedded photograph gets both.
///
/// The choice is measured exactly and greedily: in coding order, each region is coded both ways on
/// copies of the message, and the one with the smaller serialized message (plus the header bytes it adds)
/// is kept. Consecutive context regions form a run, coded as few sub-images (`ContextRunCut`: fewer
/// headers, longer adaptive models), so the context candidate of a region is the open run extended by
/// it, its changed rectangles coded again on the message as it was before them.
///
/// Payload: `HybridHeader`, then the serialized message. Decoding goes through the units in reverse and
/// finally checks that the message is back to its fresh state.
public final class HybridCoder: PixelCoder {
    /// The payload version this build writes (and the only one it reads).
    public static let currentVersion: UInt8 = 1
    /// Region side the encoder uses unless told otherwise (measured in docs/bench/2026-12-01-hybrid).
    public static let defaultRegionSide = 64

    public let kind = PixelCoderKind.hybrid
    public let modelHash: [UInt8]
    public let prior: DiffusionPrior
    /// Chain parameters the bits-back regions are coded with (`plan` is unused: regions replace tiles).
    public let parameters: ChainParameters
    /// Side of the encoder's regions, in pixels.
    public let regionSide: Int
    /// Threads for the network; results do not depend on it.
    public let threads: Int
    public var steps: Int { parameters.steps }
    /// Whether `decode` checks the serialized message's CRC-32 (false only to fuzz beyond it).
    public var verifiesMessageChecksum = true
    /// The limits the decoding work of the bits-back regions is checked against, as in `BitsBackCoder`.
    public var limits: ImageLimits = .standard
    /// For tests: the choice of region r (over all images, in coding order) instead of measuring both,
    /// or nil to measure.
    var forcedChoice: ((Int) -> RegionChoice?)?

    /// - Throws: `BitsBackError.invalidParameters`, or `HybridCodingError.invalidConfiguration` for a
    ///   region side or thread count out of range.
    public init(prior: DiffusionPrior, parameters: ChainParameters, regionSide: Int = defaultRegionSide, threads: Int = 1)
        throws
    {
        try parameters.validate()
        guard (1...HybridHeader.maxRegionSide).contains(regionSide), regionSide * regionSide <= CoderLimits.maxTilePixels
        else { throw HybridCodingError.invalidConfiguration("region side \(regionSide)") }
        guard threads >= 1 else { throw HybridCodingError.invalidConfiguration("threads must be ≥ 1") }
        self.prior = prior
        self.parameters = parameters
        self.regionSide = regionSide
        self.threads = threads
        self.modelHash = BitsBackCoder.hash(of: prior)
    }

    public func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try encodeChoosing(images, progress: progress).payload
    }

    /// Encodes, and returns every region's choice (over all images, in coding order).
    public func encodeChoosing(_ images: [ModelImage], progress: CodingProgress?) throws
        -> (payload: [UInt8], choices: [RegionChoice])
    {
        let tiles = try TileChainCoder(prior: prior, parameters: parameters, threads: threads)
        var message = try Message(laneCount: parameters.lanes(forImageAreas: images.map { $0.width * $0.height }), seed: 0)
        var header = HybridHeader(parameters: parameters, regionSide: regionSide, choices: [], runLengths: [])
        var chainRegions: [TileRect] = []
        let totalPixels = Double(max(1, images.reduce(0) { $0 + $1.width * $1.height }))
        var pixelsDone = 0
        for image in images {
            let grid = RegionGrid(width: image.width, height: image.height, side: regionSide)
            // The open context run: its cut and, per rectangle, the message before it and its payload.
            var cut = ContextRunCut(grid: grid)
            var parts: [(start: Message, payload: [UInt8])] = []
            for index in 0..<grid.count {
                let region = grid.region(index)
                let forced = forcedChoice?(header.choices.count)
                var viaChain: Message?
                if forced != .context {
                    var m = message
                    try tiles.encode(region, of: image, onto: &m) { _ in }
                    viaChain = m
                }
                var viaContext: (message: Message, cut: ContextRunCut, parts: [(start: Message, payload: [UInt8])])?
                if forced != .bitsBack {
                    var longer = cut
                    let kept = longer.append(index)
                    var m = kept < parts.count ? parts[kept].start : message
                    var longerParts = Array(parts[..<kept])
                    for rect in longer.rects[kept...] {
                        let payload = try ContextRun.payload(of: rect, in: image, threads: threads)
                        guard payload.count <= ContextRun.maxPayloadBytes(area: rect.area) else { break }
                        longerParts.append((m, payload))
                        try ContextRun.push(payload, onto: &m)
                    }
                    if longerParts.count == longer.rects.count { viaContext = (m, longer, longerParts) }
                }
                // The payload's size if it ended here: the message, and the header's lengths of the open run.
                let chainCost = viaChain.map { $0.serializedByteCount + Self.lengthBytes(parts) }
                let contextCost = viaContext.map { $0.message.serializedByteCount + Self.lengthBytes($0.parts) }
                if let contextCost, let viaContext, chainCost.map({ contextCost <= $0 }) ?? true {
                    (message, cut, parts) = viaContext
                    header.choices.append(.context)
                } else if let viaChain {
                    header.runLengths += parts.map(\.payload.count)
                    (cut, parts) = (ContextRunCut(grid: grid), [])
                    message = viaChain
                    chainRegions.append(region)
                    header.choices.append(.bitsBack)
                } else {
                    throw HybridCodingError.invalidConfiguration("a forced context region that the context coder cannot take")
                }
                pixelsDone += region.area
                progress?(Double(pixelsDone) / totalPixels)
            }
            header.runLengths += parts.map(\.payload.count)
        }
        var writer = ByteWriter()
        header.write(to: &writer)
        message.serialize(into: &writer)
        let payload = writer.bytes
        try checkWork(of: chainRegions, steps: parameters.steps, payloadBytes: payload.count, margin: tiles.contextMargin)
        return (payload, header.choices)
    }

    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        for shape in shapes where shape.subpixelCount == nil { throw HybridCodingError.corruptPayload("image size") }
        var reader = ByteReader(payload)
        let header = try HybridHeader.read(from: &reader, shapes: shapes)
        let grids = HybridHeader.grids(shapes, side: header.regionSide)
        var unitsOfImage: [[(choice: RegionChoice, rect: TileRect)]] = []
        var first = 0
        for grid in grids {
            unitsOfImage.append(grid.units(header.choices[first..<first + grid.count]))
            first += grid.count
        }
        let margin = prior.metadata.receptiveRadius
        let chainRegions = unitsOfImage.flatMap { $0 }.filter { $0.choice == .bitsBack }.map(\.rect)
        try checkWork(of: chainRegions, steps: header.parameters.steps, payloadBytes: payload.count, margin: margin)
        let tiles = try TileChainCoder(prior: prior, parameters: header.parameters, threads: threads)
        var message: Message
        do {
            message = try Message(
                serialized: Array(payload[(payload.count - reader.remaining)...]), verifyingChecksum: verifiesMessageChecksum)
        } catch {
            throw HybridCodingError.corruptPayload("\(error)")
        }
        BitsBackCoder.boundInitialDrawing(of: &message)
        let lanes = header.parameters.lanes(forImageAreas: shapes.map { $0.width * $0.height })
        guard message.laneCount == lanes, message.seed == 0 else {
            throw HybridCodingError.corruptPayload("unexpected lane count or seed")
        }
        let totalPixels = Double(max(1, shapes.reduce(0) { $0 + $1.width * $1.height }))
        var pixelsDone = 0
        var runIndex = header.runLengths.count
        var images: [ModelImage] = []
        for (shape, units) in zip(shapes, unitsOfImage).reversed() {
            var pixels = [UInt8](repeating: 0, count: shape.width * shape.height * 3)
            for unit in units.reversed() {
                switch unit.choice {
                case .bitsBack:
                    try tiles.decode(unit.rect, into: &pixels, width: shape.width, height: shape.height, from: &message) { _ in }
                case .context:
                    runIndex -= 1
                    try ContextRun.pop(
                        unit.rect, payloadBytes: header.runLengths[runIndex], into: &pixels, width: shape.width, from: &message)
                }
                pixelsDone += unit.rect.area
                progress?(Double(pixelsDone) / totalPixels)
            }
            images.append(try ModelImage(width: shape.width, height: shape.height, pixels: pixels))
        }
        guard message == (try Message(laneCount: lanes, seed: 0)) else {
            throw HybridCodingError.corruptPayload("the message did not return to its initial state")
        }
        return images.reversed()
    }

    /// Header bytes of the payload lengths of `parts`.
    private static func lengthBytes(_ parts: [(start: Message, payload: [UInt8])]) -> Int {
        parts.reduce(0) { $0 + ByteWriter.varintSize(UInt64($1.payload.count)) }
    }

    /// The choices a payload records, per image of `shapes`: rows of the region grid, top first, each
    /// region's choice left to right; and the region side. Reads only the header.
    /// - Throws: as `decode` does for a damaged header.
    public static func regionChoices(of payload: [UInt8], shapes: [ModelImageShape]) throws
        -> (side: Int, images: [[[RegionChoice]]])
    {
        var reader = ByteReader(payload)
        let header = try HybridHeader.read(from: &reader, shapes: shapes)
        var images: [[[RegionChoice]]] = []
        var first = 0
        for grid in HybridHeader.grids(shapes, side: header.regionSide) {
            images.append(
                (0..<grid.rows).map { row in
                    Array(header.choices[first + row * grid.columns..<first + (row + 1) * grid.columns])
                })
            first += grid.count
        }
        return (header.regionSide, images)
    }

    /// Throws `BitsBackError.workLimitExceeded` when the bits-back `regions` demand more decoding work than
    /// `limits` allow a payload of `payloadBytes` bytes (context regions cost linear time).
    private func checkWork(of regions: [TileRect], steps: Int, payloadBytes: Int, margin: Int) throws {
        let work = TileChainCoder.work(of: regions, steps: steps, margin: margin)
        let allowed = limits.workAllowance(payloadBytes: payloadBytes)
        guard work <= allowed else { throw BitsBackError.workLimitExceeded(work: work, allowed: allowed) }
    }
}
