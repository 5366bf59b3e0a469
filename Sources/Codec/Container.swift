/// The `.vdmz` file format, version 1. All integers little-endian.
///
///     magic            8 bytes   89 56 44 4D 5A 0D 0A 1A   ("\x89VDMZ\r\n\x1A")
///     format version   u16       1
///     coder            u8        PixelCoderKind: 0 stored (zlib), 1 bits-back VDM
///     flags            u8        bit 0: dataset archive (restore every image by its name); others 0
///     model hash       32 bytes  SHA-256 of the checkpoint (all zero when the coder needs no model)
///     image count      u32       1 … maxImageCount
///     per image:
///       name length    u16       ≤ maxNameBytes, then the name in UTF-8
///       width, height  u32, u32  ≥ 1, width·height ≤ ImageLimits.maxPixels
///       colour type    u8        PNG code (0, 2, 3, 4, 6)
///       bit depth      u8        allowed for the colour type
///       interlaced     u8        0 or 1
///       steps T        u32       ≤ maxSteps
///       pixel checksum 32 bytes  SHA-256 of the canonical samples
///       plane count    u8        ≤ SidePlane.Kind.allCases.count, kinds strictly ascending
///       per plane:     kind u8, raw length u32, stored length u32, zlib stream (stored length bytes)
///     payload length   u64       then the coder's payload
///     CRC-32           u32       zlib CRC-32 of every byte before it
///
/// Parsing checks every length against the bytes that remain and against `ImageLimits` before it
/// allocates, and reports any damage as a `ContainerError`.
public struct Container: Equatable, Sendable {
    public static let magic: [UInt8] = [0x89, 0x56, 0x44, 0x4D, 0x5A, 0x0D, 0x0A, 0x1A]
    public static let formatVersion = 1
    public static let maxImageCount = 1 << 20
    public static let maxNameBytes = 1024
    public static let maxSteps = 1 << 20
    /// Largest kept-chunks plane (the PNG reader keeps chunks of at most 8 MB each).
    public static let maxChunksPlaneBytes = 1 << 26

    public let coder: PixelCoderKind
    /// Dataset archive: images are restored under their stored names.
    public let isDataset: Bool
    /// SHA-256 of the checkpoint (32 bytes; zeros when `coder.requiresModel` is false).
    public let modelHash: [UInt8]
    public let images: [ContainerImage]
    /// The pixel coder's payload (opaque here).
    public let payload: [UInt8]

    /// - Throws: `ContainerError.invalidField` if the hash is not 32 bytes or there is no image.
    public init(coder: PixelCoderKind, isDataset: Bool, modelHash: [UInt8], images: [ContainerImage], payload: [UInt8]) throws {
        guard modelHash.count == 32 else { throw ContainerError.invalidField("model hash must be 32 bytes") }
        guard !images.isEmpty, images.count <= Container.maxImageCount else {
            throw ContainerError.invalidField("image count \(images.count) outside 1…\(Container.maxImageCount)")
        }
        self.coder = coder
        self.isDataset = isDataset
        self.modelHash = modelHash
        self.images = images
        self.payload = payload
    }

    /// The container's bytes.
    /// - Throws: `ContainerError.invalidField` for a name, step count or checksum that does not fit the format.
    public func serialized() throws -> [UInt8] {
        var writer = ByteWriter()
        writer.append(Container.magic)
        writer.append(UInt16(Container.formatVersion))
        writer.append(coder.rawValue)
        writer.append(UInt8(isDataset ? 1 : 0))
        writer.append(modelHash)
        writer.append(UInt32(images.count))
        for image in images {
            let name = Array(image.name.utf8)
            guard name.count <= Container.maxNameBytes else {
                throw ContainerError.invalidField("name longer than \(Container.maxNameBytes) bytes")
            }
            guard image.steps >= 0, image.steps <= Container.maxSteps else {
                throw ContainerError.invalidField("steps \(image.steps) outside 0…\(Container.maxSteps)")
            }
            guard (1...Int(UInt32.max)).contains(image.header.width), (1...Int(UInt32.max)).contains(image.header.height) else {
                throw ContainerError.invalidField("image dimensions \(image.header.width)×\(image.header.height)")
            }
            guard Set(image.sidePlanes.map(\.kind)).count == image.sidePlanes.count else {
                throw ContainerError.invalidField("two side planes of the same kind")
            }
            guard image.pixelChecksum.count == PixelChecksum.byteCount else {
                throw ContainerError.invalidField("pixel checksum must be 32 bytes")
            }
            writer.append(UInt16(name.count))
            writer.append(name)
            writer.append(UInt32(image.header.width))
            writer.append(UInt32(image.header.height))
            writer.append(image.header.colorType.rawValue)
            writer.append(UInt8(image.header.bitDepth))
            writer.append(UInt8(image.header.isInterlaced ? 1 : 0))
            writer.append(UInt32(image.steps))
            writer.append(image.pixelChecksum)
            let planes = image.sidePlanes.sorted { $0.kind.rawValue < $1.kind.rawValue }
            writer.append(UInt8(planes.count))
            for plane in planes {
                let stored = try Zlib.compress(plane.bytes)
                guard plane.bytes.count <= UInt32.max, stored.count <= UInt32.max else {
                    throw ContainerError.invalidField("\(plane.kind) plane too large")
                }
                writer.append(plane.kind.rawValue)
                writer.append(UInt32(plane.bytes.count))
                writer.append(UInt32(stored.count))
                writer.append(stored)
            }
        }
        writer.append(UInt64(payload.count))
        writer.append(payload)
        let crc = Zlib.crc32(writer.bytes[...])
        writer.append(crc)
        return writer.bytes
    }

    /// Parses a container.
    /// - Parameter verifyingChecksum: false only in tests that exercise the parser on damaged data.
    /// - Throws: `ContainerError`.
    public init(parsing bytes: [UInt8], limits: ImageLimits = .standard, verifyingChecksum: Bool = true) throws {
        var reader = ByteReader(bytes)
        guard bytes.count >= Container.magic.count else {
            throw bytes.elementsEqual(Container.magic.prefix(bytes.count)) && !bytes.isEmpty
                ? ContainerError.truncated : ContainerError.notAContainer
        }
        guard try reader.readBytes(Container.magic.count) == Container.magic else { throw ContainerError.notAContainer }
        let version = Int(try reader.readUInt16())
        guard version == Container.formatVersion else { throw ContainerError.unsupportedVersion(version) }
        guard let coder = PixelCoderKind(rawValue: try reader.readUInt8()) else {
            throw ContainerError.invalidField("unknown coder")
        }
        let flags = try reader.readUInt8()
        guard flags & ~1 == 0 else { throw ContainerError.invalidField("unknown flags") }
        let modelHash = try reader.readBytes(32)
        let count = Int(try reader.readUInt32())
        let minimumImageBytes = 2 + 8 + 3 + 4 + 32 + 1
        guard count >= 1, count <= Container.maxImageCount else {
            throw ContainerError.invalidField("image count \(count) outside 1…\(Container.maxImageCount)")
        }
        guard count <= reader.remaining / minimumImageBytes else { throw ContainerError.truncated }

        struct StoredPlane { let kind: SidePlane.Kind; let rawCount: Int; let stored: [UInt8] }
        var records: [(name: String, header: ImageHeader, steps: Int, checksum: [UInt8], planes: [StoredPlane])] = []
        records.reserveCapacity(count)
        var totalPixels = 0
        for _ in 0..<count {
            let nameLength = Int(try reader.readUInt16())
            guard nameLength <= Container.maxNameBytes else { throw ContainerError.invalidField("name too long") }
            guard let name = String(validating: try reader.readBytes(nameLength), as: UTF8.self) else {
                throw ContainerError.invalidField("name is not UTF-8")
            }
            let width = Int(try reader.readUInt32())
            let height = Int(try reader.readUInt32())
            guard width >= 1, height >= 1 else { throw ContainerError.invalidField("empty image") }
            // Two u32 factors can exceed Int.max (found by fuzzing): multiply with an overflow check.
            let (pixels, tooMany) = width.multipliedReportingOverflow(by: height)
            guard !tooMany, pixels <= limits.maxPixels else {
                throw ContainerError.limitExceeded("image of \(width)×\(height) pixels (limit \(limits.maxPixels))")
            }
            let (sum, overflow) = totalPixels.addingReportingOverflow(pixels)
            totalPixels = sum
            guard !overflow, totalPixels <= limits.maxTotalPixels else {
                throw ContainerError.limitExceeded("more than \(limits.maxTotalPixels) pixels in all")
            }
            guard let colorType = PNGColorType(rawValue: try reader.readUInt8()) else {
                throw ContainerError.invalidField("unknown colour type")
            }
            let bitDepth = Int(try reader.readUInt8())
            guard colorType.allowedBitDepths.contains(bitDepth) else {
                throw ContainerError.invalidField("bit depth \(bitDepth) for \(colorType)")
            }
            let interlaced = try reader.readUInt8()
            guard interlaced <= 1 else { throw ContainerError.invalidField("interlace flag") }
            let steps = Int(try reader.readUInt32())
            guard steps <= Container.maxSteps else { throw ContainerError.invalidField("steps \(steps)") }
            let checksum = try reader.readBytes(PixelChecksum.byteCount)
            let planeCount = Int(try reader.readUInt8())
            guard planeCount <= SidePlane.Kind.allCases.count else { throw ContainerError.invalidField("side plane count") }
            var planes: [StoredPlane] = []
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
                planes.append(StoredPlane(kind: kind, rawCount: rawCount, stored: try reader.readBytes(storedCount)))
            }
            let header = ImageHeader(width: width, height: height, colorType: colorType, bitDepth: bitDepth,
                                     isInterlaced: interlaced == 1)
            records.append((name, header, steps, checksum, planes))
        }
        let payloadCount = try reader.readUInt64()
        guard payloadCount <= UInt64(max(0, reader.remaining - 4)) else { throw ContainerError.truncated }
        let payload = try reader.readBytes(Int(payloadCount))
        let crcOffset = reader.offset
        let storedCRC = try reader.readUInt32()
        guard reader.isAtEnd else { throw ContainerError.trailingBytes }
        if verifyingChecksum && Zlib.crc32(bytes[..<crcOffset]) != storedCRC { throw ContainerError.checksumMismatch }

        var images: [ContainerImage] = []
        images.reserveCapacity(count)
        for record in records {
            var planes: [SidePlane] = []
            for plane in record.planes {
                do {
                    planes.append(SidePlane(kind: plane.kind, bytes: try Zlib.decompress(plane.stored, count: plane.rawCount)))
                } catch {
                    throw ContainerError.corruptSidePlane("\(plane.kind)")
                }
            }
            images.append(ContainerImage(name: record.name, header: record.header, steps: record.steps,
                                         pixelChecksum: record.checksum, sidePlanes: planes,
                                         storedSidePlaneBytes: record.planes.reduce(0) { $0 + 9 + $1.stored.count }))
        }
        self.coder = coder
        self.isDataset = flags & 1 == 1
        self.modelHash = modelHash
        self.images = images
        self.payload = payload
    }

    /// The largest raw size a side plane of `kind` can have for an image of `pixels` pixels.
    static func maxRawBytes(of kind: SidePlane.Kind, pixels: Int) -> Int {
        switch kind {
        case .alpha, .alphaLow, .paletteRank, .paletteIndices: return pixels
        case .colorLow: return 3 * pixels
        case .palette: return 768
        case .transparency: return 256
        case .chunks: return maxChunksPlaneBytes
        }
    }
}
