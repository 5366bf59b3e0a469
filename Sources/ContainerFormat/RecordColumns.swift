import Bytes
import Imaging
import PixelCoding
/// The image records of a version-2 container, laid out by column before they are deflated: every
/// image's name, then every image's size, kinds, steps and side-plane descriptors (layout: `Container`).
/// Neighbouring images of a dataset mostly share their size, kinds and steps, and have numbered names,
/// so each column is a run that deflate stores in a few bytes.
enum RecordColumns {
    /// One image's fields as the records hold them.
    struct Record {
        /// A side plane's descriptor; its zlib stream follows the records block.
        struct Plane {
            let kind: SidePlane.Kind
            let rawCount: Int
            let storedCount: Int
        }

        let name: String
        let header: ImageHeader
        let steps: Int
        let planes: [Plane]
    }

    /// The fewest bytes one record takes: name tag 1, one-byte sizes, kinds, one-byte steps, no plane.
    static let minRecordBytes = 1 + 1 + 1 + 3 + 1 + 1
    /// The most bytes one record takes (every varint at its longest, 10 bytes).
    static let maxRecordBytes =
        1 + 10 + Container.maxNameBytes + 10 + 10 + 3 + 10 + 1
        + SidePlane.Kind.allCases.count * (1 + 10 + 10)

    /// Tag of a name stored in full.
    static let explicitName: UInt8 = 0
    /// Tag of a name that is the previous image's `NameSequence.successor(of:)`.
    static let nextName: UInt8 = 1

    /// The records of `images` (already checked by `Container.validateForWriting`), whose side planes,
    /// sorted by kind, deflate to `storedPlaneCounts` bytes.
    static func encode(_ images: [ContainerImage], storedPlaneCounts: [[Int]]) -> [UInt8] {
        var names = ByteWriter(), sizes = ByteWriter(), kinds = ByteWriter(), steps = ByteWriter(), planes = ByteWriter()
        var previous: [UInt8]?
        for (image, storedCounts) in zip(images, storedPlaneCounts) {
            let name = Array(image.name.utf8)
            if let previous, NameSequence.follows(name, previous) {
                names.append(nextName)
            } else {
                names.append(explicitName)
                names.appendVarint(UInt64(name.count))
                names.append(name)
            }
            previous = name
            sizes.appendVarint(UInt64(image.header.width))
            sizes.appendVarint(UInt64(image.header.height))
            kinds.append(image.header.colorType.rawValue)
            kinds.append(UInt8(image.header.bitDepth))
            kinds.append(UInt8(image.header.isInterlaced ? 1 : 0))
            steps.appendVarint(UInt64(image.steps))
            let sorted = image.sidePlanes.sorted { $0.kind.rawValue < $1.kind.rawValue }
            planes.append(UInt8(sorted.count))
            for (plane, storedCount) in zip(sorted, storedCounts) {
                planes.append(plane.kind.rawValue)
                planes.appendVarint(UInt64(plane.bytes.count))
                planes.appendVarint(UInt64(storedCount))
            }
        }
        return names.bytes + sizes.bytes + kinds.bytes + steps.bytes + planes.bytes
    }

    /// Reads `count` records that must fill `raw` exactly, checking sizes against `limits`.
    /// - Throws: `ContainerError.invalidField` or `.limitExceeded`.
    static func decode(_ raw: [UInt8], count: Int, limits: ImageLimits) throws -> [Record] {
        var reader = ByteReader(raw)
        let records: [Record]
        do {
            records = try decodeColumns(&reader, count: count, limits: limits)
        } catch ByteReaderError.truncated {
            throw ContainerError.invalidField("image records end early")
        }
        guard reader.isAtEnd else { throw ContainerError.invalidField("bytes after the image records") }
        return records
    }

    /// Reads the names column of `count` records: per name a tag (explicit bytes, or the successor of the
    /// previous name), the names valid UTF-8.
    /// - Throws: `ContainerError.invalidField`, or `ByteReaderError` at the end of the bytes.
    static func decodeNames(_ reader: inout ByteReader, count: Int) throws -> [String] {
        var names: [String] = []
        names.reserveCapacity(count)
        var previous: [UInt8]?
        for _ in 0..<count {
            let name: [UInt8]
            switch try reader.readUInt8() {
            case explicitName:
                let length = try reader.readVarint(atMost: Container.maxNameBytes, "name length")
                name = try reader.readBytes(length)
            case nextName:
                guard let previous, let next = NameSequence.successor(of: previous) else {
                    throw ContainerError.invalidField("a name follows no numbered name")
                }
                name = next
            default:
                throw ContainerError.invalidField("unknown name tag")
            }
            guard let string = String(validating: name, as: UTF8.self) else {
                throw ContainerError.invalidField("name is not UTF-8")
            }
            names.append(string)
            previous = name
        }
        return names
    }

    private static func decodeColumns(_ reader: inout ByteReader, count: Int, limits: ImageLimits) throws -> [Record] {
        let names = try decodeNames(&reader, count: count)

        var sizes: [(width: Int, height: Int)] = []
        var totalPixels = 0
        for _ in 0..<count {
            let width = try reader.readVarint(atMost: Int(UInt32.max), "width")
            let height = try reader.readVarint(atMost: Int(UInt32.max), "height")
            _ = try limits.admitContainerImage(width: width, height: height, totalPixels: &totalPixels)
            sizes.append((width, height))
        }

        var headers: [ImageHeader] = []
        for (width, height) in sizes {
            headers.append(try ImageHeader(width: width, height: height, readingKindFrom: &reader))
        }

        var steps: [Int] = []
        for _ in 0..<count { steps.append(try reader.readVarint(atMost: CoderLimits.maxSteps, "steps")) }

        var records: [Record] = []
        for index in 0..<count {
            let pixels = headers[index].width * headers[index].height
            let planeCount = Int(try reader.readUInt8())
            guard planeCount <= SidePlane.Kind.allCases.count else { throw ContainerError.invalidField("side plane count") }
            var planes: [Record.Plane] = []
            for _ in 0..<planeCount {
                guard let kind = SidePlane.Kind(rawValue: try reader.readUInt8()) else {
                    throw ContainerError.invalidField("unknown side plane kind")
                }
                guard planes.last.map({ $0.kind.rawValue < kind.rawValue }) ?? true else {
                    throw ContainerError.invalidField("side planes out of order")
                }
                let rawCount = try reader.readVarint(
                    atMost: Container.maxRawBytes(of: kind, pixels: pixels), "\(kind) plane size")
                let storedCount = try reader.readVarint(atMost: Int.max, "\(kind) plane stored size")
                let (expandable, overflow) = storedCount.multipliedReportingOverflow(by: Zlib.maxExpansion)
                guard overflow || rawCount <= expandable else {
                    throw ContainerError.invalidField("\(kind) plane of \(rawCount) bytes from \(storedCount) stored")
                }
                planes.append(Record.Plane(kind: kind, rawCount: rawCount, storedCount: storedCount))
            }
            records.append(Record(name: names[index], header: headers[index], steps: steps[index], planes: planes))
        }
        return records
    }
}
