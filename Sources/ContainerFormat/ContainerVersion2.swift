import Bytes
import Imaging
extension Container {
    /// Writes everything between the model hash and the CRC-32 in version 2 (layout: `Container`).
    /// - Throws: `ContainerError.invalidField` for a record that does not fit the format, `ZlibError`.
    func writeVersion2Body(to writer: inout ByteWriter) throws {
        let storedPlanes = try Container.deflatedSidePlanes(of: images)
        let records = RecordColumns.encode(images, storedPlaneCounts: storedPlanes.map { $0.map(\.count) })
        let block = try Zlib.compress(records)
        writer.appendVarint(UInt64(images.count))
        writer.appendVarint(UInt64(records.count))
        writer.appendVarint(UInt64(block.count))
        writer.append(block)
        for planes in storedPlanes {
            for plane in planes { writer.append(plane) }
        }
        writer.append(pixelDigest)
        writer.appendVarint(UInt64(payload.count))
        writer.append(payload)
    }

    /// Every image's side planes sorted by kind and deflated, as versions 2 and 4 store them, after
    /// checking that each image fits the format (`validateForWriting`).
    static func deflatedSidePlanes(of images: [ContainerImage]) throws -> [[[UInt8]]] {
        try images.map { image in
            try Container.validateForWriting(image)
            return try image.sidePlanes.sorted { $0.kind.rawValue < $1.kind.rawValue }.map { try Zlib.compress($0.bytes) }
        }
    }

    /// Reads a version-2 container from the image count through the payload.
    /// - Throws: `ContainerError`.
    static func readVersion2Body(from reader: inout ByteReader, limits: ImageLimits) throws -> ContainerBody {
        let count = try reader.readVarint()
        guard count >= 1, count <= UInt64(Container.maxImageCount) else {
            throw ContainerError.invalidField("image count \(count) outside 1…\(Container.maxImageCount)")
        }
        let columns = try Container.readRecords(from: &reader, count: Int(count), limits: limits)
        let records = try Container.readSidePlanes(of: columns, from: &reader)
        let pixelDigest = try reader.readBytes(PixelChecksum.byteCount)
        let payloadCount = try reader.readVarint()
        guard payloadCount <= UInt64(max(0, reader.remaining - 4)) else { throw ContainerError.truncated }
        let payload = try reader.readBytes(Int(payloadCount))
        return ContainerBody(records: records, pixelDigest: pixelDigest, payload: payload)
    }

    /// Reads the records block of `count` images (raw length, stored length, zlib stream of the columns),
    /// bounding the inflated size before it is allocated.
    /// - Throws: `ContainerError`.
    static func readRecords(from reader: inout ByteReader, count: Int, limits: ImageLimits) throws
        -> [RecordColumns.Record]
    {
        let rawCount = try reader.readVarint()
        let storedCount = try reader.readVarint()
        guard storedCount <= UInt64(reader.remaining) else { throw ContainerError.truncated }
        // Bounds on the inflated size before it is allocated: what `count` records can take, and
        // what deflate can make of the stored bytes (so it stays proportional to the file's size).
        let (expandable, overflow) = storedCount.multipliedReportingOverflow(by: UInt64(Zlib.maxExpansion))
        guard rawCount >= UInt64(count * RecordColumns.minRecordBytes),
            rawCount <= UInt64(count * RecordColumns.maxRecordBytes), overflow || rawCount <= expandable
        else {
            throw ContainerError.invalidField(
                "image records of \(rawCount) bytes (\(storedCount) stored) for \(count) images")
        }
        let block = try reader.readBytes(Int(storedCount))
        let raw: [UInt8]
        do {
            raw = try Zlib.decompress(block, count: Int(rawCount))
        } catch {
            throw ContainerError.invalidField("image records do not inflate")
        }
        return try RecordColumns.decode(raw, count: count, limits: limits)
    }

    /// The records of `columns` with their side planes' streams, read in order from `reader`.
    static func readSidePlanes(of columns: [RecordColumns.Record], from reader: inout ByteReader) throws
        -> [ContainerRecord]
    {
        var records: [ContainerRecord] = []
        records.reserveCapacity(columns.count)
        for record in columns {
            var planes: [ContainerRecord.StoredPlane] = []
            for plane in record.planes {
                planes.append(
                    ContainerRecord.StoredPlane(
                        kind: plane.kind, rawCount: plane.rawCount,
                        stored: try reader.readBytes(plane.storedCount)))
            }
            records.append(
                ContainerRecord(
                    name: record.name, header: record.header, steps: record.steps, pixelChecksum: nil,
                    planes: planes, storedSidePlaneBytes: planes.reduce(0) { $0 + $1.stored.count }))
        }
        return records
    }
}
