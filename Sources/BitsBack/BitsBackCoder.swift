import ANS
import Model
import Bytes
import ContainerFormat
import Imaging
import PixelCoding

/// What encoding cost, measured on the message itself.
public struct CodingReport: Sendable {
    /// Net bits each image added to the message (its share of the payload, initial bits excluded).
    public var imageBits: [Double] = []
    /// Bits drawn from the initial-bits source (the seeded bits below the stack, including the lane
    /// heads): paid once per payload.
    public var initialBits: Int = 0
    /// Bytes of the whole payload (parameter block + serialized message).
    public var payloadBytes: Int = 0

    public init(imageBits: [Double] = [], initialBits: Int = 0, payloadBytes: Int = 0) {
        self.imageBits = imageBits
        self.initialBits = initialBits
        self.payloadBytes = payloadBytes
    }
}

/// The product's pixel coder: bits-back coding of the VDM latent chain (`BitsBackChain`) for every tile
/// (`TilePlan`) of every image, all on one ANS message, so the initial bits are paid once per payload.
///
/// Payload: the chain parameter block (`ChainParameters.encoded`), the tile list (`appendTileList`; its
/// layout depends on the block's version), then the serialized message. Decoding
/// reads the parameters from the payload, decodes images and tiles in reverse order, and finally checks
/// that the message is back to its fresh state — a damaged payload fails that check or the container's
/// pixel checksums; it never yields a wrong image silently.
public final class BitsBackCoder: PixelCoder {
    public let kind = PixelCoderKind.bitsBackVDM
    public let modelHash: [UInt8]
    public let prior: DiffusionPrior
    /// Parameters used by `encode` (decoding takes them from the payload).
    public let parameters: ChainParameters
    /// Threads for the network; results do not depend on it.
    public let threads: Int
    public var steps: Int { parameters.steps }
    /// Whether `decode` checks the serialized message's CRC-32. Set it to false only to fuzz the
    /// decoder beyond that CRC: every other check, and the container's pixel checksums, still hold.
    public var verifiesMessageChecksum = true

    /// - Throws: `BitsBackError.invalidConfiguration` for out-of-range parameters or threads.
    public init(prior: DiffusionPrior, parameters: ChainParameters, threads: Int = 1) throws {
        var r = ByteReader(parameters.encoded)
        guard parameters.steps >= 1, parameters.steps <= ChainParameters.maxSteps, parameters.laneCount <= 1024,
              parameters.latentBinShift <= 16, parameters.firstBinShift <= 16,
              (try? ChainParameters.decode(from: &r)) == parameters else {
            throw BitsBackError.invalidConfiguration("chain parameters out of range: \(parameters)")
        }
        guard threads >= 1 else { throw BitsBackError.invalidConfiguration("threads must be ≥ 1") }
        self.prior = prior
        self.parameters = parameters
        self.threads = threads
        self.modelHash = PixelChecksum.sha256([UInt8](prior.checkpoint.data))
    }

    /// A coder for decoding `container` (its payload carries the chain parameters; the steps here only
    /// satisfy `init`, clamped into range so that any parsed container gives a valid coder).
    public convenience init(decoding container: Container, prior: DiffusionPrior, threads: Int = 1) throws {
        let steps = max(1, min(ChainParameters.maxSteps, container.images.first?.steps ?? 1))
        try self.init(prior: prior, parameters: ChainParameters(steps: steps), threads: threads)
    }

    public func encode(_ images: [ModelImage], progress: CodingProgress?) throws -> [UInt8] {
        try encode(images, progress: progress, report: nil)
    }

    /// Encodes and fills `report` with the measured cost of each image.
    public func encode(_ images: [ModelImage], progress: CodingProgress?, report: UnsafeMutablePointer<CodingReport>?)
        throws -> [UInt8] {
        let schedule = try LatentSchedule(prior: prior, parameters: parameters)
        let chain = BitsBackChain(prior: prior, schedule: schedule, parameters: parameters, threads: threads)
        var message = try Message(laneCount: laneCount(for: images.map { $0.width * $0.height }), seed: 0)
        let totalWork = Double(images.reduce(0) { $0 + $1.width * $1.height }) * Double(parameters.steps + 1)
        var done = 0.0
        var imageBits: [Double] = []
        var targets: [[Int]] = []
        // Bits per pixel a tile needs on the stack before it starts (measured on the previous tile).
        var needPerPixel: Double? = nil
        for image in images {
            let before = message.contentBits
            var cursor = TileCursor(plan: parameters.plan, width: image.width, height: image.height,
                                    squareBands: parameters.version >= 2)
            var imageTargets: [Int] = []
            while true {
                // As large as the bits already on the stack allow (10 % margin), so that only the very first
                // tile draws initial bits; the decoder reads the targets from the payload.
                let available = message.contentBits + 32 * Double(message.initialWordsDrawn)
                let target = needPerPixel.map { Int(max(0, available) / ($0 * 1.1)) } ?? 0
                guard let tile = cursor.next(target: target) else { break }
                imageTargets.append(target)
                let pixels = Self.planarTile(of: image, tile)
                let context = TileContext(tile: tile, imageWidth: image.width, imageHeight: image.height,
                                          pixels: image.pixels, margin: contextMargin)
                let need = try chain.encode(pixels, context: context, onto: &message) { stepsDone in
                    progress?((done + Double(tile.area) * Double(stepsDone + 1)) / totalWork)
                }
                needPerPixel = max(need / Double(tile.area), 1)
                done += Double(tile.area) * Double(parameters.steps + 1)
            }
            targets.append(imageTargets)
            imageBits.append(message.contentBits - before)
        }
        var header = ByteWriter()
        header.append(parameters.encoded)
        Self.appendTileList(targets, areas: images.map { $0.width * $0.height }, version: parameters.version, to: &header)
        let payload = header.bytes + message.serialized()
        report?.pointee = CodingReport(imageBits: imageBits, initialBits: message.initialBitsDrawn, payloadBytes: payload.count)
        return payload
    }

    public func decode(_ payload: [UInt8], shapes: [ModelImageShape], progress: CodingProgress?) throws -> [ModelImage] {
        var reader = ByteReader(payload)
        let parameters = try ChainParameters.decode(from: &reader)
        for shape in shapes where shape.steps != parameters.steps {
            throw BitsBackError.corruptPayload("the container lists \(shape.steps) steps, the payload \(parameters.steps)")
        }
        let areas = shapes.map { $0.width * $0.height }
        let targetsOfImage = try Self.readTileList(&reader, areas: areas, version: parameters.version)
        var tilesOfImage: [[TileRect]] = []
        for (shape, targets) in zip(shapes, targetsOfImage) {
            var cursor = TileCursor(plan: parameters.plan, width: shape.width, height: shape.height,
                                    squareBands: parameters.version >= 2)
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
        let schedule = try LatentSchedule(prior: prior, parameters: parameters)
        let chain = BitsBackChain(prior: prior, schedule: schedule, parameters: parameters, threads: threads)
        let messageBytes = try reader.readBytes(reader.remaining)
        var message: Message
        do { message = try Message(serialized: messageBytes, verifyingChecksum: verifiesMessageChecksum) } catch {
            throw BitsBackError.corruptPayload("\(error)")
        }
        let lanes = laneCount(for: shapes.map { $0.width * $0.height })
        guard message.laneCount == lanes, message.seed == 0 else {
            throw BitsBackError.corruptPayload("unexpected lane count or seed")
        }
        let totalWork = Double(shapes.reduce(0) { $0 + $1.width * $1.height }) * Double(parameters.steps + 1)
        var done = 0.0
        var images: [ModelImage] = []
        for (shape, tiles) in zip(shapes, tilesOfImage).reversed() {
            var pixels = [UInt8](repeating: 0, count: shape.width * shape.height * 3)
            for tile in tiles.reversed() {
                let context = TileContext(tile: tile, imageWidth: shape.width, imageHeight: shape.height,
                                          pixels: pixels, margin: contextMargin)
                let planar = try chain.decode(context: context, from: &message) { stepsDone in
                    progress?((done + Double(tile.area) * Double(stepsDone + 1)) / totalWork)
                }
                Self.storePlanarTile(planar, tile, into: &pixels, imageWidth: shape.width)
                done += Double(tile.area) * Double(parameters.steps + 1)
            }
            images.append(try ModelImage(width: shape.width, height: shape.height, pixels: pixels))
        }
        guard message == (try Message(laneCount: lanes, seed: 0)) else {
            throw BitsBackError.corruptPayload("the message did not return to its initial state")
        }
        return images.reversed()
    }

    /// Writes every image's tile targets. A single tile is the whole image (the decoder uses the image's
    /// area as its target); otherwise the targets are written, clamped to the image's area (which cuts
    /// the same tiles, in fewer bytes).
    ///
    /// Version 1: per image a varint tile count, then its targets when the count is above one.
    /// Version 2: a varint run of single-tile images, then (unless the images are done) one image of
    /// several tiles — varint count ≥ 2 and its targets — and again a run, until every image is listed;
    /// the list always ends with a run (0 after a last image of several tiles).
    static func appendTileList(_ targets: [[Int]], areas: [Int], version: UInt8, to writer: inout ByteWriter) {
        var run: UInt64 = 0
        for (imageTargets, area) in zip(targets, areas) {
            if version >= 2 && imageTargets.count == 1 {
                run += 1
                continue
            }
            if version >= 2 {
                writer.appendVarint(run)
                run = 0
            }
            writer.appendVarint(UInt64(imageTargets.count))
            if imageTargets.count > 1 {
                for target in imageTargets { writer.appendVarint(UInt64(min(target, area))) }
            }
        }
        if version >= 2 { writer.appendVarint(run) }
    }

    /// Reads the tile targets of images of `areas` (the inverse of `appendTileList`); a single tile's
    /// target is its image's area.
    /// - Throws: `BitsBackError.corruptPayload` for a truncated list or a value out of range.
    static func readTileList(_ reader: inout ByteReader, areas: [Int], version: UInt8) throws -> [[Int]] {
        var targets: [[Int]] = []
        targets.reserveCapacity(areas.count)
        func readMultiple(area: Int) throws {
            let count = try readCount(&reader, limit: area)
            guard count >= 2 else { throw BitsBackError.corruptPayload("an image of \(count) tiles in a run-length tile list") }
            targets.append(try (0..<count).map { _ in try readCount(&reader, limit: area) })
        }
        if version == 1 {
            for area in areas {
                let count = try readCount(&reader, limit: area)
                targets.append(count == 1 ? [area] : try (0..<count).map { _ in try readCount(&reader, limit: area) })
            }
            return targets
        }
        while true {
            let run = try readCount(&reader, limit: areas.count - targets.count)
            for _ in 0..<run { targets.append([areas[targets.count]]) }
            guard targets.count < areas.count else { break }
            try readMultiple(area: areas[targets.count])
        }
        return targets
    }

    /// A LEB128 count of at most `limit`.
    static func readCount(_ reader: inout ByteReader, limit: Int) throws -> Int {
        let value: UInt64
        do { value = try reader.readVarint() } catch ByteReaderError.truncated {
            throw BitsBackError.corruptPayload("truncated tile list")
        } catch {
            throw BitsBackError.corruptPayload("tile list varint too long")
        }
        guard value <= UInt64(limit) else { throw BitsBackError.corruptPayload("tile list value \(value) out of range") }
        return Int(value)
    }

    /// Known pixels each tile sees to its right and below: the network's receptive radius.
    var contextMargin: Int { prior.metadata.receptiveRadius }

    /// Lanes for a payload of these image areas: interleaving pays for itself only on large messages,
    /// while every lane costs 64 bits of state.
    func laneCount(for areas: [Int]) -> Int {
        let subpixels = areas.reduce(0, +) * 3
        var lanes = 1
        while lanes < parameters.laneCount && lanes * 16384 <= subpixels { lanes *= 2 }
        return min(lanes, parameters.laneCount)
    }

    /// The tile's pixels of an HWC image, planar `[3][height][width]`.
    static func planarTile(of image: ModelImage, _ tile: TileRect) -> [UInt8] {
        var planar = [UInt8](repeating: 0, count: 3 * tile.area)
        let plane = tile.area
        for y in 0..<tile.height {
            let row = ((tile.y + y) * image.width + tile.x) * 3
            for x in 0..<tile.width {
                for c in 0..<3 { planar[c * plane + y * tile.width + x] = image.pixels[row + 3 * x + c] }
            }
        }
        return planar
    }

    /// Writes a planar tile back into an HWC pixel buffer.
    static func storePlanarTile(_ planar: [UInt8], _ tile: TileRect, into pixels: inout [UInt8], imageWidth: Int) {
        let plane = tile.area
        for y in 0..<tile.height {
            let row = ((tile.y + y) * imageWidth + tile.x) * 3
            for x in 0..<tile.width {
                for c in 0..<3 { pixels[row + 3 * x + c] = planar[c * plane + y * tile.width + x] }
            }
        }
    }
}
