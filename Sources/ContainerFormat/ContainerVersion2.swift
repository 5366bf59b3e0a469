import Bytes
import Imaging
extension Container {
    /// Writes everything between the model hash and the CRC-32 in version 2 (layout: `Container`).
    /// - Throws: `ContainerError.invalidField` for a record that does not fit the format, `ZlibError`.
    func writeVersion2Body(to writer: inout ByteWriter) throws {
        var storedPlanes: [[[UInt8]]] = []
        storedPlanes.reserveCapacity(images.count)
        for image in images {
            try Container.validateForWriting(image)
            storedPlanes.append(
                try image.sidePlanes.sorted { $0.kind.rawValue < $1.kind.rawValue }.map { try Zlib.compress($0.bytes) })
        }
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

    /// Reads a version-2 container from the image count through the payload.
    /// - Throws: `ContainerError`.
    static func readVersion2Body(from reader: inout ByteReader, limits: ImageLimits) throws -> ContainerBody {
        let count = try reader.readVarint()
        guard count >= 1, count <= UInt64(Container.maxImageCount) else {
            throw ContainerError.invalidField("image count \(count) outside 1…\(Container.maxImageCount)")
        }
        let imageCount = Int(count)
        let rawCount = try reader.readVarint()
        let storedCount = try reader.readVarint()
        guard storedCount <= UInt64(reader.remaining) else { throw ContainerError.truncated }
        // Bounds on the inflated size before it is allocated: what `imageCount` records can take, and
        // what deflate can make of the stored bytes (so it stays proportional to the file's size).
        let (expandable, overflow) = storedCount.multipliedReportingOverflow(by: UInt64(Zlib.maxExpansion))
        guard rawCount >= UInt64(imageCount * RecordColumns.minRecordBytes),
            rawCount <= UInt64(imageCount * RecordColumns.maxRecordBytes), overflow || rawCount <= expandable
        else {
            throw ContainerError.invalidField(
                "image records of \(rawCount) bytes (\(storedCount) stored) for \(imageCount) images")
        }
        let block = try reader.readBytes(Int(storedCount))
        let raw: [UInt8]
        do {
            raw = try Zlib.decompress(block, count: Int(rawCount))
        } catch {
            throw ContainerError.invalidField("image records do not inflate")
        }
        let columns = try RecordColumns.decode(raw, count: imageCount, limits: limits)

        var records: [ContainerRecord] = []
        records.reserveCapacity(imageCount)
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
        let pixelDigest = try reader.readBytes(PixelChecksum.byteCount)
        let payloadCount = try reader.readVarint()
        guard payloadCount <= UInt64(max(0, reader.remaining - 4)) else { throw ContainerError.truncated }
        let payload = try reader.readBytes(Int(payloadCount))
        return ContainerBody(records: records, pixelDigest: pixelDigest, payload: payload)
    }
}
