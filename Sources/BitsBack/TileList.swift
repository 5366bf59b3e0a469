import Bytes

/// The tile targets of every image of a payload: the areas the encoder asked `TileCursor` for, from which
/// the decoder cuts the same tiles. A single tile is the whole image (the decoder uses the image's area as
/// its target); otherwise the targets are written clamped to the image's area (which cuts the same tiles,
/// in fewer bytes).
///
/// Version 1 (`ChainProfile.runLengthTileList` false): per image a varint tile count, then its targets
/// when the count is above one.
/// Version 2: a varint run of single-tile images, then (unless the images are done) one image of
/// several tiles — varint count ≥ 2 and its targets — and again a run, until every image is listed; the
/// list always ends with a run (0 after a last image of several tiles).
enum TileList {
    /// Appends the targets of images of `areas`.
    static func write(_ targets: [[Int]], areas: [Int], runLength: Bool, to writer: inout ByteWriter) {
        var run: UInt64 = 0
        for (imageTargets, area) in zip(targets, areas) {
            if runLength && imageTargets.count == 1 {
                run += 1
                continue
            }
            if runLength {
                writer.appendVarint(run)
                run = 0
            }
            writer.appendVarint(UInt64(imageTargets.count))
            if imageTargets.count > 1 {
                for target in imageTargets { writer.appendVarint(UInt64(min(target, area))) }
            }
        }
        if runLength { writer.appendVarint(run) }
    }

    /// Reads the targets of images of `areas` (the inverse of `write`).
    /// - Throws: `BitsBackError.corruptPayload` for a truncated list or a value out of range.
    static func read(_ reader: inout ByteReader, areas: [Int], runLength: Bool) throws -> [[Int]] {
        var targets: [[Int]] = []
        targets.reserveCapacity(areas.count)
        if !runLength {
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
            let area = areas[targets.count]
            let count = try readCount(&reader, limit: area)
            guard count >= 2 else { throw BitsBackError.corruptPayload("an image of \(count) tiles in a run-length tile list") }
            targets.append(try (0..<count).map { _ in try readCount(&reader, limit: area) })
        }
        return targets
    }

    /// A LEB128 count of at most `limit`.
    private static func readCount(_ reader: inout ByteReader, limit: Int) throws -> Int {
        do {
            return try reader.readVarint(atMost: limit, "tile list value")
        } catch .truncated {
            throw BitsBackError.corruptPayload("truncated tile list")
        } catch .varintTooLong {
            throw BitsBackError.corruptPayload("tile list varint too long")
        } catch .valueAboveLimit(_, let value, _) {
            throw BitsBackError.corruptPayload("tile list value \(value) out of range")
        }
    }
}
