import Bytes
import Imaging
import PixelCoding
extension Container {
    /// Reads a version-1 container from the image count through the payload (layout: `Container`).
    /// Version 1 is no longer written; every file written with it must keep reading exactly as it did.
    /// - Throws: `ContainerError`.
    static func readVersion1Body(from reader: inout ByteReader, limits: ImageLimits) throws -> ContainerBody {
        let count = Int(try reader.readUInt32())
        let minimumImageBytes = 2 + 8 + 3 + 4 + 32 + 1
        guard count >= 1, count <= Container.maxImageCount else {
            throw ContainerError.invalidField("image count \(count) outside 1…\(Container.maxImageCount)")
        }
        guard count <= reader.remaining / minimumImageBytes else { throw ContainerError.truncated }

        var records: [ContainerRecord] = []
        records.reserveCapacity(count)
        var checksums: [[UInt8]] = []
        checksums.reserveCapacity(count)
        var totalPixels = 0
        for _ in 0..<count {
            let nameLength = Int(try reader.readUInt16())
            guard nameLength <= Container.maxNameBytes else { throw ContainerError.invalidField("name too long") }
            guard let name = String(validating: try reader.readBytes(nameLength), as: UTF8.self) else {
                throw ContainerError.invalidField("name is not UTF-8")
            }
            let width = Int(try reader.readUInt32())
            let height = Int(try reader.readUInt32())
            let pixels = try limits.admitContainerImage(width: width, height: height, totalPixels: &totalPixels)
            let header = try ImageHeader(width: width, height: height, readingKindFrom: &reader)
            let steps = Int(try reader.readUInt32())
            guard steps <= CoderLimits.maxSteps else { throw ContainerError.invalidField("steps \(steps)") }
            let checksum = try reader.readBytes(PixelChecksum.byteCount)
            let planeCount = Int(try reader.readUInt8())
            guard planeCount <= SidePlane.Kind.allCases.count else { throw ContainerError.invalidField("side plane count") }
            var planes: [ContainerRecord.StoredPlane] = []
            for _ in 0..<planeCount {
                guard let kind = SidePlane.Kind(rawValue: try reader.readUInt8()) else {
                    throw ContainerError.invalidField("unknown side plane kind")
                }
                guard planes.last.map({ $0.kind.rawValue < kind.rawValue }) ?? true else {
                    throw ContainerError.invalidField("side planes out of order")
                }
                let rawCount = Int(try reader.readUInt32())
                guard rawCount <= Container.maxRawBytes(of: kind, pixels: pixels) else {
                    throw ContainerError.invalidField("\(kind) plane of \(rawCount) bytes for \(pixels) pixels")
                }
                let storedCount = Int(try reader.readUInt32())
                planes.append(
                    ContainerRecord.StoredPlane(kind: kind, rawCount: rawCount, stored: try reader.readBytes(storedCount)))
            }
            checksums.append(checksum)
            records.append(
                ContainerRecord(
                    name: name, header: header, steps: steps, pixelChecksum: checksum, planes: planes,
                    storedSidePlaneBytes: planes.reduce(0) { $0 + 9 + $1.stored.count }))
        }
        let payloadCount = try reader.readUInt64()
        guard payloadCount <= UInt64(max(0, reader.remaining - 4)) else { throw ContainerError.truncated }
        let payload = try reader.readBytes(Int(payloadCount))
        return ContainerBody(records: records, pixelDigest: PixelChecksum.digest(of: checksums), payload: payload)
    }
}
