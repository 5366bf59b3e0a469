import BitsBack
import Bytes
import Imaging
import PixelCoding

/// The header of a hybrid payload (docs/FORMAT.md §2.5), everything before its ANS message:
///
///     u8      version (1)
///     19 B    chain parameter block (`ChainParameters.encoded`, as in a bits-back payload)
///     varint  region side S (1 … 1024, S² ≤ `CoderLimits.maxTilePixels`)
///     ⌈R/8⌉ B choice map: bit r mod 8 of byte ⌊r/8⌋ is region r's choice (1 = context), over the R
///             regions of all images in order, each image's in raster order; the unused high bits are 0
///     varint  × runs: the context coder's payload length of every context run (`RegionGrid.units`), in
///             coding order, each 1 … `ContextRun.maxPayloadBytes(area:)`
struct HybridHeader {
    var parameters: ChainParameters
    var regionSide: Int
    /// Every region's choice, over all images in coding order.
    var choices: [RegionChoice]
    /// Payload bytes of every context run, in coding order.
    var runLengths: [Int]

    /// Largest region side a payload may give.
    static let maxRegionSide = 1024

    /// The header's bytes.
    func write(to writer: inout ByteWriter) {
        writer.append(HybridCoder.currentVersion)
        writer.append(parameters.encoded)
        writer.appendVarint(UInt64(regionSide))
        var map = [UInt8](repeating: 0, count: (choices.count + 7) / 8)
        for (r, choice) in choices.enumerated() where choice == .context { map[r / 8] |= UInt8(1) << UInt8(r % 8) }
        writer.append(map)
        for length in runLengths { writer.appendVarint(UInt64(length)) }
    }

    /// The regions (units) of every image of `shapes` for a region side.
    static func grids(_ shapes: [ModelImageShape], side: Int) -> [RegionGrid] {
        shapes.map { RegionGrid(width: $0.width, height: $0.height, side: side) }
    }

    /// Reads and checks a header for images of `shapes` (whose sizes the container has checked).
    /// - Throws: `HybridCodingError`, or `BitsBackError.invalidParameters` for the parameter block.
    static func read(from reader: inout ByteReader, shapes: [ModelImageShape]) throws -> HybridHeader {
        do {
            let version = try reader.readUInt8()
            guard version == HybridCoder.currentVersion else { throw HybridCodingError.unsupportedVersion(Int(version)) }
            let parameters = try ChainParameters.decode(from: &reader)
            // The hybrid coder's chain tiles share its one message (no streams: chain payload version 4 is
            // the bits-back coder's only).
            guard parameters.streamCount == 1 else {
                throw HybridCodingError.corruptPayload("\(parameters.streamCount) streams in a hybrid payload")
            }
            for shape in shapes where shape.steps != parameters.steps {
                throw HybridCodingError.corruptPayload(
                    "the container lists \(shape.steps) steps, the payload \(parameters.steps)")
            }
            let side = try reader.readVarint(atMost: maxRegionSide, "region side")
            guard side >= 1, side * side <= CoderLimits.maxTilePixels else {
                throw HybridCodingError.corruptPayload("region side \(side)")
            }
            let grids = Self.grids(shapes, side: side)
            let regionCount = grids.reduce(0) { $0 + $1.count }
            let map = try reader.readBytes((regionCount + 7) / 8)
            var choices: [RegionChoice] = []
            choices.reserveCapacity(regionCount)
            for r in 0..<regionCount {
                let bit = (map[r / 8] >> UInt8(r % 8)) & 1
                choices.append(bit == 1 ? RegionChoice.context : RegionChoice.bitsBack)
            }
            if regionCount % 8 != 0, map[map.count - 1] >> UInt8(regionCount % 8) != 0 {
                throw HybridCodingError.corruptPayload("unused bits of the choice map are set")
            }
            var runLengths: [Int] = []
            var first = 0
            for grid in grids {
                for unit in grid.units(choices[first..<first + grid.count]) where unit.choice == .context {
                    let length = try reader.readVarint(atMost: ContextRun.maxPayloadBytes(area: unit.rect.area), "run length")
                    guard length >= 1 else { throw HybridCodingError.corruptPayload("an empty context run") }
                    runLengths.append(length)
                }
                first += grid.count
            }
            return HybridHeader(parameters: parameters, regionSide: side, choices: choices, runLengths: runLengths)
        } catch let error as ByteReaderError {
            throw HybridCodingError.corruptPayload("header: \(error.detail)")
        }
    }
}
